import Foundation
import NoisyCore
import Postgres
import SweepStore
import Testing
import TestSupport
import StudyData

/// Issue 7, "several hosts, tested on one machine": three network namespaces joined by veth pairs.
///
/// - host A (`10.77.1.1` towards B, `10.77.2.1` towards C): the embedded PostgreSQL, started inside A
///   (`nmsweep db start`), so it listens on A's own loopback; the coordinator, bound to `tcp://*:5555`
///   and reaching PostgreSQL over A's loopback TCP (`DATABASE_URL`);
/// - host B (`10.77.1.2`) and host C (`10.77.2.2`): one `nmsweep-worker` each, connected over TCP to
///   A's address on its cable, with a cache folder of its own (models travel through the
///   coordinator and PostgreSQL, not a shared folder) and the shared data folder.
///
/// The real quick grid (3 pre-trainings, 36 evaluate cells) runs across them; its result rows and
/// report views must equal, as text, those of a one-host run (`--local-workers 2` in the root
/// namespace into another fresh database). docs/multihost.md does the same by hand.
@Suite("Three hosts on one machine (network namespaces, as root)",
       .enabled(if: NetworkNamespace.isAvailable, "needs root and `ip netns add` (Linux network namespaces, veth pairs)"))
struct MultiHostTests {
    /// grids/quick.yaml (39 cells), or the grid file named by `NMSWEEP_MULTIHOST_GRID` (relative to
    /// the repository), e.g. `grids/test-tiny.yaml` for a run of seconds instead of minutes.
    static let grid: String = {
        let chosen = ProcessInfo.processInfo.environment["NMSWEEP_MULTIHOST_GRID"] ?? ""
        if chosen.isEmpty { return GridDeterminismTests.repositoryRoot + "/grids/quick.yaml" }
        return chosen.hasPrefix("/") ? chosen : GridDeterminismTests.repositoryRoot + "/" + chosen
    }()
    static var isQuickGrid: Bool { grid.hasSuffix("/grids/quick.yaml") }

