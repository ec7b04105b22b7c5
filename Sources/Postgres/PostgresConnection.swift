internal import CLibPQ
import Foundation

/// One connection to a PostgreSQL server: the owner of libpq's `PGconn*`.
///
/// Every method blocks its thread until the server answers: call them from a thread of your own,
/// not from Swift's cooperative pool.
///
/// When the server goes away, the statement in flight fails with `.connectionLost` (it may or may not
/// have been applied — the caller decides whether to retry); the *next* call reconnects first,
/// with the backoff of ``reconnectPolicy``, and fails with `.connection` if the server stays away.
/// Session state (temporary tables, prepared statements, an open transaction) does not survive a
/// reconnect.
///
/// `@unchecked Sendable`: libpq allows one thread at a time per `PGconn`; every method takes
/// ``lock`` (recursive, so a `transaction` body may call back in), so calls from different threads
/// serialise instead of interleaving on the wire, and a transaction's statements stay together.
public final class PostgresConnection: @unchecked Sendable {
    public let configuration: PostgresConfiguration
    public var reconnectPolicy: ReconnectPolicy
    var connection: OpaquePointer?
    let lock = NSRecursiveLock()
    /// Nesting depth of `transaction`; > 0 means inner calls use savepoints.
    var transactionDepth = 0

    /// Connects now; throws `.connection` (password masked) if the server cannot be reached
    /// within `reconnectPolicy`.
    public init(_ configuration: PostgresConfiguration, reconnectPolicy: ReconnectPolicy = .default) throws {
        self.configuration = configuration
        self.reconnectPolicy = reconnectPolicy
        try ensureConnected()
    }

    /// Connects to a URL or conninfo string (see ``PostgresConfiguration``).
    public convenience init(url: String, reconnectPolicy: ReconnectPolicy = .default) throws {
        try self.init(PostgresConfiguration(url), reconnectPolicy: reconnectPolicy)
    }

    deinit { if let connection { PQfinish(connection) } }

    /// Closes the connection; a later call reconnects.
    public func close() {
        lock.locked {
            if let connection { PQfinish(connection) }
            connection = nil
            transactionDepth = 0
        }
    }

    /// Whether libpq believes the connection is up (it learns otherwise only when it next talks).
    public var isConnected: Bool {
        lock.locked { connection.map { PQstatus($0) == CONNECTION_OK } ?? false }
    }

    /// The server's version number, e.g. 150008 for 15.8.
    public var serverVersion: Int { lock.locked { connection.map { Int(PQserverVersion($0)) } ?? 0 } }

    /// The server process serving this session (`pg_backend_pid()`), 0 when not connected.
    public var backendPID: Int32 { lock.locked { connection.map { PQbackendPID($0) } ?? 0 } }

    /// Connects (or reconnects after a loss), waiting per ``reconnectPolicy`` between attempts.
    func ensureConnected() throws {
        if let connection, PQstatus(connection) == CONNECTION_OK { return }
        var lastMessage = "no attempt made"
        for attempt in 0..<max(1, reconnectPolicy.maxAttempts) {
            let delay = reconnectPolicy.delay(beforeAttempt: attempt)
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            if let connection { PQfinish(connection) }
            connection = PQconnectdb(configuration.conninfo)
            guard let connection else { lastMessage = "libpq could not allocate a connection"; continue }
            if PQstatus(connection) == CONNECTION_OK {
                // Notices ("relation already exists, skipping") would go to stderr; they are not errors.
                PQsetNoticeProcessor(connection, { _, _ in }, nil)
                transactionDepth = 0
                return
            }
            lastMessage = Self.trimmed(PQerrorMessage(connection))
        }
        throw PostgresError(
            .connection,
            "could not connect to \(configuration) after \(max(1, reconnectPolicy.maxAttempts)) attempt(s): \(lastMessage)",
            hint: "check the URL, DATABASE_URL or PG* variables, and that the server is running",
            secrets: configuration.secrets)
    }

