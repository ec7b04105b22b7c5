import Postgres

extension SweepDatabase {
    static let sweepColumns = "id, name, grid, canonical_grid::text, state"

    static func sweep(from row: PostgresRow) throws -> SweepRecord {
        let state = try row.decode(4, as: String.self)
        return SweepRecord(
            id: try row.decode(0), name: try row.decode(1), grid: try row.decode(2), canonicalGrid: try row.decode(3),
            state: SweepRecord.State(rawValue: state) ?? .pending)
    }

    /// The sweep called `name`, created if new. Idempotent: submitting the same name again returns the
    /// same sweep, with its grid texts replaced by these (a grid that grew keeps its id and its cells).
    ///
    /// - Parameter canonicalGrid: JSON text.
    /// - Returns: the sweep, and whether this call created it.
    @discardableResult
    public func createSweep(name: String, grid: String, canonicalGrid: String) throws -> (sweep: SweepRecord, created: Bool) {
        guard !name.isEmpty else { throw SweepStoreError(.invalidArgument, "a sweep name cannot be empty") }
        let rows = try connection.query("""
            INSERT INTO sweeps (name, grid, canonical_grid) VALUES ($1, $2, $3::jsonb)
            ON CONFLICT (name) DO UPDATE SET grid = EXCLUDED.grid, canonical_grid = EXCLUDED.canonical_grid, updated_at = now()
            RETURNING \(Self.sweepColumns), (xmax = 0) AS created
            """, name, grid, canonicalGrid)
        return (try Self.sweep(from: rows[0]), try rows[0].decode(5, as: Bool.self))
    }

    /// The sweep called `name`, or nil.
    public func sweep(named name: String) throws -> SweepRecord? {
        let rows = try connection.query("SELECT \(Self.sweepColumns) FROM sweeps WHERE name = $1", name)
        return try rows.first.map(Self.sweep(from:))
    }

    /// The sweep called `name`, or a `.notFound` error that lists the sweeps there are.
    public func requireSweep(named name: String) throws -> SweepRecord {
        if let sweep = try sweep(named: name) { return sweep }
        let names = try connection.query("SELECT name FROM sweeps ORDER BY id", []).map { try $0.decode(0, as: String.self) }
        throw SweepStoreError(.notFound, "no sweep named \"\(name)\"",
                              hint: names.isEmpty ? "the database has no sweeps yet" : "sweeps: \(names.joined(separator: ", "))")
    }

    /// Every sweep, oldest first.
    public func sweeps() throws -> [SweepRecord] {
        try connection.query("SELECT \(Self.sweepColumns) FROM sweeps ORDER BY id", []).map(Self.sweep(from:))
    }

    /// Sets a sweep's state (`finished_at` is set on done, failed or cancelled).
    public func setSweepState(_ sweepID: Int64, _ state: SweepRecord.State) throws {
        let n = try connection.execute("""
            UPDATE sweeps SET state = $2, updated_at = now(),
                   finished_at = CASE WHEN $2 IN ('done', 'failed', 'cancelled') THEN now() ELSE NULL END
            WHERE id = $1
            """, sweepID, state.rawValue)
        guard n == 1 else { throw SweepStoreError(.notFound, "no sweep with id \(sweepID)") }
    }
}
