public import SweepKit
import Foundation
import Postgres

/// Where a sweep stands: cells by state, throughput, ETA, failures.
///
/// While a coordinator runs the sweep, ``live`` holds its own counters (written once a second):
/// cells by state as its scheduler sees them (leases included, which the `cells` table does not
/// track), the workers it hears, and the rate and ETA of its live progress line. Without one,
/// the counts come from the database and nothing moves, so there is no ETA.
public struct SweepStatus: Sendable {
    public var sweep: SweepRecord
    /// Cells by state in the database (a cell with a result is done).
    public var cells: [StoredCellState: Int]
    /// Cells per second: the coordinator's estimate while it runs; else results over the sweep's
    /// own recent time (at most `window` seconds back from its last result).
    public var throughput: Double
    public var window: Double
    /// Seconds until the remaining cells are done; nil when nothing moves.
    public var etaSeconds: Double?
    /// Failed cells by grid point (`grid_cells`), newest failure first.
    public var failed: [SweepCell]
    /// The coordinator's live row (see ``LiveStatus``), nil if none was ever written.
    public var live: LiveStatus?

    public var total: Int { cells.values.reduce(0, +) }
    public var remaining: Int { (cells[.queued] ?? 0) + (cells[.leased] ?? 0) }
    /// Whether a coordinator is running this sweep now.
    public var isRunning: Bool { live?.isLive ?? false }
}

extension SweepDatabase {
    /// The status of a sweep: the live coordinator's counters when one runs, else the database's.
    public func status(of sweep: SweepRecord, window: Double = 300) throws -> SweepStatus {
        let cells = try cellCounts(sweepID: sweep.id)
        let live = try liveStatus(sweepID: sweep.id)
        var status = SweepStatus(sweep: sweep, cells: cells, throughput: 0, window: window, etaSeconds: nil,
                                 failed: try failedCells(sweepID: sweep.id), live: live)
        if let live, live.isLive {
            status.throughput = live.rate ?? 0
            status.etaSeconds = live.etaSeconds
        } else {
            // Nothing runs: what its last stretch of work achieved, over its own time, not a fixed window.
            let row = try connection.query("""
                SELECT count(*), extract(epoch FROM max(r.finished_at) - min(r.finished_at))::float8
                FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key
                WHERE sc.sweep_id = $1
                  AND r.finished_at > (SELECT max(r2.finished_at) FROM sweep_cells s2 JOIN results r2 ON r2.cell_key = s2.cell_key
                                       WHERE s2.sweep_id = $1) - make_interval(secs => $2::float8)
                """, sweep.id, window)[0]
            let count = try row.decode(0, as: Int.self)
            let span = try row.decode(1, as: Double?.self) ?? 0
            status.throughput = count > 1 && span > 0 ? Double(count - 1) / span : 0
        }
        return status
    }
}

/// Plain-text renderings of statuses and sweep lists.
public enum StatusRenderer {
    public static func render(_ status: SweepStatus, workers: [WorkerRecord], aliveWithin: Double) -> String {
        let live = status.live.flatMap { $0.isLive ? $0 : nil }
        let done = live?.done ?? status.cells[.done] ?? 0
        let total = live?.total ?? status.total
        let state = live != nil ? "running" : (status.sweep.state == .running ? "not running: its coordinator stopped" : status.sweep.state.rawValue)
        var out = "Sweep \"\(status.sweep.name)\" (\(state)): \(done)/\(total) cells done\n"
        if let live {
            out += "  coordinator: pid \(live.pid) on \(live.host), workers connect to \(live.endpoint), "
                + String(format: "last heard %.1f s ago", live.secondsSinceHeartbeat ?? 0) + " (\(live.version))\n"
            out += "  cells: waiting for a model \(live.waiting), queued \(live.queued), leased \(live.leased), "
                + "committing \(live.committing), done \(live.done), failed \(live.failed)\n"
            for wait in live.commandWaits {
                let tags = wait.requires.isEmpty ? "" : " and --tags \(wait.requires.joined(separator: ","))"
                out += "  waiting for a capable worker: \(wait.cells) command cell\(wait.cells == 1 ? "" : "s") need a worker with --allow-commands\(tags); no connected worker has it\n"
            }
            out += "  elapsed \(duration(live.elapsedSeconds)), \(live.doneThisRun) cells done in this run, "
            if let rate = live.rate { out += String(format: "%.3g cells/s", rate) } else { out += "no rate yet (no cell done in this run)" }
            let remaining = live.total - live.done - live.failed
            if remaining == 0 { out += ", nothing left to run" } else if let eta = live.etaSeconds { out += ", ETA \(duration(eta))" } else { out += ", ETA unknown until a cell is done" }
            out += "\n"
            let known = Dictionary(workers.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            out += "  workers connected: \(live.workers.count) (running \(live.leased) cells)\n"
            for w in live.workers {
                let record = known[w.id]
                out += "    \(w.id)" + (record.map { " on \($0.host), \($0.slots) slots, \($0.version)" } ?? "")
                    + ", running \(w.leased) cell\(w.leased == 1 ? "" : "s")\n"
            }
        } else {
            if let last = status.live {
                let ago = last.secondsSinceHeartbeat.map { duration($0) + " ago" } ?? "at an unknown time"
                out += "  coordinator: none running (the last, pid \(last.pid) on \(last.host), was last heard \(ago)"
                    + (last.ended ? ", and ended)" : ", and did not end cleanly)") + "\n"
            } else {
                out += "  coordinator: none running\n"
            }
            out += "  cells: " + StoredCellState.allCases.map { "\($0.rawValue) \(status.cells[$0] ?? 0)" }.joined(separator: ", ") + "\n"
            if status.remaining == 0 {
                out += "  nothing left to run\n"
            } else {
                out += "  \(status.remaining) cells left; nothing runs them until a coordinator starts (the same command resumes)"
                if status.throughput > 0 { out += String(format: "; its last run made %.3g cells/s", status.throughput) }
                out += "\n"
            }
            let alive = workers.filter { ($0.secondsSinceSeen ?? .infinity) <= aliveWithin }
            out += "  workers heard within \(Int(aliveWithin)) s: \(alive.count) of \(workers.count) known\n"
            for w in alive {
                let seen = w.secondsSinceSeen.map { String(format: "%.1f s ago", $0) } ?? "never"
                out += "    \(w.id) on \(w.host), \(w.slots) slots, \(w.version), last heard \(seen)\n"
            }
        }
        if !status.failed.isEmpty {
            out += "  failed cells (\(status.failed.count)):\n"
            for f in status.failed {
                out += "    \(f.point) (\(f.key.prefix(12))), \(f.attempts) attempt(s): \(f.lastError ?? "no error recorded")\n"
            }
        }
        return out
    }

    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        return "\(s / 3600) h \((s % 3600) / 60) min"
    }
}
