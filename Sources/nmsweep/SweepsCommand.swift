import ArgumentParser
import SweepStore

/// `nmsweep sweeps`: every sweep with its state and progress.
///
/// A sweep whose coordinator runs shows that coordinator's counts (written once a second); one
/// marked running whose coordinator is gone shows `stopped`.
struct SweepsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sweeps", abstract: "List the sweeps with their state and progress.")
    @OptionGroup var store: StoreOptions

    func run() throws {
        let db = try store.open()
        let table = try wrap {
            TextTable(title: "Sweeps", headers: ["sweep", "state", "done", "cells", "progress", "running", "failed"], rows: try db.sweeps().map { sweep in
                let live = try db.liveStatus(sweepID: sweep.id).flatMap { $0.isLive ? $0 : nil }
                let counts = try db.cellCounts(sweepID: sweep.id)
                let total = live?.total ?? counts.values.reduce(0, +)
                let done = live?.done ?? counts[.done] ?? 0
                let failed = live?.failed ?? counts[.failed] ?? 0
                let state = live != nil ? "running" : (sweep.state == .running ? "stopped" : sweep.state.rawValue)
                let progress = total == 0 ? "—" : String(format: "%.1f %%", 100 * Double(done) / Double(total))
                return [sweep.name, state, String(done), String(total), progress, live.map { String($0.leased) } ?? "0", String(failed)]
            })
        }
        print(table.rows.isEmpty ? "no sweeps yet" : table.plainText, terminator: table.rows.isEmpty ? "\n" : "")
    }
}
