public import SweepKit
import Postgres

extension SweepDatabase {
    /// Adds `cells` to a sweep, idempotently and atomically: cells already known (by key, from this
    /// or any sweep) are linked, not duplicated. Returns how many cells were new.
    ///
    /// One COPY into a temporary table, then two `INSERT … ON CONFLICT DO NOTHING`, in one transaction.
    /// A cell's dependency may be in the same batch or already stored.
    @discardableResult
    public func insertCells(_ cells: [NewCell], sweepID: Int64) throws -> Int {
        for cell in cells {
            try Self.checkCellKey(cell.key)
            if let dependency = cell.dependsOn { try Self.checkCellKey(dependency) }
        }
        return try connection.transaction { c in
            try c.execute("""
                CREATE TEMP TABLE IF NOT EXISTS cells_incoming (
                    key text, kind text, spec text, depends_on text) ON COMMIT DELETE ROWS
                """)
            try c.copyFrom("COPY cells_incoming (key, kind, spec, depends_on) FROM STDIN") { writer in
                for cell in cells {
                    writer.append(cell.key)
                    writer.append(cell.kind.rawValue)
                    writer.append(cell.spec)
                    writer.append(cell.dependsOn)
                    try writer.endRow()
                }
            }
            let inserted = try c.execute("""
                INSERT INTO cells (key, kind, spec, depends_on)
                SELECT DISTINCT ON (key) key, kind, spec::jsonb, depends_on FROM cells_incoming ORDER BY key
                ON CONFLICT (key) DO NOTHING
                """)
            try c.execute("""
                INSERT INTO sweep_cells (sweep_id, cell_key) SELECT DISTINCT $1::bigint, key FROM cells_incoming
                ON CONFLICT DO NOTHING
                """, sweepID)
            return inserted
        }
    }

    /// The number of a sweep's cells in each state (states with no cell are 0); a cell with a result is done.
    public func cellCounts(sweepID: Int64) throws -> [StoredCellState: Int] {
        var counts = Dictionary(uniqueKeysWithValues: StoredCellState.allCases.map { ($0, 0) })
        for row in try connection.query("""
            SELECT CASE WHEN r.cell_key IS NOT NULL THEN 'done' ELSE c.state END AS state, count(*)
            FROM sweep_cells sc JOIN cells c ON c.key = sc.cell_key LEFT JOIN results r ON r.cell_key = sc.cell_key
            WHERE sc.sweep_id = $1 GROUP BY 1
            """, sweepID) {
            if let state = StoredCellState(rawValue: try row.decode(0)) { counts[state] = try row.decode(1, as: Int.self) }
        }
        return counts
    }

    /// Sets a cell's state; `error` is kept as its last error (failed cells), attempts grow on `leased`.
    public func setCellState(_ key: String, _ state: StoredCellState, leaseOwner: String? = nil,
                             leaseSeconds: Double? = nil, error: String? = nil) throws {
        let n = try connection.execute("""
            UPDATE cells SET state = $2,
                   attempts = attempts + CASE WHEN $2 = 'leased' THEN 1 ELSE 0 END,
                   lease_owner = CASE WHEN $2 = 'leased' THEN $3 ELSE NULL END,
                   lease_expires_at = CASE WHEN $2 = 'leased' THEN now() + make_interval(secs => $4::float8) ELSE NULL END,
                   last_error = coalesce($5, last_error), updated_at = now()
            WHERE key = $1
            """, key, state.rawValue, leaseOwner, leaseSeconds ?? 0, error)
        guard n == 1 else { throw SweepStoreError(.notFound, "no cell with key \(key)") }
    }

    /// A sweep's failed cells by grid point (task, noise, method, seed, kind) with their attempts and
    /// last error, newest failure first (the `grid_cells` view).
    public func failedCells(sweepID: Int64, limit: Int = 50) throws -> [SweepCell] {
        try connection.query("""
            SELECT cell_key, kind, state, task, task_kind, noise_ratio, method, seed, probe_seed, attempts, last_error
            FROM grid_cells WHERE sweep_id = $1 AND state = 'failed' ORDER BY updated_at DESC, cell_key LIMIT $2
            """, sweepID, limit).map(SweepCell.init(row:))
    }
}
