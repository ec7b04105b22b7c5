import Foundation
import NoisyCore
import Postgres
import StudyData
import SweepKit
import Testing
import TestSupport

/// Command logs as artifacts and command cells waiting for a capable worker (issue 20): every
/// attempt's stdout/stderr is stored and `nmsweep logs` prints it; `nmsweep status` says which
/// command cells no connected worker may run.
@Suite("Command logs and waits", .serialized)
struct CommandLogTests {
    /// A grid whose command fails on its first attempt and succeeds on its second (a flag file
    /// tells them apart), writing a valid output for task digits.
    static func flakyGrid(scratch: String, name: String) throws -> String {
        let folder = scratch + "/prepared/"
        let files = CommandSpec.outputFiles(task: "digits")
        try FileManager.default.createDirectory(atPath: folder + "digits", withIntermediateDirectories: true)
        try NPYArray.write(Matrix(rows: 12, cols: 3) { r, c in Float((r % 3) * 3 + c) }, to: folder + files.trainFeatures)
        try NPYArray.write(labels: (0..<12).map { $0 % 3 }, to: folder + files.trainLabels)
        try NPYArray.write(Matrix(rows: 6, cols: 3) { r, c in Float((r % 3) * 3 + c) }, to: folder + files.testFeatures)
        try NPYArray.write(labels: (0..<6).map { $0 % 3 }, to: folder + files.testLabels)
        let grid = scratch + "/grid.yaml"
        let script = "if [ -e \(scratch)/tried ]; then echo second attempt writes its output; cp -R \(folder). \"$NMSWEEP_OUT\"/; "
            + "else touch \(scratch)/tried; echo first attempt fails >&2; exit 1; fi"
        try """
        name: \(name)
        noise_ratios: [0]
        seeds: 1
        tasks: [digits]
        methods: [lp]
        tuning: {epochs: 2}
        extract:
          command: [sh, -c, '\(script)']
        max_attempts: 2

        """.write(toFile: grid, atomically: true, encoding: .utf8)
        return grid
    }

