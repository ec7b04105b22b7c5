public import Postgres
import Foundation

/// Who runs a sweep: the row of `sweep_owners` (migration 7).
public struct SweepOwner: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var pid: Int
    /// Where its workers connect (empty until its socket is bound).
    public var endpoint: String
    /// When that coordinator started, as the server prints it.
    public var startedAt: String

    public init(host: String, pid: Int, endpoint: String, startedAt: String) {
        self.host = host
        self.pid = pid
        self.endpoint = endpoint
        self.startedAt = startedAt
    }

    public var description: String {
        "\(pid) on \(host) since \(startedAt) (endpoint \(endpoint.isEmpty ? "not bound yet" : endpoint))"
    }
}

/// One lease as persisted by ``SweepOwnership/recordLeases(sweepID:worker:leases:validForMilliseconds:)``.
public struct PersistedLease: Sendable, Equatable {
    public var lease: Int64
    public var cellKey: String
    public var worker: String
    public var attempt: Int
    /// Milliseconds the lease stays valid from now (server clock).
    public var remainingMilliseconds: Int64

    public init(lease: Int64, cellKey: String, worker: String, attempt: Int, remainingMilliseconds: Int64) {
        self.lease = lease
        self.cellKey = cellKey
        self.worker = worker
        self.attempt = attempt
        self.remainingMilliseconds = remainingMilliseconds
    }
}

/// The database side of owning a sweep, on a connection of its own: the session-level advisory
/// lock that makes a coordinator the sweep's one owner, the owner row, the leases it issues, and
/// which cells shared with other sweeps their owners may be running.
///
/// The lock lives as long as the session: the caller must keep this connection for nothing else
/// (a reconnect, which ``PostgresConnection`` makes silently, is a new session without the lock;
/// ``sessionID`` tells).
public final class SweepOwnership: Sendable {
    /// The connection whose session holds the lock.
    public let connection: PostgresConnection
    /// The first key of the two-key advisory lock: 'nmsw'. The migrator's one-key lock is another space.
    public static let lockClass: Int32 = 0x6E6D_7377

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The backend serving the session now (changes when the connection was re-made).
    public var sessionID: Int32 { connection.backendPID }

    /// Tries to take the sweep's lock; on success writes the owner row and returns nil, else
    /// returns the owner that holds it (as its row says).
    public func claim(sweepID: Int64, host: String, pid: Int, endpoint: String, startedAt: Double) throws -> SweepOwner? {
        let taken = try connection.query("SELECT pg_try_advisory_lock($1, $2)", Self.lockClass, Self.lockKey(sweepID))[0]
            .decode(0, as: Bool.self)
        guard taken else {
            return try owner(sweepID: sweepID) ?? SweepOwner(host: "an unknown host", pid: 0, endpoint: "", startedAt: "an unknown time")
        }
        try connection.execute("""
            INSERT INTO sweep_owners (sweep_id, host, pid, endpoint, started_at, claimed_at, backend_pid, released_at)
            VALUES ($1, $2, $3, $4, to_timestamp($5), now(), pg_backend_pid(), NULL)
            ON CONFLICT (sweep_id) DO UPDATE SET host = EXCLUDED.host, pid = EXCLUDED.pid, endpoint = EXCLUDED.endpoint,
                started_at = EXCLUDED.started_at, claimed_at = now(), backend_pid = pg_backend_pid(), released_at = NULL
            """, sweepID, host, pid, endpoint, startedAt)
        return nil
    }

    /// Whether this session holds the sweep's lock (false after the session was lost).
    public func holds(sweepID: Int64) throws -> Bool {
        try connection.query("""
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = $1::oid AND objid = $2::oid
                           AND objsubid = 2 AND pid = pg_backend_pid() AND granted)
            """, Int64(UInt32(bitPattern: Self.lockClass)), Int64(UInt32(bitPattern: Self.lockKey(sweepID))))[0].decode(0, as: Bool.self)
    }

    /// Sets the endpoint of the owner row (once the coordinator's socket is bound).
    public func publish(endpoint: String, sweepID: Int64) throws {
        try connection.execute("UPDATE sweep_owners SET endpoint = $2 WHERE sweep_id = $1 AND backend_pid = pg_backend_pid()",
                               sweepID, endpoint)
    }

    /// Releases the lock and marks the owner row released (a clean end).
    public func release(sweepID: Int64) throws {
        try connection.execute("UPDATE sweep_owners SET released_at = now() WHERE sweep_id = $1 AND backend_pid = pg_backend_pid()", sweepID)
        _ = try connection.query("SELECT pg_advisory_unlock($1, $2)", Self.lockClass, Self.lockKey(sweepID))
    }

    /// The sweep's owner row, if any coordinator of this schema ever claimed it.
    public func owner(sweepID: Int64) throws -> SweepOwner? {
        let rows = try connection.query("""
            SELECT host, pid, endpoint, to_char(started_at, 'YYYY-MM-DD HH24:MI:SS TZ') FROM sweep_owners WHERE sweep_id = $1
            """, sweepID)
        guard let row = rows.first else { return nil }
        return SweepOwner(host: try row.decode(0), pid: try row.decode(1), endpoint: try row.decode(2), startedAt: try row.decode(3))
    }

