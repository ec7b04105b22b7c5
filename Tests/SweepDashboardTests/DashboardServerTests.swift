import Foundation
import Logging
import SweepCoordinator
import SweepDashboard
import SweepHTTP
import SweepStore
import Testing
import TestSupport

/// The page and API in process, on a real socket, fed a ``StatusBoard`` by hand and a database
/// that cannot be opened: what comes from the snapshot is served, what needs the database says so.
@Suite("The dashboard's HTTP side in process")
struct DashboardServerTests {
    static func snapshot(done: Int) -> CoordinatorSnapshot {
        var live = LiveStatus(host: "h", pid: 42, endpoint: "tcp://127.0.0.1:5555", version: "nmsweep-coordinator test",
                              startedAt: 1_700_000_000, intervalMilliseconds: 250)
        live.total = 100
        live.done = done
        live.failed = 1
        live.leased = 3
        live.queued = 100 - done - 1 - 3
        live.workers = [LiveStatus.Worker(id: "w-1", leased: 3)]
        var s = CoordinatorSnapshot(sweep: "unit", sweepID: 7, live: live, takenAt: Date().timeIntervalSince1970)
        s.workers = [CoordinatorSnapshot.Worker(id: "w-1", slots: 4, running: 3, credit: 1, secondsSinceHeartbeat: 0.2)]
        s.failures = [CoordinatorSnapshot.Failure(cell: String(repeating: "ab", count: 32), attempts: 3, error: "injected <error>")]
        return s
    }

    struct NoDatabase: Error, CustomStringConvertible { var description: String { "no database in this test" } }

    /// The page and API on `address` for `board`, with a database that cannot be opened.
    static func start(_ board: StatusBoard, on address: HTTPAddress = HTTPAddress(host: "127.0.0.1", port: 0)) throws(SweepHTTPError) -> HTTPServer {
        try Dashboard.start(address: address, token: nil, board: board, metrics: nil, openDatabase: { throw NoDatabase() },
                            logger: Logger(label: "test"))
    }

    @Test("status and workers from the snapshot (database fields null), events 503, 503 before the first snapshot, the page's files")
    func fromSnapshot() throws {
        let board = StatusBoard(sweep: "unit")
        let server = try Self.start(board)
        defer { server.stop() }
        let base = server.address.url
        #expect(server.address.port != 0)
        #expect(try HTTPGet.fetch(base + "/api/status").status == 503)

        board.publish(Self.snapshot(done: 10))
        let reply = try HTTPGet.fetch(base + "/api/status")
        #expect(reply.status == 200)
        #expect(reply.headers["content-type"] == "application/json")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any])
        #expect(document["sweep"] as? String == "unit")
        #expect(document["state"] as? String == "running")
        let cells = try #require(document["cells"] as? [String: Int])
        #expect(cells == ["total": 100, "done": 10, "failed": 1, "leased": 3, "queued": 86, "waiting": 0, "committing": 0])
        let progress = try #require(document["progress"] as? [String: Any])
        #expect(progress["rate"] is NSNull, "a rate unknown is null, not missing")
        let workers = try #require(document["workers"] as? [[String: Any]])
        #expect(workers.count == 1)
        #expect(workers[0]["id"] as? String == "w-1")
        #expect(workers[0]["results"] is NSNull)
        #expect(workers[0]["running"] as? Int == 3)
        let failures = try #require(document["failures"] as? [[String: Any]])
        #expect(failures.first?["error"] as? String == "injected <error>")

        board.publish(Self.snapshot(done: 20))
        let later = try JSONSerialization.jsonObject(with: Data(try HTTPGet.fetch(base + "/api/status").body.utf8)) as? [String: Any]
        #expect((later?["cells"] as? [String: Int])?["done"] == 20, "a new snapshot is served at once")
        #expect(try HTTPGet.fetch(base + "/api/workers").body.contains("\"w-1\""))
        let events = try HTTPGet.fetch(base + "/api/events")
        #expect(events.status == 503)
        #expect(events.body.contains("no database in this test"))
        #expect(try HTTPGet.fetch(base + "/metrics").status == 404, "no /metrics without a backend")

        let page = try HTTPGet.fetch(base + "/")
        #expect(page.status == 200)
        #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
        #expect(!page.body.contains("http://") && !page.body.contains("https://"), "no CDN: the page loads nothing from elsewhere")
        let script = try HTTPGet.fetch(base + "/dashboard.js")
        #expect(script.body.contains("/api/status"))
        #expect(!script.body.contains("http://") && !script.body.contains("https://"))
        #expect(try HTTPGet.fetch(base + "/dashboard.css").status == 200)
    }

    @Test("a port in use is refused with the address named")
    func portInUse() throws {
        let board = StatusBoard(sweep: "unit")
        let first = try Self.start(board)
        defer { first.stop() }
        do {
            let second = try Self.start(board, on: first.address)
            second.stop()
            Issue.record("a second server on \(first.address) started")
        } catch {
            #expect(error.description.contains("127.0.0.1:\(first.address.port)"), "\(error)")
        }
    }
}
