import Foundation
import Postgres
import SweepHTTP
import SweepStore
import Testing
import TestSupport

/// The coordinator's HTTP side (docs/http.md) on real processes: `nmsweep-coordinator --http` with a
/// local worker and a second worker started apart with its own `--http` /metrics, a private
/// PostgreSQL, a real headless Chromium loading the page, and a strict Prometheus text parser.
///
/// The sweep is 600 no-op cells of 60 ms whose last one stalls its slot (fault `stall`), so the
/// run first moves (the page must see its progress change) and then holds still at 599 done and
/// 1 running, where the page, the JSON API, `/metrics` and the database must agree exactly.
@Suite("The live page, JSON API and /metrics of a running sweep", .serialized)
struct DashboardTests {
    static let cells = 600

    static func freePort() throws -> Int { try HTTPAddress.freeLoopbackPort() }

    /// The text of the element with `id` in a dumped DOM.
    static func text(ofID id: String, in dom: String) -> String? {
        guard let range = dom.range(of: "id=\"\(id)\"") else { return nil }
        let after = dom[range.upperBound...]
        guard let open = after.firstIndex(of: ">"), let close = after[open...].firstIndex(of: "<") else { return nil }
        return String(after[after.index(after: open)..<close])
    }

    /// The value of `data-NAME` on the body.
    static func bodyData(_ name: String, in dom: String) -> Int? {
        guard let range = dom.range(of: "data-\(name)=\"") else { return nil }
        return Int(dom[range.upperBound...].prefix { $0 != "\"" })
    }

    /// SIGTERM (its stalled cell never reports: the grace periods end the run and its local worker).
    static func stop(_ coordinator: RunningProcess) {
        coordinator.signal(SIGTERM)
        _ = coordinator.finish(timeout: 30)
    }

    static func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    /// Every key path of a JSON value (arrays contribute their elements' keys), to compare field names.
    static func keyPaths(_ value: Any, prefix: String = "") -> Set<String> {
        if let object = value as? [String: Any] {
            return object.reduce(into: Set<String>()) { paths, entry in
                paths.insert(prefix + entry.key)
                paths.formUnion(keyPaths(entry.value, prefix: prefix + entry.key + "."))
            }
        }
        if let array = value as? [Any] { return array.reduce(into: Set<String>()) { $0.formUnion(keyPaths($1, prefix: prefix + "[].")) } }
        return []
    }

