import Foundation
import Postgres
import SweepStore
import Testing
import TestSupport

/// What a researcher sees must be true (issue 13: observations 1, 2, 3, 4, 6, 7; issue 14's argument
/// checks): real coordinator, workers and PostgreSQL, no-op cells so each test takes seconds.
@Suite("What the tools say: status while running, where results are, exit codes, the live line")
struct SurfaceTests {
    /// The numbers of the last `progress: …` line the coordinator logged (`--progress log`).
    struct ProgressLine {
        var done: Int, running: Int, workers: Int
        init?(_ line: Substring) {
            let text = String(line)
            guard text.hasPrefix("progress: "), let slash = text.firstIndex(of: "/"),
                  let done = Int(text.dropFirst("progress: ".count).prefix(upTo: slash)),
                  let running = FaultHarness.number(before: " running", in: text),
                  let workers = FaultHarness.number(before: " workers", in: text) else { return nil }
            self.done = done
            self.running = running
            self.workers = workers
        }
    }

    static func progressLines(_ text: String) -> [ProgressLine] {
        text.split(separator: "\n").compactMap(ProgressLine.init)
    }

    static func nmsweep(_ arguments: [String]) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run("nmsweep", arguments, timeout: 60)
    }

    // MARK: 1. status and sweeps while a sweep runs

    @Test("mid-sweep, `status` shows the coordinator's own counts: leases, live workers, a rate over the run's own time")
    func statusWhileRunning() throws {
        let postgres = try PrivatePostgres(label: "surface-status")
        defer { postgres.remove() }
        let state = postgres.server.stateDirectory
        // 2 workers × 2 slots, cells of 2.5 s: for most of the run exactly 4 cells are leased.
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--noop-cells", "16", "--noop-sleep-ms", "2500", "--name", "live", "--state-dir", state,
            "--bind", "tcp://127.0.0.1:*", "--local-workers", "2", "--worker-slots", "2", "--heartbeat-ms", "200",
            "--progress", "log", "--log-interval-s", "0.5",
        ])
        // Wait for the first completions (the rate exists), then compare mid-cell.
        #expect(eventually(timeout: 30) { (Self.progressLines(coordinator.standardError).last?.done ?? 0) >= 4 },
                "\(coordinator.standardError.suffix(2000))")
        usleep(800_000)
        let before = Self.progressLines(coordinator.standardError).last
        let status = try Self.nmsweep(["status", "--state-dir", state, "--sweep", "live"])
        let sweeps = try Self.nmsweep(["sweeps", "--state-dir", state])
        let after = Self.progressLines(coordinator.standardError).last
        #expect(status.status == 0, "\(status.standardError)")
        let text = status.standardOutput
        #expect(text.contains("(running)"), "\(text)")
        #expect(text.contains("leased 4"), "the coordinator runs 4 cells (2 workers × 2 slots): \(text)")
        #expect(before?.running == 4 && after?.running == 4, "the coordinator's own count: \(String(describing: before)) \(String(describing: after))")
        #expect(text.contains("workers connected: 2 (running 4 cells)"), "\(text)")
        #expect(text.contains("cells/s") && text.contains("ETA "), "a rate and an ETA once cells are done: \(text)")
        #expect(!text.contains("ETA unknown") && !text.contains("vnmsweep"), "\(text)")
        #expect(text.contains("nmsweep-worker 0.") && text.contains("git "), "worker versions as announced: \(text)")
        // Done as the coordinator counts it, between its lines before and after.
        if let before, let after, let done = FaultHarness.number(before: "/16 cells done", in: text) {
            #expect(done >= before.done && done <= after.done, "status says \(done) done; the coordinator said \(before.done) then \(after.done)")
        } else {
            Issue.record("no progress lines or no done count: \(text)")
        }
        #expect(sweeps.standardOutput.contains("running") && !sweeps.standardOutput.contains("stopped"), "\(sweeps.standardOutput)")

        // Heartbeats reach the workers table: last_seen moves past first_seen while the sweep runs.
        let db = try SweepDatabase(url: postgres.url)
        let heartbeats = try db.connection.query(
            "SELECT count(*) FROM workers WHERE last_seen > first_seen + interval '1 second'", [])[0].decode(0, as: Int.self)
        #expect(heartbeats == 2, "both workers' heartbeats are recorded")

        let outcome = coordinator.finish(timeout: 60)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(2000))")
        let ended = try Self.nmsweep(["status", "--state-dir", state, "--sweep", "live"])
        #expect(ended.standardOutput.contains("(done): 16/16 cells done") && ended.standardOutput.contains("none running"),
                "\(ended.standardOutput)")
    }

    // MARK: 2. reading tools never create a database; the coordinator says where results are

    @Test("report, status, sweeps and db url on a folder without a database fail, say where they looked, and create nothing")
    func readingToolsNeverCreate() throws {
        let empty = NSTemporaryDirectory() + "nmsweep-no-db-\(getpid())"
        try? FileManager.default.removeItem(atPath: empty)
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: empty) }
        for command in [["report"], ["status"], ["sweeps"], ["db", "url"], ["report", "--sweep", "x", "--format", "csv"]] {
            let run = try Self.nmsweep(command + ["--state-dir", empty])
            #expect(run.status == 1, "\(command): \(run.status) \(run.standardError)")
            #expect(run.standardError.contains("no results database in \(empty)"), "\(command): \(run.standardError)")
            #expect(run.standardError.contains("--state-dir") && run.standardError.contains("DATABASE_URL"), "\(run.standardError)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: empty).isEmpty, "\(command) created files in \(empty)")
        }
    }

    @Test("the coordinator names where results are and the exact commands to read them and to stop the server; a rerun says nothing to run")
    func whereResultsAre() throws {
        let postgres = try PrivatePostgres(label: "surface-where")
        defer { postgres.remove() }
        let state = postgres.server.stateDirectory
        let arguments = ["--noop-cells", "6", "--name", "where", "--state-dir", state, "--bind", "tcp://127.0.0.1:*",
                         "--local-workers", "1", "--worker-slots", "2", "--progress", "quiet"]
        let run = try ProcessRunner.run("nmsweep-coordinator", arguments, timeout: 60)
        #expect(run.status == 0, "\(run.standardError.suffix(2000))")
        #expect(run.standardError.contains("results go to the embedded PostgreSQL in \(state)"), "\(run.standardError)")
        let report = "nmsweep report --sweep where --state-dir \(state)"
        #expect(run.standardError.contains(report) && run.standardOutput.contains(report), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("the embedded PostgreSQL keeps running") && run.standardOutput.contains("nmsweep db stop --state-dir \(state)"),
                "\(run.standardOutput)")
        // The printed command works as printed.
        let sweeps = try Self.nmsweep(["sweeps", "--state-dir", state])
        #expect(sweeps.status == 0 && sweeps.standardOutput.contains("where"), "\(sweeps.standardOutput) \(sweeps.standardError)")

        // 3. Submitted again: the coordinator says plainly that nothing runs, and when it finished.
        let again = try ProcessRunner.run("nmsweep-coordinator", arguments, timeout: 60)
        #expect(again.status == 0, "\(again.standardError.suffix(2000))")
        #expect(again.standardOutput.contains("nothing to run: sweep where finished at 20"), "\(again.standardOutput)")
        #expect(again.standardOutput.contains("--name"), "\(again.standardOutput)")
    }

    // MARK: 4. points removed from the grid leave the sweep

    @Test("a sweep shrunk under the same name: dropped cells leave it, with a note; their results stay in the database")
    func pointsRemovedLeave() throws {
        let url = try PostgresTestServer.freshDatabaseURL("shrink")
        func run(_ cells: Int) throws -> ProcessRunner.Outcome {
            try ProcessRunner.run("nmsweep-coordinator", [
                "--noop-cells", String(cells), "--name", "shrink", "--database", url, "--bind", "tcp://127.0.0.1:*",
                "--local-workers", "1", "--worker-slots", "2", "--progress", "quiet"], timeout: 60)
        }
        let first = try run(8)
        #expect(first.status == 0 && first.standardOutput.contains("8/8 done"), "\(first.standardOutput)")
        let shrunk = try run(5)
        #expect(shrunk.status == 0, "\(shrunk.standardError.suffix(2000))")
        #expect(shrunk.standardOutput.contains("5/5 done"), "\(shrunk.standardOutput)")
        #expect(shrunk.standardOutput.contains("3 cells no longer in the grid left the sweep"), "\(shrunk.standardOutput)")
        let sweeps = try Self.nmsweep(["sweeps", "--database", url])
        let row = sweeps.standardOutput.split(separator: "\n").first { $0.hasPrefix("shrink") }.map(String.init) ?? ""
        #expect(row.split(separator: " ", omittingEmptySubsequences: true).prefix(4) == ["shrink", "done", "5", "5"], "\(sweeps.standardOutput)")
        let db = try SweepDatabase(url: url)
        #expect(try db.connection.query("SELECT count(*) FROM results", [])[0].decode(0, as: Int.self) == 8, "results stay")
        let sweep = try db.requireSweep(named: "shrink")
        #expect(try db.resultCount(sweepID: sweep.id) == 5)
        // Growing back runs nothing: the cells and results were kept.
        let grown = try run(8)
        #expect(grown.standardOutput.contains("8/8 done, 0 failed, 0 assigned"), "\(grown.standardOutput)")
    }

    // MARK: 5. exit codes and basics

    @Test("bad arguments exit 2 with a message naming the value, on every binary")
    func badArgumentsExitTwo() throws {
        let cases: [(tool: String, arguments: [String], says: String)] = [
            ("nmsweep-coordinator", [], "--grid"),
            ("nmsweep-coordinator", ["--grid", "g.yaml", "--local-workers", "two"], "two"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--worker-slots", "0", "--local-workers", "1"], "--worker-slots must be in 1…1024, not 0"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--max-attempts", "0"], "--max-attempts must be in 1…100"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--liveness", "5000"], "--liveness must be in 1…1000"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--bind", ":83441"], "tcp://ADDRESS:PORT"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--bind", "tcp://127.0.0.1:83441"], "1…65535"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--progress", "fancy"], "fancy"),
            ("nmsweep-coordinator", ["--noop-cells", "1", "--log-level", "loud"], "loud"),
            ("nmsweep-worker", ["--connect", "127.0.0.1:17599"], "tcp://HOST:PORT"),
            ("nmsweep-worker", ["--connect", "tcp://127.0.0.1:99999"], "1…65535"),
            ("nmsweep-worker", ["--slots", "0"], "--slots"),
            ("nmsweep", ["report", "--bogus"], "--bogus"),
            ("nmsweep", ["status", "--window", "0"], "--window"),
        ]
        for item in cases {
            let run = try ProcessRunner.run(item.tool, item.arguments, timeout: 30)
            #expect(run.status == 2, "\(item.tool) \(item.arguments): exit \(run.status), \(run.standardError)")
            #expect(run.standardError.contains(item.says), "\(item.tool) \(item.arguments): \(run.standardError)")
        }
    }

    @Test("--version on every binary names the release, the result format and the git revision")
    func version() throws {
        for tool in ["nmsweep", "nmsweep-coordinator", "nmsweep-worker"] {
            let run = try ProcessRunner.run(tool, ["--version"], timeout: 30)
            #expect(run.status == 0, "\(tool): \(run.standardError)")
            #expect(run.standardOutput.hasPrefix("\(tool) 0.") && run.standardOutput.contains("result format ")
                    && run.standardOutput.contains("git "), "\(tool): \(run.standardOutput)")
        }
    }

    @Test("keygen creates the missing folders of its output, mode 0700")
    func keygenFolders() throws {
        let root = NSTemporaryDirectory() + "nmsweep-keygen-\(getpid())"
        try? FileManager.default.removeItem(atPath: root)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = try Self.nmsweep(["keygen", "--output", root + "/keys/workers/node7"])
        #expect(run.status == 0, "\(run.standardError)")
        for folder in [root, root + "/keys", root + "/keys/workers"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: folder)[.posixPermissions] as? NSNumber)?.intValue
            #expect(mode == 0o700, "\(folder): \(String(mode ?? -1, radix: 8))")
        }
        #expect(FileManager.default.fileExists(atPath: root + "/keys/workers/node7.secret"))
    }

    @Test("a worker that cannot reach its coordinator names the address it dials")
    func workerNamesAddress() throws {
        let port = try FaultHarness.freePort()
        let worker = try RunningProcess("nmsweep-worker", ["--connect", "tcp://127.0.0.1:\(port)", "--slots", "1"])
        let named = worker.waitForOutput(containing: "coordinator at tcp://127.0.0.1:\(port) silent", timeout: 20)
        worker.signal(SIGTERM)
        let outcome = worker.finish(timeout: 10)
        #expect(named, "\(outcome.standardError.suffix(1000))")
        #expect(outcome.standardError.contains("dialling the coordinator at tcp://127.0.0.1:\(port)"), "\(outcome.standardError.suffix(1000))")
    }

    // MARK: 6. the live line

    /// What a terminal shows of each line: the text after the last carriage-return-and-erase.
    static func visibleLines(_ text: String) -> [String] {
        text.components(separatedBy: "\n").map { line in
            line.components(separatedBy: "\r\u{1B}[2K").last ?? line
        }
    }

    @Test("the live line: log lines (the coordinator's and its workers') never glued to it; elapsed shown; no ETA without a rate")
    func liveLine() throws {
        let url = try PostgresTestServer.freshDatabaseURL("liveline")
        let run = try ProcessRunner.run("nmsweep-coordinator", [
            "--noop-cells", "12", "--noop-sleep-ms", "700", "--name", "line", "--database", url, "--bind", "tcp://127.0.0.1:*",
            "--local-workers", "2", "--worker-slots", "2", "--progress", "line", "--heartbeat-ms", "200",
        ], timeout: 60)
        #expect(run.status == 0, "\(run.standardError.suffix(2000))")
        let visible = Self.visibleLines(run.standardError)
        let logLines = visible.filter { $0.range(of: "^20[0-9]{2}-", options: .regularExpression) != nil }
        #expect(logLines.contains { $0.contains("nmsweep.worker") }, "worker log lines pass through: \(visible)")
        let statusLines = visible.filter { $0.range(of: "^[0-9]+/12 done, ", options: .regularExpression) != nil }
        #expect(!statusLines.isEmpty, "\(visible)")
        for line in visible where !statusLines.contains(line) {
            #expect(line.isEmpty || line.range(of: "^20[0-9]{2}-|^nmsweep-coordinator: ", options: .regularExpression) != nil,
                    "every other visible line is a whole log line: \(line)")
        }
        for line in statusLines {
            #expect(!line.contains("nmsweep."), "a log line glued to the status line: \(line)")
            #expect(line.contains("elapsed "), "\(line)")
            if line.contains("rate –") { #expect(line.contains("ETA –") || line.contains("ETA 0s"), "an ETA without a rate: \(line)") }
            #expect(!line.contains(" 0 cells/s"), "\(line)")
        }
        // Raw: every log line starts right after a newline or after the line was erased.
        for (index, line) in run.standardError.components(separatedBy: "\n").enumerated() {
            if let range = line.range(of: "[0-9]{4}-[0-9]{2}-[0-9]{2}T", options: .regularExpression) {
                let before = line[..<range.lowerBound]
                #expect(before.isEmpty || before.hasSuffix("\r\u{1B}[2K"), "line \(index): \(line.debugDescription)")
            }
        }
    }

    @Test("after Ctrl-C the report is labelled partial and the exact resume command is printed")
    func partialAfterInterrupt() throws {
        let url = try PostgresTestServer.freshDatabaseURL("partial")
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--noop-cells", "40", "--noop-sleep-ms", "400", "--name", "partial", "--database", url, "--bind", "tcp://127.0.0.1:*",
            "--local-workers", "1", "--worker-slots", "2", "--progress", "log", "--log-interval-s", "0.2",
        ])
        #expect(eventually(timeout: 30) { (Self.progressLines(coordinator.standardError).last?.done ?? 0) >= 4 })
        coordinator.signal(SIGINT)
        let outcome = coordinator.finish(timeout: 30)
        #expect(outcome.status == 3, "\(outcome.standardError.suffix(2000))")
        #expect(outcome.standardOutput.contains("PARTIAL: stopped by a signal with "), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("to resume, run the same command again"), "\(outcome.standardOutput)")
        #expect(outcome.standardOutput.contains("--noop-cells 40 --noop-sleep-ms 400 --name partial"), "\(outcome.standardOutput)")
        #expect(!outcome.standardOutput.contains(url) || !url.contains(":"), "the resume command may hold a password: none is printed")
    }
}
