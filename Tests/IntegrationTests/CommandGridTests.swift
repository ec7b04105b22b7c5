import Foundation
import NoisyCore
import Postgres
import StudyData
import SweepKit
import Testing
import TestSupport

/// Command grids end to end (issue 20): `grids/external.yaml`'s numpy extractor through a real
/// coordinator, two local workers (only the first with `--allow-commands`) and PostgreSQL; and a
/// worker SIGKILLed while its command runs.
@Suite("Command cells end to end", .serialized)
struct CommandGridTests {
    struct CellRow: Equatable {
        var key: String
        var kind: String
        var state: String
        var attempts: Int
        var lastError: String?
    }

    /// Every cell, `done` when it has a result row (evaluate cells) or is marked so (command cells,
    /// which have no row: their artifact is their result).
    static func cells(_ url: String) throws -> [CellRow] {
        try PostgresConnection(url: url).query("""
            SELECT c.key, c.kind, CASE WHEN r.cell_key IS NOT NULL THEN 'done' ELSE c.state END, c.attempts, c.last_error
            FROM cells c LEFT JOIN results r ON r.cell_key = c.key ORDER BY c.key
            """, []).map {
            CellRow(key: try $0.decode(0), kind: try $0.decode(1), state: try $0.decode(2), attempts: try $0.decode(3),
                    lastError: try $0.decode(4, as: String?.self))
        }
    }

    /// A grid of one command cell (noise 0, seed 0, task digits) and its evaluate cells.
    static func oneCommandGrid(name: String, methods: String, command: String, maxAttempts: Int) -> String {
        """
        name: \(name)
        noise_ratios: [0]
        seeds: 1
        tasks: [digits]
        methods: \(methods)
        tuning: {epochs: 2}
        extract:
          command: \(command)
        max_attempts: \(maxAttempts)

        """
    }