    @Test("a real browser shows the sweep move; page, API, /metrics and the database agree", .enabled(if: HeadlessChromium.path != nil, Comment(rawValue: HeadlessChromium.missing)))
    func livePage() throws {
        let url = try PostgresTestServer.freshDatabaseURL("dashboard")
        let (zmqPort, httpPort, workerHTTPPort) = (try Self.freePort(), try Self.freePort(), try Self.freePort())
        let base = "http://127.0.0.1:\(httpPort)"
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--noop-cells", String(Self.cells), "--noop-sleep-ms", "60", "--noop-fault", "\(Self.cells - 1):stall",
            "--name", "live", "--database", url, "--bind", "tcp://127.0.0.1:\(zmqPort)", "--local-workers", "1",
            "--worker-slots", "2", "--progress", "quiet", "--heartbeat-ms", "200", "--shutdown-grace-ms", "300",
            "--http", "127.0.0.1:\(httpPort)", "--worker-argument=--grace-ms", "--worker-argument=300",
        ])
        defer { Self.stop(coordinator) }
        #expect(coordinator.waitForOutput(containing: "live page at \(base)/", timeout: 60), "\(coordinator.standardError.suffix(2000))")
        let worker = try RunningProcess("nmsweep-worker", ["--connect", "tcp://127.0.0.1:\(zmqPort)", "--slots", "2", "--grace-ms", "300",
                                                            "--http", "127.0.0.1:\(workerHTTPPort)"])
        defer { worker.killAndWait() }

        // Both workers connected and cells done: then the browser loads the page while the sweep moves.
        func status() throws -> [String: Any] {
            let reply = try HTTPGet.fetch(base + "/api/status")
            guard reply.status == 200 else { return [:] }
            return try Self.json(reply.body) as? [String: Any] ?? [:]
        }
        func cells(_ s: [String: Any]) -> [String: Int] { s["cells"] as? [String: Int] ?? [:] }
        #expect(try eventually(timeout: 60) {
            let s = try status()
            return (s["workers"] as? [Any])?.count == 2 && (cells(s)["done"] ?? 0) > 20
        }, "\(coordinator.standardError.suffix(2000))")
        let moving = try HeadlessChromium.dumpDOM(base + "/", virtualMilliseconds: 120_000)
        let firstDone = try #require(Self.bodyData("first-done", in: moving), "\(moving.prefix(3000))")
        let lastDone = try #require(Self.bodyData("last-done", in: moving))
        #expect(lastDone > firstDone, "the page saw no progress: \(firstDone) → \(lastDone)")
        #expect((Self.bodyData("polls", in: moving) ?? 0) >= 2)

        // Still: 599 done, the stalled cell running. The test's own reads refresh the page's database answers.
        let db = try SweepDatabase(url: url)
        let sweep = try db.requireSweep(named: "live")
        #expect(try eventually(timeout: 90) { try db.resultCount(sweepID: sweep.id) == Self.cells - 1 })
        var still: [String: Any] = [:]
        #expect(try eventually(timeout: 30) {
            still = try status()
            let results = (still["workers"] as? [[String: Any]] ?? []).compactMap { $0["results"] as? Int }.reduce(0, +)
            return cells(still)["done"] == Self.cells - 1 && cells(still)["leased"] == 1 && results == Self.cells - 1
        }, "\(still)")
        let dbDone = try db.resultCount(sweepID: sweep.id)

        let dom = try HeadlessChromium.dumpDOM(base + "/", virtualMilliseconds: 5_000)
        #expect(Self.text(ofID: "done", in: dom) == String(dbDone))
        #expect(Self.text(ofID: "cells-done", in: dom) == String(dbDone))
        #expect(Self.text(ofID: "total", in: dom) == String(Self.cells))
        #expect(Self.text(ofID: "cells-leased", in: dom) == "1")
        #expect(Self.text(ofID: "cells-failed", in: dom) == "0")
        #expect(dom.components(separatedBy: "<tr data-worker=").count - 1 == 2, "worker rows: \(dom)")
        let perWorker = try db.connection.query("""
            SELECT r.worker_id, count(*) FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key
            WHERE sc.sweep_id = $1 GROUP BY 1 ORDER BY 1
            """, [sweep.id]).map { (try $0.decode(0, as: String.self), try $0.decode(1, as: Int.self)) }
        #expect(perWorker.count == 2)
        for (id, count) in perWorker {
            // The worker's row shows its id, state and results as the database counts them.
            #expect(dom.contains("<tr data-worker=\"\(id)\" class=\"connected\"><td>\(id)</td><td class=\"state\">connected</td>"), "\(id)")
            #expect(dom.contains("<td>\(count)</td>"), "results of \(id): \(count)")
        }
        let shots = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-dashboard-test")
        try FileManager.default.createDirectory(at: shots, withIntermediateDirectories: true)
        let png = shots.appendingPathComponent("live-page.png").path
        try HeadlessChromium.screenshot(base + "/", to: png, virtualMilliseconds: 3_000)
        #expect((try FileManager.default.attributesOfItem(atPath: png)[.size] as? Int ?? 0) > 10_000)
        print("DashboardTests: screenshot of the live page at \(png)")

        // The JSON API and `nmsweep status --format json` use the same field names.
        let cli = try ProcessRunner.run("nmsweep", ["status", "--sweep", "live", "--format", "json", "--database", url])
        #expect(cli.status == 0, "\(cli.standardError)")
        let cliDocument = try #require((try Self.json(cli.standardOutput) as? [Any])?.first)
        #expect(Self.keyPaths(cliDocument) == Self.keyPaths(still), "\(Self.keyPaths(cliDocument).symmetricDifference(Self.keyPaths(still)))")
        #expect((cliDocument as? [String: Any]).flatMap { $0["cells"] as? [String: Int] }?["total"] == Self.cells)
        let workers = try Self.json(try HTTPGet.fetch(base + "/api/workers").body) as? [String: Any]
        #expect((workers?["workers"] as? [Any])?.count == 2)
        let report = try HTTPGet.fetch(base + "/api/report?format=json")
        #expect(report.status == 200)
        #expect((try Self.json(report.body) as? [String: Any])?["grid_cells"] != nil)
        #expect(try HTTPGet.fetch(base + "/api/report?format=csv").status == 400)

        // /metrics, parsed strictly, against the database.
        let metrics = try PrometheusText(try HTTPGet.fetch(base + "/metrics").body)
        #expect(metrics.value("nmsweep_results_committed_total") == Double(dbDone))
        #expect(metrics.value("nmsweep_cells", ["state": "done"]) == Double(dbDone))
        #expect(metrics.value("nmsweep_cells", ["state": "leased"]) == 1)
        #expect(metrics.value("nmsweep_cells", ["state": "failed"]) == 0)
        #expect(metrics.value("nmsweep_workers_connected") == 2)
        #expect(metrics.value("nmsweep_store_backlog") == 0)
        #expect(metrics.value("nmsweep_bad_frames_total") == 0)
        #expect(metrics.value("nmsweep_cells_assigned_total") == Double(Self.cells))
        #expect(metrics.value("nmsweep_assign_to_result_seconds_count", ["kind": "evaluate"]) == Double(dbDone))
        #expect((metrics.value("nmsweep_result_commit_seconds_count") ?? 0) >= 1)
        #expect(metrics.families["nmsweep_result_commit_seconds"]?.type == "histogram")

        // The worker's own /metrics: its finished cells are its rows in the database.
        let mine = try #require(perWorker.first { $0.0.contains("-\(worker.pid)-") }, "\(perWorker)")
        let workerMetrics = try PrometheusText(try HTTPGet.fetch("http://127.0.0.1:\(workerHTTPPort)/metrics").body)
        #expect(workerMetrics.value("nmsweep_worker_cells_total", ["outcome": "finished"]) == Double(mine.1))
        #expect(workerMetrics.value("nmsweep_worker_cell_seconds_count") == Double(mine.1))
    }

    @Test("beyond loopback a token is required; with one, data needs it and the page's files do not")
    func token() throws {
        let url = try PostgresTestServer.freshDatabaseURL("dashtoken")
        let open = try ProcessRunner.run("nmsweep-coordinator", ["--noop-cells", "5", "--database", url, "--http", "0.0.0.0:0"])
        #expect(open.status == 2)
        #expect(open.standardError.contains("--http-token-file"), "\(open.standardError)")

        let secret = "s3cret-token-of-the-dashboard-test"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("nmsweep-token-\(UUID().uuidString)").path
        try (secret + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let port = try Self.freePort()
        let coordinator = try RunningProcess("nmsweep-coordinator", [
            "--noop-cells", "40", "--noop-sleep-ms", "50", "--noop-fault", "39:stall", "--name", "token", "--database", url,
            "--bind", "tcp://127.0.0.1:*", "--local-workers", "1", "--worker-slots", "2", "--progress", "quiet",
            "--shutdown-grace-ms", "300", "--http", "127.0.0.1:\(port)", "--http-token-file", file,
            "--worker-argument=--grace-ms", "--worker-argument=300",
        ])
        defer { Self.stop(coordinator) }
        let base = "http://127.0.0.1:\(port)"
        #expect(coordinator.waitForOutput(containing: "live page at \(base)/#token=", timeout: 60), "\(coordinator.standardError.suffix(2000))")
        #expect(try eventually(timeout: 30) { try HTTPGet.fetch(base + "/api/status", token: secret).status == 200 })
        #expect(try HTTPGet.fetch(base + "/api/status").status == 401)
        #expect(try HTTPGet.fetch(base + "/api/status", token: secret + "x").status == 401)
        #expect(try HTTPGet.fetch(base + "/api/status", token: String(secret.dropLast())).status == 401)
        #expect(try HTTPGet.fetch(base + "/metrics").status == 401)
        #expect(try HTTPGet.fetch(base + "/metrics", token: secret).status == 200)
        let page = try HTTPGet.fetch(base + "/")
        #expect(page.status == 200)
        #expect(page.body.contains("<script src=\"dashboard.js\">"))
        #expect(try HTTPGet.fetch(base + "/dashboard.js").body.contains("Authorization"))
    }
}
