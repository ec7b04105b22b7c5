import Postgres

extension SweepDatabase {
    /// Records a worker's hello or heartbeat: inserted the first time, `host`/`slots`/`version` and
    /// `last_seen` (server clock) updated after.
    public func upsertWorker(_ worker: WorkerRecord) throws {
        try connection.execute("""
            INSERT INTO workers (id, host, slots, version) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, slots = EXCLUDED.slots,
                                           version = EXCLUDED.version, last_seen = now()
            """, worker.id, worker.host, worker.slots, worker.version)
    }

    /// Workers seen within the last `withinSeconds` seconds (all when nil), most recent first.
    public func workers(seenWithinSeconds withinSeconds: Double? = nil) throws -> [WorkerRecord] {
        try connection.query("""
            SELECT id, host, slots, version, first_seen::text, last_seen::text,
                   extract(epoch FROM now() - last_seen)::float8
            FROM workers WHERE $1::float8 IS NULL OR last_seen > now() - make_interval(secs => $1::float8)
            ORDER BY last_seen DESC, id
            """, withinSeconds).map { row in
            var worker = WorkerRecord(id: try row.decode(0), host: try row.decode(1), slots: try row.decode(2), version: try row.decode(3))
            worker.firstSeen = try row.decode(4)
            worker.lastSeen = try row.decode(5)
            worker.secondsSinceSeen = try row.decode(6)
            return worker
        }
    }
}
