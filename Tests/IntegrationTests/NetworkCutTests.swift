import Foundation
import Postgres
import SweepStore
import Testing
import TestSupport

/// Issue 6, fault 4: the network between a worker and the coordinator cut and restored.
///
/// Two network namespaces joined by a veth pair: the coordinator host (coordinator + one local
/// worker, the one that keeps working) and the worker host (one `nmsweep-worker` over TCP). The
/// test's private PostgreSQL stays in the root namespace; the coordinator reaches it through its
/// unix socket, a file, which crosses namespaces. Mid-sweep the worker host's end of the cable is
/// set down for 3 s (five times the 600 ms liveness), then up again.
@Suite("A worker's network cut and restored (network namespaces, as root)",
       .enabled(if: NetworkNamespace.isAvailable, "needs root and `ip netns add` (Linux network namespaces, veth pairs)"))
struct NetworkCutTests {
    static let cells = 60
    static let sleepMilliseconds = 400
    static let cutSeconds = 3.0

    static func scalar(_ db: SweepDatabase, _ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        try db.connection.query(sql, parameters)[0].decode(0)
    }

    @Test("the cut worker's cells are re-queued and finished; its late results are written once or dropped, never twice")
    func cutAndRestore() throws {
        let coordinatorHost = try NetworkNamespace("coord")
        let workerHost = try NetworkNamespace("cut")
        defer {
            workerHost.delete()
            coordinatorHost.delete()
        }
        let cable = try NetworkNamespace.link(coordinatorHost, workerHost, subnet: "10.77.0")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-netcut-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let url = try PostgresTestServer.freshDatabaseURL("netcut")
        // A fixed port is free: the namespace has a port space of its own.
        let endpoint = "tcp://\(cable.a.address):5555"

        let coordinator = try RunningProcess(in: coordinatorHost, "nmsweep-coordinator", [
            "--noop-cells", String(Self.cells), "--noop-sleep-ms", String(Self.sleepMilliseconds), "--name", "cut",
            "--database", url, "--bind", endpoint, "--local-workers", "1", "--worker-slots", "2",
            "--heartbeat-ms", "200", "--liveness", "3", "--progress", "log",
        ])
        let remote = try RunningProcess(in: workerHost, "nmsweep-worker", [
            "--connect", endpoint, "--slots", "2", "--cache-dir", scratch + "/cache", "--grace-ms", "2000",
        ])
        defer {
            remote.killAndWait()
            coordinator.killAndWait()
        }
        let started = Date()
        // The remote worker's routing id is `host-pid-random`; `ip netns exec` execs, so pid is its own.
        let remoteID = "%-\(remote.pid)-%"
        let db = try SweepDatabase(url: url)

        // Cut once the remote worker has delivered results (so it is registered and holds leases).
        let working = try eventually(timeout: 30) {
            try Self.scalar(db, "SELECT count(*) FROM results WHERE worker_id LIKE $1", remoteID) >= 2
        }
        try #require(working, "the remote worker delivered no results: \(remote.standardError.suffix(1500)) \(coordinator.standardError.suffix(1500))")
        let doneAtCut = try Self.scalar(db, "SELECT count(*) FROM results")
        try workerHost.setLink(cable.b.device, up: false)
        let cutAt = Date()

        let lost = try eventually(timeout: 10) {
            try Self.scalar(db, "SELECT count(*) FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1", remoteID) >= 1
        }
        #expect(lost, "the coordinator did not declare the cut worker lost within 10 s")
        let lostAfter = try db.connection.query("""
            SELECT extract(epoch FROM min(at))::float8 FROM events WHERE kind = 'worker_lost' AND worker_id LIKE $1
            """, [remoteID])[0].decode(0, as: Double?.self).map { $0 - cutAt.timeIntervalSince1970 }

        usleep(UInt32(max(0, Self.cutSeconds - Date().timeIntervalSince(cutAt)) * 1_000_000))
        try workerHost.setLink(cable.b.device, up: true)
        let restoredAt = Date()
        let doneAtRestore = try Self.scalar(db, "SELECT count(*) FROM results")

        // The worker reconnects by itself (its back-off is at most 5 s) and registers again: the
        // coordinator, which forgot it when it was declared lost, logs it joining a second time.
        let rejoined = eventually(timeout: 20) {
            coordinator.standardError.split(separator: "\n").filter { $0.contains("joined") && $0.contains("-\(remote.pid)-") }.count >= 2
        }
        let rejoinedAfter = Date().timeIntervalSince(restoredAt)
        #expect(rejoined, "the cut worker did not rejoin: \(remote.standardError.suffix(1500))")

        let outcome = coordinator.finish(timeout: 60)
        let total = Date().timeIntervalSince(started)
        #expect(outcome.status == 0, "\(outcome.standardError.suffix(3000))")
        #expect(outcome.standardOutput.contains("sweep cut: \(Self.cells)/\(Self.cells) done, 0 failed"), "\(outcome.standardOutput)")
        // Each cell's result written once: a second write of a late result would count here.
        #expect(outcome.standardOutput.contains("\(Self.cells) results committed"), "\(outcome.standardOutput)")
        let remoteOutcome = remote.finish(timeout: 20)
        #expect(remoteOutcome.status == 0, "\(remoteOutcome.standardError.suffix(1500))")

        #expect(try Self.scalar(db, "SELECT count(*) FROM results") == Self.cells)
        #expect(try Self.scalar(db, "SELECT count(DISTINCT cell_key) FROM results") == Self.cells)

        // The cells the cut worker held: queued again when its liveness ran out.
        let requeued = try Self.scalar(db, """
            SELECT count(DISTINCT cell_key) FROM events WHERE kind = 'cell_requeued' AND message LIKE $1
            """, remoteID)
        #expect(requeued >= 1, "the cut worker held no cells when it was declared lost")
        // Of those, the ones whose single result came from the cut worker after its return (its late
        // result, re-sent after the new WELCOME, was the first to arrive) and the ones finished by the
        // other worker (then the late result was acknowledged without a write).
        let lateAccepted = try Self.scalar(db, """
            SELECT count(*) FROM results r
            WHERE r.worker_id LIKE $1 AND r.cell_key IN (
                SELECT cell_key FROM events WHERE kind = 'cell_requeued' AND message LIKE $1)
            """, remoteID)
        let resent = remote.standardError.split(separator: "\n").compactMap { line -> Int? in
            // The worker's line: "resending N unacknowledged results".
            guard line.contains("unacknowledged results"), let range = line.range(of: "resending ") else { return nil }
            return Int(line[range.upperBound...].prefix { $0.isNumber })
        }.reduce(0, +)
        #expect(resent >= 1, "the cut worker re-sent no results after the cut: \(remote.standardError.suffix(1500))")

        let lostText = lostAfter.map { String(format: "%.2f", $0) } ?? "?"
        print("""
            network cut: \(Self.cells) no-op cells of \(Self.sleepMilliseconds) ms, heartbeat 200 ms × liveness 3; \
            cut after \(String(format: "%.2f", cutAt.timeIntervalSince(started))) s with \(doneAtCut) results in, \
            worker declared lost \(lostText) s after the cut, link down \(String(format: "%.2f", restoredAt.timeIntervalSince(cutAt))) s \
            (\(doneAtRestore - doneAtCut) results meanwhile from the other worker), rejoined \(String(format: "%.2f", rejoinedAfter)) s \
            after the restore; \(requeued) cells re-queued, \(resent) results re-sent by the cut worker, \(lateAccepted) of the \
            re-queued cells written from the cut worker after its return, \(requeued - lateAccepted) finished by the other worker; \
            results \(Self.cells) rows = \(Self.cells) distinct keys; sweep done \(String(format: "%.2f", total)) s after start
            """)
    }
}
