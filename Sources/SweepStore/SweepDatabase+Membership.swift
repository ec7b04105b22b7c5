import Postgres

/// What left a sweep when its grid lost points (see ``SweepDatabase/retainCells(sweepID:keys:)``).
public struct DroppedCells: Sendable, Equatable {
    public var pretrain = 0
    public var evaluate = 0
    /// Of the evaluate cells dropped, how many have a result (kept in `results` for history and
    /// for other sweeps that share the cell).
    public var withResults = 0
    public var total: Int { pretrain + evaluate }
    public init() {}
}

extension SweepDatabase {
    /// Makes the sweep's membership (`sweep_cells`) exactly `keys`: cells no longer in its grid
    /// leave the sweep, so reports, `status` and `sweeps` follow the grid as it is now. The cells
    /// themselves, their results and their artifacts stay (other sweeps may share them, and
    /// putting the points back needs no rerun). One COPY and one DELETE in a transaction.
    ///
    /// - Returns: what was dropped.
    @discardableResult
    public func retainCells(sweepID: Int64, keys: [String]) throws -> DroppedCells {
        try connection.transaction { c in
            try c.execute("CREATE TEMP TABLE IF NOT EXISTS cells_retained (key text PRIMARY KEY) ON COMMIT DELETE ROWS")
            try c.copyFrom("COPY cells_retained (key) FROM STDIN") { writer in
                for key in Set(keys) {
                    writer.append(key)
                    try writer.endRow()
                }
            }
            var dropped = DroppedCells()
            for row in try c.query("""
                WITH gone AS (
                    DELETE FROM sweep_cells sc WHERE sc.sweep_id = $1
                      AND NOT EXISTS (SELECT 1 FROM cells_retained k WHERE k.key = sc.cell_key)
                    RETURNING sc.cell_key)
                SELECT c.kind, count(*), count(r.cell_key)
                FROM gone g JOIN cells c ON c.key = g.cell_key LEFT JOIN results r ON r.cell_key = g.cell_key
                GROUP BY c.kind
                """, sweepID) {
                let kind = try row.decode(0, as: String.self)
                let count = try row.decode(1, as: Int.self)
                if kind == "pretrain" { dropped.pretrain += count } else { dropped.evaluate += count }
                dropped.withResults += try row.decode(2, as: Int.self)
            }
            return dropped
        }
    }
}
