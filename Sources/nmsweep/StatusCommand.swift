import ArgumentParser
import SweepStore

/// `nmsweep status`: cells by state, workers, throughput, ETA and failures.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show cells by state, live workers, throughput, ETA and failed cells.",
        discussion: "While a coordinator runs the sweep, its own counters (written once a second) are shown: leases, workers, and the rate and ETA of its live line.")
    @OptionGroup var store: StoreOptions

    @Option(help: "The sweep to show (default: every sweep).")
    var sweep: String?

    @Option(help: "A worker silent longer than this many seconds is shown as not alive.")
    var aliveWithin: Double = 30

    @Option(help: "With no coordinator running: seconds before the sweep's last result over which its last throughput is measured.")
    var window: Double = 300

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output: text, or json (an array with one object per sweep; the fields of the coordinator's /api/status, docs/http.md).")
    var format: Format = .text

    func validate() throws {
        guard window > 0 else { throw ValidationError("--window must be positive, got \(window)") }
    }

    func run() throws {
        let db = try store.open()
        try wrap {
            let sweeps = try sweep.map { [try db.requireSweep(named: $0)] } ?? db.sweeps()
            let workers = try db.workers()
            if format == .json {
                let documents = try sweeps.map { StatusDocument(try db.status(of: $0, window: window), workers: workers, aliveWithin: aliveWithin) }
                print(JSONText.of(documents, pretty: true))
                return
            }
            if sweeps.isEmpty { print("no sweeps yet") }
            for s in sweeps {
                print(StatusRenderer.render(try db.status(of: s, window: window), workers: workers, aliveWithin: aliveWithin))
            }
        }
    }
}
