import Postgres

extension SweepDatabase {
    /// Results of the sweep per worker id (rows of `results` linked to the sweep), for the live
    /// page's worker table. One aggregate over the sweep's results.
    public func resultsPerWorker(sweepID: Int64) throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for row in try connection.query("""
            SELECT r.worker_id, count(*) FROM sweep_cells sc JOIN results r ON r.cell_key = sc.cell_key
            WHERE sc.sweep_id = $1 AND r.worker_id IS NOT NULL GROUP BY r.worker_id
            """, sweepID) {
            counts[try row.decode(0, as: String.self)] = try row.decode(1, as: Int.self)
        }
        return counts
    }

    /// How each worker that left or was lost during the sweep ended, by worker id: `lost` or
    /// `left`, from the newest `worker_lost` / `worker_left` event, at most `limit` workers.
    public func workerDepartures(sweepID: Int64, limit: Int = 200) throws -> [String: String] {
        var departures: [String: String] = [:]
        for row in try connection.query("""
            SELECT DISTINCT ON (worker_id) worker_id, kind FROM events
            WHERE sweep_id = $1 AND kind IN ('worker_lost', 'worker_left') AND worker_id IS NOT NULL
            ORDER BY worker_id, id DESC LIMIT $2
            """, sweepID, limit) {
            departures[try row.decode(0, as: String.self)] = (try row.decode(1, as: String.self)) == "worker_lost" ? "lost" : "left"
        }
        return departures
    }
}
