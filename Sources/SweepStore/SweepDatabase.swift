public import Postgres

/// The store of one nmsweep database: sweeps, cells, results, artifacts, workers, events and the
/// report queries, over one ``PostgresConnection``.
///
/// Opening it applies pending migrations (see ``Migrator``). Like its connection, it blocks the
/// calling thread and serialises calls from different threads.
public final class SweepDatabase: Sendable {
    /// The connection every repository method uses.
    public let connection: PostgresConnection

    /// Wraps `connection`, migrating the database to this binary's schema first unless `migrate` is false.
    public init(connection: PostgresConnection, migrate: Bool = true) throws {
        self.connection = connection
        if migrate { try Migrator().migrate(connection) }
    }

    /// Connects to `url` (a `postgresql://` URL or conninfo) and migrates.
    public convenience init(url: String, migrate: Bool = true) throws {
        try self.init(connection: PostgresConnection(url: url), migrate: migrate)
    }

    /// Throws `.invalidArgument` unless `key` is a cell key: lower-case hex, 16–128 digits.
    static func checkCellKey(_ key: String) throws {
        let ok = (16...128).contains(key.utf8.count)
            && key.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
        guard ok else {
            throw SweepStoreError(.invalidArgument, "\"\(key.prefix(40))\" is not a cell key (lower-case hex, 16–128 digits)")
        }
    }
}
