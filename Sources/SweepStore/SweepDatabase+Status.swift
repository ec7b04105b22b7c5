import Foundation
import Postgres

/// Where a sweep stands: cells by state, throughput, ETA, failures.
public struct SweepStatus: Sendable {
    public var sweep: SweepRecord
    public var cells: [CellState: Int]
    /// Results of this sweep finished in the last `window` seconds, per second.
    public var throughput: Double
    public var window: Double
    /// Seconds until queued and leased cells are done at `throughput`; nil when nothing moves.
    public var etaSeconds: Double?
    /// Failed cells by grid point (`grid_cells`), newest failure first.
    public var failed: [SweepCell]

    public var total: Int { cells.values.reduce(0, +) }
    public var remaining: Int { (cells[.queued] ?? 0) + (cells[.leased] ?? 0) }
}

extension SweepDatabase {
    /// The status of a sweep, with throughput measured over the last `window` seconds of results.
    public func status(of sweep: SweepRecord, window: Double = 300) throws -> SweepStatus {
        let cells = try cellCounts(sweepID: sweep.id)
        let recent = try connection.query("""
            SELECT count(*) FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key
            WHERE sc.sweep_id = $1 AND r.finished_at > now() - make_interval(secs => $2::float8)
            """, sweep.id, window)[0].decode(0, as: Int.self)
        let throughput = Double(recent) / window
        var status = SweepStatus(sweep: sweep, cells: cells, throughput: throughput, window: window,
                                 etaSeconds: nil, failed: try failedCells(sweepID: sweep.id))
        if throughput > 0 { status.etaSeconds = Double(status.remaining) / throughput }
        return status
    }
}

/// Plain-text renderings of statuses and sweep lists.
public enum StatusRenderer {
    public static func render(_ status: SweepStatus, workers: [WorkerRecord], aliveWithin: Double) -> String {
        var out = "Sweep \"\(status.sweep.name)\" (\(status.sweep.state.rawValue)): \(status.cells[.done] ?? 0)/\(status.total) cells done\n"
        out += "  cells: " + CellState.allCases.map { "\($0.rawValue) \(status.cells[$0] ?? 0)" }.joined(separator: ", ") + "\n"
        out += String(format: "  throughput: %.2f cells/s over the last %.0f s", status.throughput, status.window)
        if status.remaining == 0 { out += ", nothing left to run" } else if let eta = status.etaSeconds { out += ", ETA \(duration(eta))" } else if status.remaining > 0 { out += ", ETA unknown (no recent results)" }
        out += "\n"
        let alive = workers.filter { ($0.secondsSinceSeen ?? .infinity) <= aliveWithin }
        out += "  workers alive (heartbeat within \(Int(aliveWithin)) s): \(alive.count) of \(workers.count) known\n"
        for w in workers {
            let seen = w.secondsSinceSeen.map { String(format: "%.1f s ago", $0) } ?? "never"
            out += "    \(w.id) on \(w.host), \(w.slots) slots, v\(w.version), last heartbeat \(seen)\((w.secondsSinceSeen ?? .infinity) <= aliveWithin ? "" : " (silent)")\n"
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
