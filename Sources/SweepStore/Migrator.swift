public import Postgres

/// Brings a database up to the schema of this binary: applies pending migrations, in order.
///
/// Safe under concurrency: the whole run holds a session advisory lock, so of two processes starting
/// together one migrates and the other then finds nothing to do. Each migration runs in its own
/// transaction together with its row in `schema_migrations`, so it is applied entirely or not at
/// all, and never twice. An applied migration whose text has since changed is refused.
public struct Migrator: Sendable {
    /// The advisory lock key (`pg_advisory_lock(bigint)`): "nmsweep" in ASCII, as a number.
    public static let lockKey: Int64 = 0x6E_6D_73_77_65_65_70

    public let migrations: [Migration]

    public init(migrations: [Migration] = Migration.all) {
        self.migrations = migrations
    }

    /// What ``migrate(_:)`` did.
    public struct Outcome: Sendable, Equatable {
        /// Versions applied by this call, in order.
        public var applied: [Int]
        /// The schema version afterwards.
        public var version: Int
    }

    /// Applies every pending migration; returns which ones it applied (none: the database was current).
    @discardableResult
    public func migrate(_ connection: PostgresConnection) throws -> Outcome {
        try connection.execute("SELECT pg_advisory_lock($1)", Self.lockKey)
        defer { _ = try? connection.execute("SELECT pg_advisory_unlock($1)", Self.lockKey) }
        try connection.runScript("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                checksum   text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        var applied = [Int: String]()
        for row in try connection.query("SELECT version, checksum FROM schema_migrations", []) {
            applied[try row.decode(0, as: Int.self)] = try row.decode(1, as: String.self)
        }
        var done = [Int]()
        for migration in migrations.sorted(by: { $0.version < $1.version }) {
            let checksum = try connection.query(
                "SELECT encode(sha256(convert_to($1, 'UTF8')), 'hex')", migration.sql)[0].decode(0, as: String.self)
            if let recorded = applied[migration.version] {
                guard recorded == checksum else {
                    throw SweepStoreError(
                        .migration,
                        "migration \(migration.fileName) was applied with different text (checksum \(recorded.prefix(12))…, this binary has \(checksum.prefix(12))…)",
                        hint: "never edit a released migration; add a new numbered file in sql/")
                }
                continue
            }
            do {
                try connection.transaction { c in
                    try c.runScript(migration.sql)
                    try c.execute(
                        "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
                        migration.version, migration.name, checksum)
                }
            } catch {
                throw SweepStoreError(.migration, "migration \(migration.fileName) failed", underlying: error)
            }
            done.append(migration.version)
        }
        let version = try connection.query("SELECT coalesce(max(version), 0) FROM schema_migrations", [])[0].decode(0, as: Int.self)
        return Outcome(applied: done, version: version)
    }
}
