import Foundation
import Hummingbird
public import Logging
public import SweepCoordinator
public import SweepHTTP
public import SweepStore

/// The coordinator's HTTP side (docs/http.md): the live page, the JSON API and `/metrics`.
///
/// What a request reads: the newest ``CoordinatorSnapshot`` on the ``StatusBoard`` (a lock held
/// for a copy), and, for what the snapshot does not hold, the reader's own database connection
/// with answers kept a few seconds (``DatabaseReader``). Nothing here touches the coordinator's
/// loop, its sockets or its store thread.
public enum Dashboard {
    /// Seconds a database answer is served before it is refreshed: workers' rows and events, the report and plots.
    static let extrasMaxAge = 2.0
    static let reportMaxAge = 5.0

    /// Starts the page and API on `address` (returns once listening).
    ///
    /// - Parameters:
    ///   - token: required on every route but the page's static files; nil on loopback without one.
    ///   - metrics: the process's Prometheus backend, served at `/metrics`; nil = no `/metrics`.
    ///   - openDatabase: opens the HTTP side's own connection (lazily, on its own thread).
    public static func start(address: HTTPAddress, token: BearerToken?, board: StatusBoard, metrics: MetricsExporter?,
                             openDatabase: @escaping @Sendable () throws -> SweepDatabase, logger: Logger) throws(SweepHTTPError) -> HTTPServer {
        let reader = DatabaseReader(open: openDatabase)
        return try HTTPServer.start(address: address, token: token, logger: logger, open: { router in
            router.get("/") { _, _ in asset(DashboardPage.index, type: "text/html; charset=utf-8") }
            router.get("/dashboard.css") { _, _ in asset(DashboardPage.stylesheet, type: "text/css; charset=utf-8") }
            router.get("/dashboard.js") { _, _ in asset(DashboardPage.script, type: "text/javascript; charset=utf-8") }
        }, protected: { router in
            router.get("/api/status") { _, _ in
                guard let snapshot = board.latest else { return notYet() }
                let extras = try? await reader.value("extras", maxAge: extrasMaxAge) { try DatabaseExtras.read($0, sweepID: snapshot.sweepID) }
                return json(JSONText.of(StatusDocument(snapshot: snapshot, extras: extras)))
            }
            router.get("/api/workers") { _, _ in
                guard let snapshot = board.latest else { return notYet() }
                let extras = try? await reader.value("extras", maxAge: extrasMaxAge) { try DatabaseExtras.read($0, sweepID: snapshot.sweepID) }
                return json(JSONText.of(WorkerList(workers: StatusDocument(snapshot: snapshot, extras: extras).workers)))
            }
            router.get("/api/events") { request, _ in
                guard let snapshot = board.latest else { return notYet() }
                let limit = min(500, max(1, request.uri.queryParameters["limit"].flatMap { Int($0) } ?? 50))
                do {
                    let events = try await reader.value("events", maxAge: extrasMaxAge) { try $0.events(sweepID: snapshot.sweepID, limit: 500) }
                    return json(JSONText.of(EventList(events: events.suffix(limit).reversed().map(EventList.Event.init))))
                } catch {
                    return databaseAway(error)
                }
            }
            router.get("/api/report") { request, _ in
                let format = request.uri.queryParameters["format"].map(String.init) ?? "json"
                guard format == "json" else {
                    return text("/api/report serves format=json only (figures: /api/plots/accuracy.svg, /api/plots/spectrum.svg), not format=\(format)\n",
                                status: .badRequest)
                }
                do {
                    let body = try await reader.value("report", maxAge: reportMaxAge) { db in
                        let sweep = try db.requireSweep(named: board.sweep)
                        return try db.reportJSON(sweeps: [sweep], sweepID: sweep.id)
                    }
                    return asset(Array(body.utf8), type: "application/json", cache: false)
                } catch {
                    return databaseAway(error)
                }
            }
            for (name, panels, title) in [("accuracy", [FigureOptions.PanelKind.id, .ood], "accuracy vs. label noise"),
                                          ("spectrum", [.sve, .lsvr], "feature spectrum vs. label noise")] {
                router.get("/api/plots/\(name).svg") { _, _ in
                    do {
                        let svg = try await reader.value("plot-\(name)", maxAge: reportMaxAge) { db in
                            SVGPlot.render(try db.report(sweep: try db.requireSweep(named: board.sweep)),
                                           options: FigureOptions(panels: panels, title: "Sweep \u{201C}\(board.sweep)\u{201D}: \(title)"))
                        }
                        return asset(Array(svg.utf8), type: "image/svg+xml", cache: false)
                    } catch {
                        return databaseAway(error)
                    }
                }
            }
            if let metrics {
                router.get("/metrics") { _, _ in metrics.response() }
            }
        })
    }

    static func asset(_ bytes: [UInt8], type: String, cache: Bool = true) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: cache ? "max-age=60" : "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func json(_ text: String) -> Response { asset(Array(text.utf8), type: "application/json", cache: false) }

    static func text(_ message: String, status: HTTPResponse.Status) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: message)))
    }

    static func notYet() -> Response {
        text("the coordinator has not published its state yet (it is recording the sweep); try again in a second\n", status: .serviceUnavailable)
    }

    static func databaseAway(_ error: any Error) -> Response {
        text("the database did not answer: \(error)\n", status: .serviceUnavailable)
    }
}

/// `/api/workers`: the workers of ``StatusDocument``.
struct WorkerList: ExplicitNullEncodable {
    var workers: [StatusDocument.Worker]
}

/// `/api/events`: the sweep's newest events, newest first.
struct EventList: ExplicitNullEncodable {
    struct Event: ExplicitNullEncodable {
        var id: Int64
        var at: String
        var kind: String
        var cell: String?
        var worker: String?
        var message: String

        init(_ record: EventRecord) {
            id = record.id
            at = record.at
            kind = record.kind
            cell = record.cellKey
            worker = record.workerID
            message = record.message
        }
    }

    var events: [Event]
}