    static func run(grid: String, url: String, cache: String) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "2", "--worker-slots", "1",
            "--progress", "log", "--worker-argument=--cache-dir=\(cache)",
        ], timeout: 600)
    }

    @Test("grids/external.yaml: commands only on the opted-in worker, a second run reruns nothing, a changed script reruns its cells")
    func externalGrid() throws {
        try DataStore.verify(DataCatalog.defaultDirectory())
        // A copy of the grid and the extractor, so the test can change the script's bytes.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-external-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let root = GridDeterminismTests.repositoryRoot
        try FileManager.default.createDirectory(atPath: scratch + "/grids", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: scratch + "/examples/extractors", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: root + "/grids/external.yaml", toPath: scratch + "/grids/external.yaml")
        let script = scratch + "/examples/extractors/mlp_features.py"
        try FileManager.default.copyItem(atPath: root + "/examples/extractors/mlp_features.py", toPath: script)
        let url = try PostgresTestServer.freshDatabaseURL("external")
        let grid = scratch + "/grids/external.yaml"

        let first = try Self.run(grid: grid, url: url, cache: scratch + "/cache")
        #expect(first.status == 0, "\(first.standardError.suffix(3000))")
        let cells = try Self.cells(url)
        #expect(cells.count == 10)
        #expect(cells.allSatisfy { $0.state == "done" }, "\(cells)")
        // The worker without --allow-commands would have failed any command cell it was given
        // (requeueing it with that error): none requeued, no error, means each went to the first worker.
        let commands = cells.filter { $0.kind == "pretrain" }
        #expect(commands.count == 2)
        #expect(commands.allSatisfy { $0.lastError == nil }, "\(commands)")
        let db = try PostgresConnection(url: url)
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued'") == 0,
                "\(first.standardError.suffix(3000))")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 8)
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results WHERE accuracy > 0.15") == 8,
                "features of a pre-trained MLP tune above chance (0.1)")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_failed'") == 0)
        // The command cells' outputs are artifacts (in chunk rows), each holding its log; each
        // attempt's log is an artifact of its own, linked to its cell.
        let artifacts = try db.query("""
            SELECT string_agg(encode(c.bytes, 'escape'), '' ORDER BY c.chunk) FROM artifacts a
            JOIN artifact_chunks c ON c.hash = a.hash WHERE a.kind = 'command-output' GROUP BY a.hash
            """, []).map { try $0.decode(0, as: String.self) }
        #expect(artifacts.count == 2)
        #expect(artifacts.allSatisfy { $0.contains("pre-training on 6000 images") })
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM cell_logs") == 2)

        let second = try Self.run(grid: grid, url: url, cache: scratch + "/cache")
        #expect(second.status == 0, "\(second.standardError.suffix(3000))")
        #expect(try Self.cells(url) == cells, "a second run reruns nothing")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 8)

        // A changed byte in the script (an input): its command cells and their evaluate cells are new work.
        let handle = try #require(FileHandle(forWritingAtPath: script))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("# changed\n".utf8))
        try handle.close()
        let third = try Self.run(grid: grid, url: url, cache: scratch + "/cache")
        #expect(third.status == 0, "\(third.standardError.suffix(3000))")
        let after = try Self.cells(url)
        #expect(after.count == 20)
        #expect(after.allSatisfy { $0.state == "done" })
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 16)
        #expect(Set(cells.map(\.key)).isSubset(of: Set(after.map(\.key))))
    }

    @Test("a command that exits 1: retried, then failed with its log's last lines in cells.last_error; its evaluate cells fail naming it; the sweep ends")
    func failingCommand() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-cmdfail-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let grid = scratch + "/fail.yaml"
        try Self.oneCommandGrid(name: "command-fail", methods: "[lp, mlp]",
                                command: #"[sh, -c, 'echo reading the data set; echo "CUDA error: out of memory" >&2; exit 1']"#,
                                maxAttempts: 2).write(toFile: grid, atomically: true, encoding: .utf8)
        let url = try PostgresTestServer.freshDatabaseURL("cmdfail")
        let outcome = try Self.run(grid: grid, url: url, cache: scratch + "/cache")
        #expect(outcome.status == 1, "failed cells: exit 1; \(outcome.standardError.suffix(2000))")
        let cells = try Self.cells(url)
        let command = try #require(cells.first { $0.kind == "pretrain" })
        #expect(command.state == "failed")
        #expect(command.attempts == 2)
        let error = command.lastError ?? ""
        #expect(error.contains("command failed: exit code 1") && error.contains("CUDA error: out of memory")
                && error.contains("reading the data set"), "\(error)")
        let evaluates = cells.filter { $0.kind == "evaluate" }
        #expect(evaluates.count == 2 && evaluates.allSatisfy { $0.state == "failed" && ($0.lastError ?? "").contains("(command) failed: error: command failed: exit code 1") },
                "\(evaluates)")
    }

    @Test("a worker SIGKILLed while its command runs: the command cell runs again elsewhere, one result per evaluate cell")
    func workerKilledMidCommand() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-cmdkill-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        // A prepared output (what an extractor would write), copied by the command after a pause.
        let prepared = scratch + "/prepared"
        for task in ["digits"] {
            let files = CommandSpec.outputFiles(task: task)
            try FileManager.default.createDirectory(atPath: prepared + "/" + task, withIntermediateDirectories: true)
            let train = Matrix(rows: 40, cols: 4) { r, c in Float((r % 4) == c ? 1 : 0) + Float(r) * 0.01 }
            let test = Matrix(rows: 12, cols: 4) { r, c in Float((r % 4) == c ? 1 : 0) }
            try NPYArray.write(train, to: prepared + "/" + files.trainFeatures)
            try NPYArray.write(labels: (0..<40).map { $0 % 4 }, to: prepared + "/" + files.trainLabels)
            try NPYArray.write(test, to: prepared + "/" + files.testFeatures)
            try NPYArray.write(labels: (0..<12).map { $0 % 4 }, to: prepared + "/" + files.testLabels)
        }
        let starts = scratch + "/starts"
        let grid = scratch + "/kill.yaml"
        try Self.oneCommandGrid(name: "command-kill", methods: "[lp]",
                                command: #"[sh, -c, 'echo $$ >> \#(starts); sleep 4; cp -R \#(prepared)/. "$0"/', "{out}"]"#,
                                maxAttempts: 3).write(toFile: grid, atomically: true, encoding: .utf8)
        let url = try PostgresTestServer.freshDatabaseURL("cmdkill")
        let port = try FaultHarness.freePort()
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:\(port)", "--local-workers", "0",
            "--heartbeat-ms", String(FaultHarness.heartbeatMilliseconds), "--progress", "log",
        ])
        func worker(_ name: String) throws -> RunningProcess {
            try RunningProcess("nmsweep-worker", ["--connect", "tcp://127.0.0.1:\(port)", "--slots", "1", "--allow-commands",
                                                  "--cache-dir", scratch + "/cache-" + name])
        }
        let victim = try worker("victim")
        #expect(eventually(timeout: 30) { ((try? String(contentsOfFile: starts, encoding: .utf8)) ?? "").contains("\n") },
                "the command never started: \(coordinator.standardError.suffix(2000))")
        victim.signal(SIGKILL)
        #expect(victim.wait(timeout: 10) == -9)
        let survivor = try worker("survivor")
        let outcome = coordinator.finish(timeout: 60)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        _ = survivor.finish(timeout: 15)
        let cells = try Self.cells(url)
        #expect(cells.count == 2 && cells.allSatisfy { $0.state == "done" }, "\(cells)")
        let command = try #require(cells.first { $0.kind == "pretrain" })
        let db = try PostgresConnection(url: url)
        // The killed worker's attempt was requeued as a crash, then the survivor ran it.
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM events WHERE kind = 'cell_requeued' AND cell_key = $1 AND message LIKE '%lost%'",
                                        command.key) == 1)
        let counts = try FaultHarness.resultCounts(db)
        #expect(counts.rows == 1 && counts.cells == 1)
        #expect(try String(contentsOfFile: starts, encoding: .utf8).split(separator: "\n").count == 2)
    }
}
