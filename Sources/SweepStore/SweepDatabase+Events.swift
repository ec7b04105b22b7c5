import Postgres

extension SweepDatabase {
    /// Appends an event to the log and returns its id.
    ///
    /// - Parameter detail: JSON text, or nil.
    @discardableResult
    public func recordEvent(kind: String, sweepID: Int64? = nil, cellKey: String? = nil, workerID: String? = nil,
                            message: String = "", detail: String? = nil) throws -> Int64 {
        try connection.query("""
            INSERT INTO events (kind, sweep_id, cell_key, worker_id, message, detail)
            VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING id
            """, kind, sweepID, cellKey, workerID, message, detail)[0].decode(0)
    }

    /// The latest events (of a sweep, or all), oldest first among the `limit` newest.
    public func events(sweepID: Int64? = nil, limit: Int = 100) throws -> [EventRecord] {
        try connection.query("""
            SELECT * FROM (
                SELECT id, at::text, kind, sweep_id, cell_key, worker_id, message, detail::text FROM events
                WHERE $1::bigint IS NULL OR sweep_id = $1 ORDER BY id DESC LIMIT $2
            ) latest ORDER BY id
            """, sweepID, limit).map { row in
            EventRecord(id: try row.decode(0), at: try row.decode(1), kind: try row.decode(2),
                        sweepID: try row.decode(3, as: Int64?.self), cellKey: try row.decode(4, as: String?.self),
                        workerID: try row.decode(5, as: String?.self), message: try row.decode(6),
                        detail: try row.decode(7, as: String?.self))
        }
    }
}
