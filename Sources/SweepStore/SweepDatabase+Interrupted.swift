import Postgres

extension SweepDatabase {
    /// The sweep called `sweepName` when its last run ended without recording its end: its state
    /// is `running` and no `sweep_interrupted` or `sweep_finished` event came after the run began
    /// (a coordinator stopped while the database was away, or killed). `nil` otherwise, or when
    /// there is no such sweep.
    public func unrecordedRun(sweepName: String) throws -> (sweepID: Int64, startedAt: String)? {
        let rows = try connection.query("""
            SELECT s.id, s.updated_at::text FROM sweeps s
            WHERE s.name = $1 AND s.state = 'running'
              AND NOT EXISTS (SELECT 1 FROM events e WHERE e.sweep_id = s.id
                              AND e.kind IN ('sweep_interrupted', 'sweep_finished') AND e.at >= s.updated_at)
            """, sweepName)
        guard let row = rows.first else { return nil }
        return (try row.decode(0), try row.decode(1))
    }
}