    /// The "D/T done, F failed" of a coordinator's summary line.
    static func summary(_ output: String) -> String? {
        output.range(of: #"[0-9]+/[0-9]+ done, [0-9]+ failed"#, options: .regularExpression).map { String(output[$0]) }
    }

    /// Every row of a view (`task_results`, `spectrum_summary`) as PostgreSQL prints it, in a fixed
    /// order: equal text means equal bits (float8 prints the shortest text that round-trips).
    static func viewTable(_ url: String, _ view: String) throws -> [String] {
        let db = try SweepDatabase(url: url)
        return try db.connection.query("SELECT v::text FROM \(view) v ORDER BY 1", []).map { try $0.decode(0, as: String.self) }
    }

    /// The distinct worker ids of the result rows.
    static func resultWorkers(_ url: String) throws -> [String] {
        let db = try SweepDatabase(url: url)
        return try db.connection.query("SELECT DISTINCT worker_id FROM results ORDER BY 1", []).map { try $0.decode(0, as: String.self) }
    }

    /// User + system CPU seconds of this process's finished children (and theirs).
    static func childrenCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// Number of cached model artifacts (`<cache>/artifacts/<sha256>.bin`) of a worker.
    static func artifactCount(_ cache: String) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache + "/artifacts")) ?? []).filter { $0.hasSuffix(".bin") }.count
    }

    @Test("the quick grid (or NMSWEEP_MULTIHOST_GRID) on a coordinator host and two worker hosts over TCP equals a one-host run")
    func threeHostsEqualOneHost() throws {
        let data = DataCatalog.defaultDirectory()
        try DataStore.verify(data)
        let hostA = try NetworkNamespace("a"), hostB = try NetworkNamespace("b"), hostC = try NetworkNamespace("c")
        defer {
            hostC.delete()
            hostB.delete()
            hostA.delete()
        }
        let toB = try NetworkNamespace.link(hostA, hostB, subnet: "10.77.1")
        let toC = try NetworkNamespace.link(hostA, hostC, subnet: "10.77.2")

        // The scratch folder must be enterable by PostgreSQL's unprivileged cluster user.
        let scratch = "/tmp/nmsweep-multihost-\(getpid())"
        try? FileManager.default.removeItem(atPath: scratch)
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        defer { try? FileManager.default.removeItem(atPath: scratch) }

        // PostgreSQL on host A: started inside A, so its 127.0.0.1 is A's loopback.
        let state = scratch + "/state"
        let server = EmbeddedPostgres(stateDirectory: state)
        let clock = Date()
        let started = try hostA.run("nmsweep", ["db", "start", "--state-dir", state], timeout: 120)
        defer { _ = try? server.stop() }
        try #require(started.status == 0, "nmsweep db start in host A: \(started.standardError)")
        let endpoint = try #require(try server.status(), "the embedded PostgreSQL of host A is not running")
        let databaseSeconds = Date().timeIntervalSince(clock)

        // Both sweeps run at once (each on 2 single-slot workers): on the shared 2-core machine this
        // keeps the test's wall time near its CPU time ÷ 2 instead of the sum of two runs.
        let cpuBefore = Self.childrenCPUSeconds()
        let sweepClock = Date()
        // The coordinator reaches PostgreSQL over TCP on A's loopback; the URL (with its password)
        // goes through the environment, not the command line.
        let coordinator = try RunningProcess(in: hostA, "nmsweep-coordinator", [
            "--grid", Self.grid, "--bind", "tcp://*:5555", "--progress", "log",
        ], environment: ["DATABASE_URL": endpoint.url()])
        let workers = try [(hostB, toB), (hostC, toC)].map { host, cable in
            try RunningProcess(in: host, "nmsweep-worker", [
                "--connect", "tcp://\(cable.a.address):5555", "--slots", "1",
                "--cache-dir", "\(scratch)/cache-\(cable.b.address)", "--data-dir", data,
            ])
        }
        // The same grid on one host: two local workers in the root namespace, another fresh database.
        let oneURL = try PostgresTestServer.freshDatabaseURL("onehost")
        let oneHost = try RunningProcess("nmsweep-coordinator", [
            "--grid", Self.grid, "--database", oneURL, "--bind", "tcp://127.0.0.1:*", "--local-workers", "2",
            "--worker-slots", "1", "--progress", "quiet", "--worker-argument=--cache-dir=\(scratch)/cache-one",
        ])
        defer {
            oneHost.killAndWait()
            for worker in workers { worker.killAndWait() }
            coordinator.killAndWait()
        }
        // Note when each ends (generous limit: on the shared machine the pair has taken up to 4.5 min).
        var multiEnd: Date?, oneEnd: Date?
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline, multiEnd == nil || oneEnd == nil {
            if multiEnd == nil, !coordinator.isRunning { multiEnd = Date() }
            if oneEnd == nil, !oneHost.isRunning { oneEnd = Date() }
            usleep(100_000)
        }
        let multi = coordinator.finish(timeout: 1)
        let multiSeconds = (multiEnd ?? Date()).timeIntervalSince(sweepClock)
        #expect(multi.status == 0, "\(multi.standardError.suffix(3000))")
        if Self.isQuickGrid {
            #expect(multi.standardOutput.contains("39/39 done, 0 failed"), "\(multi.standardOutput.prefix(2000))")
        }
        for worker in workers {
            let outcome = worker.finish(timeout: 20)
            #expect(outcome.status == 0, "\(outcome.standardError.suffix(1500))")
        }
        let one = oneHost.finish(timeout: 1)
        let oneSeconds = (oneEnd ?? Date()).timeIntervalSince(sweepClock)
        #expect(one.status == 0, "\(one.standardError.suffix(3000))")
        let cpuSeconds = Self.childrenCPUSeconds() - cpuBefore

        // Every result row names one of the two remote workers, and both did work.
        let multiURL = endpoint.socketURL()
        let workerIDs = try Self.resultWorkers(multiURL)
        #expect(workerIDs.count == 2, "results came from \(workerIDs)")
        for worker in workers {
            #expect(workerIDs.contains { $0.contains("-\(worker.pid)-") }, "no result from worker pid \(worker.pid): \(workerIDs)")
        }
        // Models crossed hosts through the coordinator: the caches together hold more than the 3
        // models when a worker fetched one it did not make.
        let cached = [toB, toC].map { Self.artifactCount("\(scratch)/cache-\($0.b.address)") }

        let multiRows = try GridDeterminismTests.resultTable(multiURL), oneRows = try GridDeterminismTests.resultTable(oneURL)
        #expect(Self.summary(multi.standardOutput) != nil && Self.summary(multi.standardOutput) == Self.summary(one.standardOutput),
                "three hosts: \(Self.summary(multi.standardOutput) ?? "no summary"); one host: \(Self.summary(one.standardOutput) ?? "no summary")")
        #expect(Self.summary(multi.standardOutput)?.hasSuffix(" 0 failed") == true)
        #expect(multiRows.count == (Self.isQuickGrid ? 36 : oneRows.count) && !multiRows.isEmpty, "quick.yaml has 36 evaluate cells")
        #expect(multiRows == oneRows)
        for view in ["task_results", "spectrum_summary"] {
            let a = try Self.viewTable(multiURL, view), b = try Self.viewTable(oneURL, view)
            #expect(!a.isEmpty, "\(view) is empty")
            #expect(a == b, "\(view) differs between three hosts and one")
        }
        print("""
            multi-host: \(URL(fileURLWithPath: Self.grid).lastPathComponent), hosts A (coordinator + PostgreSQL) B C (1 slot each): PostgreSQL start \
            \(String(format: "%.1f", databaseSeconds)) s, sweep \(String(format: "%.1f", multiSeconds)) s; at the same time one host \
            (2 local workers × 1 slot) \(String(format: "%.1f", oneSeconds)) s; CPU of both \(String(format: "%.0f", cpuSeconds)) s; \
            artifacts in the caches of B, C: \(cached); \(multiRows.count) result rows equal
            """)
    }
}