    static func trimmed(_ message: UnsafePointer<CChar>?) -> String {
        guard let message else { return "" }
        return String(cString: message).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Turns a libpq result into rows, or into the error it carries.
    ///
    /// `nil` or an error while the connection is down is `.connectionLost`: the statement may or may
    /// not have run, and the caller is told so.
    func check(_ result: OpaquePointer?, statement: String, code: PostgresError.Code = .query,
               expect: [ExecStatusType] = [PGRES_COMMAND_OK, PGRES_TUPLES_OK]) throws -> PostgresRows {
        let lost = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        guard let result else {
            let message = connection.map { Self.trimmed(PQerrorMessage($0)) } ?? "not connected"
            throw PostgresError(lost ? .connectionLost : code,
                                "\(message) (statement: \(Self.summary(statement)))", secrets: configuration.secrets)
        }
        let status = PQresultStatus(result)
        if expect.contains(status) { return PostgresRows(taking: result) }
        defer { PQclear(result) }
        func field(_ code: Character) -> String? {
            guard let value = PQresultErrorField(result, Int32(code.asciiValue!)) else { return nil }
            return String(cString: value)
        }
        let primary = field("M") ?? Self.trimmed(PQresultErrorMessage(result))
        let sqlState = field("C")
        let lostNow = connection.map { PQstatus($0) != CONNECTION_OK } ?? true
        var message = primary.isEmpty ? "unexpected result status \(String(cString: PQresStatus(status)))" : primary
        if lostNow { message += "; the connection was lost, so the statement may or may not have been applied" }
        message += " (statement: \(Self.summary(statement)))"
        throw PostgresError(lostNow ? .connectionLost : code, message, sqlState: sqlState,
                            detail: field("D"), hint: field("H"), secrets: configuration.secrets)
    }

    /// The statement's first line, shortened: enough to find it, never a whole batch.
    static func summary(_ sql: String) -> String {
        let line = sql.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        return trimmed.count > 80 ? String(trimmed.prefix(77)) + "…" : trimmed
    }

    /// Runs one statement with parameters `$1…$n` (sent apart from the SQL, never spliced in) and
    /// returns its rows in text format.
    @discardableResult
    public func query(_ sql: String, _ parameters: [any PostgresEncodable]) throws -> PostgresRows {
        try lock.locked {
            try ensureConnected()
            let values = parameters.map(\.postgresValue)
            let count = values.count
            var pointers = [UnsafePointer<CChar>?](repeating: nil, count: count)
            var lengths = [Int32](repeating: 0, count: count)
            var formats = [Int32](repeating: 0, count: count)
            var owned = [UnsafeMutableRawPointer]()
            owned.reserveCapacity(count)
            defer { owned.forEach { free($0) } }
            for (i, value) in values.enumerated() {
                switch value {
                case .null: break
                case .text(let text):
                    let copy = strdup(text)!
                    owned.append(UnsafeMutableRawPointer(copy))
                    pointers[i] = UnsafePointer(copy)
                case .binary(let bytes):
                    let buffer = malloc(max(1, bytes.count))!
                    bytes.withUnsafeBytes { if let base = $0.baseAddress { buffer.copyMemory(from: base, byteCount: bytes.count) } }
                    owned.append(buffer)
                    pointers[i] = UnsafePointer(buffer.assumingMemoryBound(to: CChar.self))
                    lengths[i] = Int32(bytes.count)
                    formats[i] = 1
                }
            }
            let result = PQexecParams(connection, sql, Int32(count), nil, pointers, lengths, formats, 0)
            return try check(result, statement: sql)
        }
    }

    /// Runs one statement with parameters `$1…$n`; see ``query(_:_:)-(_,[any PostgresEncodable])``.
    @discardableResult
    public func query(_ sql: String, _ parameters: any PostgresEncodable...) throws -> PostgresRows {
        try query(sql, parameters)
    }

    /// Runs one statement and returns the number of rows it affected.
    @discardableResult
    public func execute(_ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        try query(sql, parameters).affectedRows
    }

    /// Runs a script of several statements with no parameters (`PQexec`), e.g. a migration file.
    ///
    /// Only for SQL text written by this program: values must go through ``query(_:_:)``.
    public func runScript(_ sql: String) throws {
        try lock.locked {
            try ensureConnected()
            _ = try check(PQexec(connection, sql), statement: sql)
        }
    }
}

extension NSRecursiveLock {
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
