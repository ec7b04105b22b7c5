import Foundation
import Postgres
import SweepStore
import Testing
import TestSupport

/// Real processes: `nmsweep-coordinator` with `--local-workers 2` (real `nmsweep-worker`s over TCP
/// loopback) and a private PostgreSQL; no-op cells so the suite runs in seconds.
@Suite("No-op sweeps through the real coordinator and workers")
struct NoopSweepTests {
    static func coordinator(_ database: String, name: String, cells: Int, extra: [String] = []) throws -> ProcessRunner.Outcome {
        try ProcessRunner.run("nmsweep-coordinator", [
            "--noop-cells", String(cells), "--name", name, "--database", database, "--bind", "tcp://127.0.0.1:*",
            "--local-workers", "2", "--worker-slots", "4", "--progress", "quiet", "--heartbeat-ms", "200",
        ] + extra, timeout: 60)
    }

    static func scalar(_ db: SweepDatabase, _ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        try db.connection.query(sql, parameters)[0].decode(0)
    }

    @Test("200 cells, 2 workers: one result row per cell; again: nothing reruns; extended: only the new cells run")
    func completeRerunExtend() throws {
        let url = try PostgresTestServer.freshDatabaseURL("noop")
        let first = try Self.coordinator(url, name: "s", cells: 200)
        #expect(first.status == 0, "\(first.standardError.suffix(2000))")
        #expect(first.standardOutput.contains("200/200 done, 0 failed, 200 assigned"), "\(first.standardOutput)")

        let db = try SweepDatabase(url: url)
        let sweep = try db.requireSweep(named: "s")
        #expect(try db.resultCount(sweepID: sweep.id) == 200)
        #expect(try Self.scalar(db, "SELECT count(*) FROM results") == 200)
        #expect(try Self.scalar(db, "SELECT count(DISTINCT cell_key) FROM results") == 200)
        let seeds = try Self.scalar(db, "SELECT count(DISTINCT seed) FROM results WHERE task = 'noop'")
        #expect(seeds == 200)
        let lastFinish: String = try db.connection.query("SELECT max(finished_at)::text FROM results", [])[0].decode(0)

        // The same sweep again: zero assigns, no row touched.
        let again = try Self.coordinator(url, name: "s", cells: 200)
        #expect(again.status == 0, "\(again.standardError.suffix(2000))")
        #expect(again.standardOutput.contains("200/200 done, 0 failed, 0 assigned, 0 results committed"), "\(again.standardOutput)")
        let lastFinishAgain: String = try db.connection.query("SELECT max(finished_at)::text FROM results", [])[0].decode(0)
        #expect(lastFinishAgain == lastFinish)
        let assignedAgain = try Self.scalar(db, """
            SELECT (detail->>'assigned')::int FROM events WHERE kind = 'sweep_finished' AND sweep_id = $1 ORDER BY id DESC LIMIT 1
            """, sweep.id)
        #expect(assignedAgain == 0)

        // Extended to 260 cells: only the 60 new ones run.
        let extended = try Self.coordinator(url, name: "s", cells: 260)
        #expect(extended.status == 0, "\(extended.standardError.suffix(2000))")
        #expect(extended.standardOutput.contains("260/260 done, 0 failed, 60 assigned, 60 results committed"), "\(extended.standardOutput)")
        #expect(try Self.scalar(db, "SELECT count(*) FROM results") == 260)
        #expect(try Self.scalar(db, "SELECT count(*) FROM results WHERE finished_at <= $1::timestamptz", lastFinish) == 200)
    }

    @Test("a cell whose attempts all fail is failed after max_attempts; the others finish; exit 1")
    func failingCell() throws {
        let url = try PostgresTestServer.freshDatabaseURL("fault")
        let run = try Self.coordinator(url, name: "f", cells: 40, extra: ["--noop-fault", "5:error", "--max-attempts", "2"])
        #expect(run.status == 1, "\(run.standardError.suffix(2000))")
        #expect(run.standardOutput.contains("39/40 done, 1 failed"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("injected error (no-op cell 5)"))

        let db = try SweepDatabase(url: url)
        #expect(try Self.scalar(db, "SELECT count(*) FROM results") == 39)
        let failed = try db.connection.query("SELECT attempts, last_error FROM cells WHERE state = 'failed'", [])
        #expect(failed.count == 1)
        #expect(try failed[0].decode(0, as: Int.self) == 2)
        #expect(try failed[0].decode(1, as: String.self).contains("injected error"))
    }

    @Test("a non-retryable failure fails the cell at its first attempt")
    func nonRetryable() throws {
        let url = try PostgresTestServer.freshDatabaseURL("nonfinite")
        let run = try Self.coordinator(url, name: "n", cells: 20, extra: ["--noop-fault", "3:nonFinite"])
        #expect(run.status == 1, "\(run.standardError.suffix(2000))")
        #expect(run.standardOutput.contains("19/20 done, 1 failed, 20 assigned"), "\(run.standardOutput)")
    }

    @Test("a worker that crashes: its cell is failed after its attempt (max_attempts 1), the other worker finishes the rest")
    func crashingWorker() throws {
        let url = try PostgresTestServer.freshDatabaseURL("crash")
        let run = try Self.coordinator(url, name: "c", cells: 30, extra: ["--noop-fault", "4:crash", "--max-attempts", "1", "--worker-slots", "1"])
        #expect(run.status == 1, "\(run.standardError.suffix(2000))")
        #expect(run.standardOutput.contains("29/30 done, 1 failed"), "\(run.standardOutput)")
        #expect(run.standardError.contains("silent for") || run.standardError.contains("its connection is gone"), "the crashed worker is declared lost")
        let db = try SweepDatabase(url: url)
        #expect(try Self.scalar(db, "SELECT count(*) FROM results") == 29)
        #expect(try Self.scalar(db, "SELECT count(*) FROM events WHERE kind = 'worker_lost'") >= 1)
    }

    @Test("a bad grid file: exit 2 naming the file and line")
    func badGrid() throws {
        let path = NSTemporaryDirectory() + "bad-grid-\(getpid()).yaml"
        try "noise_ratios: [0, 2]\ntasks: [fmnist]\nmethods: [lp]\nseeds: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try ProcessRunner.run("nmsweep-coordinator", ["--grid", path, "--database", "postgresql://invalid.invalid/x"])
        #expect(run.status == 2)
        #expect(run.standardError.contains(path))
    }
}