    @Test("a command that fails once, then succeeds: both attempts' logs are artifacts that nmsweep logs prints")
    func bothLogsReadable() throws {
        try DataStore.verify(DataCatalog.defaultDirectory())
        let scratch = "/dev/shm/nmsweep-logs-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let grid = try Self.flakyGrid(scratch: scratch, name: "flaky-command")
        let url = try PostgresTestServer.freshDatabaseURL("logs")
        let run = try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "1", "--worker-slots", "1",
            "--progress", "log", "--worker-argument=--cache-dir=\(scratch)/cache",
        ], timeout: 300)
        #expect(run.status == 0, "\(run.standardError.suffix(3000))")
        let db = try PostgresConnection(url: url)
        let key: String = try db.query("SELECT key FROM cells WHERE kind = 'pretrain'", [])[0].decode(0)
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM cell_logs WHERE cell_key = $1", key) == 2)
        #expect(try db.query("SELECT string_agg(attempt::text, ',' ORDER BY attempt) FROM cell_logs WHERE cell_key = $1", [key])[0]
            .decode(0, as: String.self) == "1,2")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM results") == 1, "the second attempt's output was used")
        #expect(try FaultHarness.scalar(db, "SELECT count(*)::int FROM artifacts WHERE kind = 'command-log'") == 2)

        let both = try ProcessRunner.run("nmsweep", ["logs", "--database", url, "--cell", String(key.prefix(12))])
        #expect(both.status == 0, "\(both.standardError)")
        #expect(both.standardOutput.contains("attempt 1") && both.standardOutput.contains("attempt 2"))
        #expect(both.standardOutput.contains("first attempt fails"), "\(both.standardOutput)")
        #expect(both.standardOutput.contains("second attempt writes its output"), "\(both.standardOutput)")
        let first = try ProcessRunner.run("nmsweep", ["logs", "--database", url, "--sweep", "flaky-command", "--cell", key, "--attempt", "1"])
        #expect(first.status == 0 && first.standardOutput.contains("first attempt fails"))
        // (The log's header repeats the command, which names both messages: compare whole lines.)
        #expect(!first.standardOutput.split(separator: "\n").contains("second attempt writes its output"))
        let list = try ProcessRunner.run("nmsweep", ["logs", "--database", url])
        #expect(list.standardOutput.split(separator: "\n").filter { $0.hasPrefix(key.prefix(16)) }.count == 2, "\(list.standardOutput)")
        let unknown = try ProcessRunner.run("nmsweep", ["logs", "--database", url, "--cell", "0123456789abcdef"])
        #expect(unknown.status == 1 && unknown.standardError.contains("no command log of cell 0123456789abcdef"))
    }

    @Test("nmsweep status names command cells that no connected worker may run, in text and JSON")
    func statusShowsCommandWaits() throws {
        try DataStore.verify(DataCatalog.defaultDirectory())
        let scratch = "/dev/shm/nmsweep-waits-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let grid = try Self.flakyGrid(scratch: scratch, name: "waiting-command")
        let url = try PostgresTestServer.freshDatabaseURL("waits")
        // One local worker, not allowed to run commands: the command cell waits.
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--grid", grid, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "1", "--local-command-workers", "0",
            "--progress", "log", "--worker-argument=--cache-dir=\(scratch)/cache",
        ])
        defer { coordinator.signal(SIGTERM); _ = coordinator.wait(timeout: 30) }
        var text = ""
        let said = eventually(timeout: 30) {
            text = (try? ProcessRunner.run("nmsweep", ["status", "--database", url, "--sweep", "waiting-command"]).standardOutput) ?? ""
            if !text.contains("waiting for a capable worker") { usleep(300_000) }
            return text.contains("waiting for a capable worker")
        }
        #expect(said, "\(text)\n\(coordinator.standardError.suffix(2000))")
        #expect(text.contains("1 command cell need a worker with --allow-commands; no connected worker has it"), "\(text)")
        let json = try ProcessRunner.run("nmsweep", ["status", "--database", url, "--sweep", "waiting-command", "--format", "json"])
        let documents = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [[String: Any]])
        let waits = try #require(documents.first?["command_waits"] as? [[String: Any]])
        #expect(waits.count == 1)
        #expect((waits.first?["cells"] as? Int) == 1 && (waits.first?["requires"] as? [String]) == [])
    }

    @Test("a worker on another artifact folder than the coordinator's, or on one when the coordinator has none, is refused by name")
    func artifactFolderMismatchIsRefused() throws {
        let scratch = "/dev/shm/nmsweep-mismatch-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        for folder in ["one", "two"] { try FileManager.default.createDirectory(atPath: "\(scratch)/\(folder)", withIntermediateDirectories: true) }
        let url = try PostgresTestServer.freshDatabaseURL("mismatch")
        for coordinatorFolder in [["--artifact-dir", scratch + "/one"], []] {
            let coordinator = try RunningProcess("nmsweep-coordinator", [
                "--noop-cells", "3", "--name", "mismatch", "--database", url, "--bind", "tcp://127.0.0.1:*", "--progress", "log"] + coordinatorFolder)
            defer { coordinator.signal(SIGTERM); _ = coordinator.wait(timeout: 30) }
            try #require(coordinator.waitForOutput(containing: "listening on tcp://", timeout: 30), "\(coordinator.standardError)")
            let listening = coordinator.standardError.split(separator: "\n").first { $0.contains("listening on tcp://") }!
            let endpoint = String(listening.split(separator: " ").first { $0.hasPrefix("tcp://") }!)
            let worker = try RunningProcess("nmsweep-worker", ["--connect", endpoint, "--slots", "1", "--cache-dir", scratch + "/cache",
                                                              "--artifact-dir", scratch + "/two"])
            #expect(worker.wait(timeout: 30) != nil, "the refused worker exits")
            let expected = coordinatorFolder.isEmpty ? "the coordinator has none" : "is another folder"
            #expect(worker.standardError.contains(expected), "\(worker.standardError)")
        }
        // A folder that does not exist is an error at start-up, naming it.
        let missing = try ProcessRunner.run("nmsweep-worker", ["--connect", "tcp://127.0.0.1:1", "--artifact-dir", scratch + "/absent"])
        #expect(missing.status == 2 && missing.standardError.contains("\(scratch)/absent: no such folder"), "\(missing.standardError)")
    }
}
