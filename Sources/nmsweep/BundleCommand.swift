import ArgumentParser
import SweepStore

/// `nmsweep export --sweep NAME --out DIR`: a sweep as a bundle of CSV files and a manifest.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a sweep (grid, cells, results with timings, events) as CSV files with a SHA-256 manifest.",
        discussion: "Load it into another database with `nmsweep import DIR`; the reports there equal this database's.")
    @Option(help: "The sweep to export.")
    var sweep: String
    @Option(help: "The folder to write (created if missing; files of the same names are replaced).")
    var out: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = try store.open()
        let summary = try wrap { try db.exportSweep(named: sweep, to: out) }
        print("exported sweep \(summary.sweep) to \(out): \(summary.cells) cells, \(summary.results) results, "
              + "\(summary.events) events (\(summary.bytes) bytes; manifest.json holds each file's SHA-256)")
    }
}

/// `nmsweep import DIR`: loads a bundle written by `nmsweep export`, idempotently.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load a sweep bundle written by `nmsweep export` (checked against its manifest's SHA-256; importing twice changes nothing).")
    @Argument(help: "The bundle's folder.")
    var directory: String
    @OptionGroup var store: StoreOptions

    func run() throws {
        // Unlike the reading commands, import may create the embedded database: it brings data.
        let db = try wrap { try store.location.open() }
        let s = try wrap { try db.importSweep(from: directory) }
        print("imported sweep \(s.sweep) (\(s.sweepCreated ? "new here" : "already here")): \(s.newCells) of \(s.cells) cells, "
              + "\(s.newResults) of \(s.results) results, \(s.newEvents) of \(s.events) events were new")
    }
}
