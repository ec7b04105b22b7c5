public import SweepKit
import Postgres

extension SweepDatabase {
    /// Every cell of a sweep that is not plain `queued` with no attempts, in one query: what the
    /// coordinator rebuilds its ``Scheduler`` from. A cell is `done` when a result exists (evaluate
    /// cells) or it was marked done (pretrain cells, whose `artifact` is the SHA-256 of their model,
    /// from the `artifact_stored` event). Cost: one scan of the sweep's cells joined with results.
    public func runtimeCellStates(sweepID: Int64) throws -> [PersistedCell] {
        try connection.query("""
            SELECT c.key,
                   CASE WHEN r.cell_key IS NOT NULL THEN 'done' ELSE c.state END,
                   c.attempts, c.last_error,
                   (SELECT e.detail->>'sha256' FROM events e
                     WHERE e.cell_key = c.key AND e.kind = 'artifact_stored' ORDER BY e.id DESC LIMIT 1)
            FROM sweep_cells sc JOIN cells c ON c.key = sc.cell_key LEFT JOIN results r ON r.cell_key = c.key
            WHERE sc.sweep_id = $1 AND (r.cell_key IS NOT NULL OR c.state <> 'queued' OR c.attempts > 0)
            """, sweepID).compactMap { row in
            let hex: String = try row.decode(0)
            // The schema allows 16–128 digits; only 64 name a grid's cell, which the scheduler knows.
            guard let key = CellKey(hex: hex) else { return nil }
            return PersistedCell(key: key, state: StoredCellState(rawValue: try row.decode(1)) ?? .queued,
                                 attempts: try row.decode(2), lastError: try row.decode(3, as: String?.self),
                                 artifact: try row.decode(4, as: String?.self))
        }
    }

    /// Records where a cell stands after an attempt ended without a result (requeued or failed),
    /// or that a pretrain cell is done: state, attempts so far and the last error.
    public func recordCellOutcome(_ key: String, state: StoredCellState, attempts: Int, error: String?) throws {
        let n = try connection.execute("""
            UPDATE cells SET state = $2, attempts = $3, last_error = coalesce($4, last_error),
                   lease_owner = NULL, lease_expires_at = NULL, updated_at = now()
            WHERE key = $1
            """, key, state.rawValue, attempts, error)
        guard n == 1 else { throw SweepStoreError(.notFound, "no cell with key \(key)") }
    }

    /// Of these artifact hashes, the ones stored.
    public func storedArtifacts(among hashes: [String]) throws -> Set<String> {
        guard !hashes.isEmpty else { return [] }
        var found: Set<String> = []
        for row in try connection.query("SELECT hash FROM artifacts WHERE hash = ANY(string_to_array($1, ','))",
                                         hashes.joined(separator: ",")) {
            found.insert(try row.decode(0))
        }
        return found
    }
}
