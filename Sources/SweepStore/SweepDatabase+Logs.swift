import Postgres

/// The log of one attempt of a command cell (`cell_logs`, an artifact of kind `command-log`).
public struct CellLogRecord: Sendable, Equatable {
    public var cellKey: String
    public var attempt: Int
    /// The log's artifact (hex SHA-256) and size in bytes.
    public var artifact: String
    public var bytes: Int64
    public var workerID: String?
    /// When it was linked, as the database prints it.
    public var createdAt: String
}

extension SweepDatabase {
    /// The command logs of cells whose key starts with `cellPrefix` (every cell with logs when
    /// nil), of the sweep `sweepID` when given, in key and attempt order.
    public func cellLogs(sweepID: Int64?, cellPrefix: String?, attempt: Int? = nil) throws -> [CellLogRecord] {
        let rows = try connection.query("""
            SELECT l.cell_key, l.attempt, l.artifact, a.size, l.worker_id, l.created_at::text
            FROM cell_logs l JOIN artifacts a ON a.hash = l.artifact
            WHERE ($1::text IS NULL OR starts_with(l.cell_key, $1))
              AND ($2::bigint IS NULL OR EXISTS (SELECT 1 FROM sweep_cells s WHERE s.sweep_id = $2 AND s.cell_key = l.cell_key))
              AND ($3::integer IS NULL OR l.attempt = $3)
            ORDER BY l.cell_key, l.attempt
            """, cellPrefix, sweepID, attempt.map(Int32.init))
        return try rows.map {
            CellLogRecord(cellKey: try $0.decode(0), attempt: Int(try $0.decode(1, as: Int32.self)), artifact: try $0.decode(2),
                          bytes: try $0.decode(3), workerID: try $0.decode(4), createdAt: try $0.decode(5))
        }
    }
}
