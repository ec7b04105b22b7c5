import ArgumentParser
import SweepStore

/// `nmsweep sweeps`: every sweep with its state and progress.
struct SweepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweeps", abstract: "List the sweeps with their state and progress.")
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = try store.open()
        let table = try wrap {
            TextTable(title: "Sweeps", headers: ["sweep", "state", "done", "cells", "progress", "failed"], rows: try db.sweeps().map { sweep in
                let counts = try db.cellCounts(sweepID: sweep.id)
                let total = counts.values.reduce(0, +)
                let done = counts[.done] ?? 0
                let progress = total == 0 ? "—" : String(format: "%.1f %%", 100 * Double(done) / Double(total))
                return [sweep.name, sweep.state.rawValue, String(done), String(total), progress, String(counts[.failed] ?? 0)]
            })
        }
        print(table.rows.isEmpty ? "no sweeps yet" : table.plainText, terminator: table.rows.isEmpty ? "\n" : "")
    }
}