    // MARK: Leases

    /// Persists the leases of one dispatch round to one worker, valid for `validForMilliseconds`.
    public func recordLeases(sweepID: Int64, worker: String, leases: [(lease: Int64, cell: String, attempt: Int)],
                             validForMilliseconds: Int64) throws {
        guard let first = leases.first else { return }
        for lease in leases { try SweepDatabase.checkCellKey(lease.cell) }
        try connection.execute("""
            INSERT INTO sweep_leases (sweep_id, worker_id, first_lease, leases, cells, attempts, expires_at)
            VALUES ($1, $2, $3, $4::bigint[], $5::text[], $6::integer[], now() + make_interval(secs => $7::float8 / 1000))
            ON CONFLICT DO NOTHING
            """, sweepID, worker, first.lease,
            "{" + leases.map { String($0.lease) }.joined(separator: ",") + "}",
            "{" + leases.map(\.cell).joined(separator: ",") + "}",
            "{" + leases.map { String($0.attempt) }.joined(separator: ",") + "}",
            validForMilliseconds)
    }

    /// The sweep's leases still valid, after deleting the expired ones.
    public func validLeases(sweepID: Int64) throws -> [PersistedLease] {
        try connection.execute("DELETE FROM sweep_leases WHERE sweep_id = $1 AND expires_at <= now()", sweepID)
        return try connection.query("""
            SELECT u.lease, u.cell, l.worker_id, u.attempt,
                   (extract(epoch FROM l.expires_at - now()) * 1000)::bigint
            FROM sweep_leases l, unnest(l.leases, l.cells, l.attempts) AS u (lease, cell, attempt)
            WHERE l.sweep_id = $1
            """, sweepID).map {
            PersistedLease(lease: try $0.decode(0), cellKey: try $0.decode(1), worker: try $0.decode(2), attempt: try $0.decode(3),
                           remainingMilliseconds: try $0.decode(4))
        }
    }

    // MARK: Cells shared with other sweeps

    /// The cells of `sweepID` (among `keys`, when given) that another sweep's live owner,
    /// started before this sweep's, may be running: the caller must not run them until they are
    /// done or that owner is gone. Done cells are included (one may have finished since the
    /// caller read the cells' states; it then learns so from ``SweepDatabase/doneCells(among:)``).
    /// Call it while holding this sweep's lock.
    public func cellsHeldByOlderOwners(sweepID: Int64, among keys: [String]? = nil) throws -> [String] {
        if let keys { for key in keys { try SweepDatabase.checkCellKey(key) } }
        if keys?.isEmpty == true { return [] }
        return try connection.query("""
            SELECT DISTINCT sc.cell_key FROM sweep_cells sc
            JOIN sweep_cells o ON o.cell_key = sc.cell_key AND o.sweep_id <> sc.sweep_id
            JOIN sweep_owners other ON other.sweep_id = o.sweep_id AND other.released_at IS NULL
            JOIN sweep_owners me ON me.sweep_id = sc.sweep_id
            JOIN cells c ON c.key = sc.cell_key
            WHERE sc.sweep_id = $1 AND ($2::text[] IS NULL OR sc.cell_key = ANY($2::text[]))
              AND (other.started_at, other.sweep_id) < (me.started_at, me.sweep_id)
              AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.classid = $3::oid
                          AND l.objid = (o.sweep_id % 2147483647)::oid AND l.objsubid = 2 AND l.granted)
            """, sweepID, keys.map { "{" + $0.joined(separator: ",") + "}" }, Int64(UInt32(bitPattern: Self.lockClass)))
            .map { try $0.decode(0, as: String.self) }
    }

    /// The second key of a sweep's lock.
    static func lockKey(_ sweepID: Int64) -> Int32 { Int32(truncatingIfNeeded: sweepID % 2_147_483_647) }
}

extension SweepDatabase {
    /// Which of `keys` are done now (a result stored, or a pretrain cell marked done).
    public func doneCells(among keys: [String]) throws -> [String] {
        guard !keys.isEmpty else { return [] }
        return try connection.query("""
            SELECT c.key FROM cells c WHERE c.key = ANY($1::text[])
              AND (c.state = 'done' OR EXISTS (SELECT 1 FROM results r WHERE r.cell_key = c.key))
            """, "{" + keys.joined(separator: ",") + "}").map { try $0.decode(0, as: String.self) }
    }
}

extension SweepOwnership {
    /// A new connection to the same server as `database`, for the lock's session alone. It tries
    /// once per call to reconnect (the caller's loop retries), so a caller is never held for the
    /// seconds of a reconnect policy while the server is away.
    public convenience init(sameServerAs database: SweepDatabase) throws {
        try self.init(connection: PostgresConnection(database.connection.configuration, reconnectPolicy: .none))
    }
}
