import Foundation
import Postgres
import SweepStore
import TestSupport
import Testing

/// `SweepOwnership` (migration 7) against a real server: the lock, the owner row, leases.
@Suite struct OwnershipStoreTests {
    @Test func oneSessionOwnsASweepAndTheLockGoesWithIt() throws {
        let url = try PostgresTestServer.freshDatabaseURL("own")
        let db = try SweepDatabase(url: url)
        let sweep = try db.createSweep(name: "owned", grid: "g", canonicalGrid: "{}").sweep
        let first = SweepOwnership(connection: try PostgresConnection(url: url))
        let second = SweepOwnership(connection: try PostgresConnection(url: url))
        #expect(try first.claim(sweepID: sweep.id, host: "h1", pid: 11, endpoint: "tcp://a:1", startedAt: 1_000) == nil)
        #expect(try first.holds(sweepID: sweep.id))
        let refusal = try #require(try second.claim(sweepID: sweep.id, host: "h2", pid: 22, endpoint: "", startedAt: 2_000))
        #expect(refusal.pid == 11 && refusal.host == "h1" && refusal.endpoint == "tcp://a:1")
        #expect(try !second.holds(sweepID: sweep.id))
        // Another sweep is another lock.
        let other = try db.createSweep(name: "other", grid: "g", canonicalGrid: "{}").sweep
        #expect(try second.claim(sweepID: other.id, host: "h2", pid: 22, endpoint: "", startedAt: 2_000) == nil)
        // The first session ends (a killed coordinator): the second takes the sweep at once.
        first.connection.close()
        #expect(eventually(timeout: 5) { (try? second.claim(sweepID: sweep.id, host: "h2", pid: 22, endpoint: "", startedAt: 2_000)) == .some(nil) })
        #expect(try second.owner(sweepID: sweep.id)?.pid == 22)
        try second.release(sweepID: sweep.id)
        #expect(try !second.holds(sweepID: sweep.id))
    }

    @Test func leasesArePersistedReadBackAndExpire() throws {
        let url = try PostgresTestServer.freshDatabaseURL("lease")
        let db = try SweepDatabase(url: url)
        let sweep = try db.createSweep(name: "leased", grid: "g", canonicalGrid: "{}").sweep
        let ownership = SweepOwnership(connection: try PostgresConnection(url: url))
        let k1 = String(repeating: "a", count: 64), k2 = String(repeating: "b", count: 64)
        try ownership.recordLeases(sweepID: sweep.id, worker: "w-1", leases: [(100, k1, 1), (101, k2, 2)], validForMilliseconds: 60_000)
        try ownership.recordLeases(sweepID: sweep.id, worker: "w-2", leases: [(102, k1, 3)], validForMilliseconds: 1)
        #expect(throws: SweepStoreError.self) {
            try ownership.recordLeases(sweepID: sweep.id, worker: "w-3", leases: [(103, "NOT-A-KEY", 1)], validForMilliseconds: 1_000)
        }
        usleep(20_000)
        let valid = try ownership.validLeases(sweepID: sweep.id).sorted { $0.lease < $1.lease }
        #expect(valid.map(\.lease) == [100, 101])
        #expect(valid.map(\.cellKey) == [k1, k2] && valid.map(\.worker) == ["w-1", "w-1"] && valid.map(\.attempt) == [1, 2])
        #expect(valid.allSatisfy { $0.remainingMilliseconds > 50_000 && $0.remainingMilliseconds <= 60_000 })
        #expect(try FaultHarness.scalar(db.connection, "SELECT count(*)::int FROM sweep_leases") == 1, "the expired row was deleted")
    }
}
