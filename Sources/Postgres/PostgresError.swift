/// Every failure of the `Postgres` module: what went wrong, where, and what the server said.
///
/// `description` is safe to log: messages are passed through ``PostgresRedaction`` when the error is
/// made, so a password from a URL or a conninfo string never reaches it (libpq echoes a malformed
/// conninfo string verbatim in its messages).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The kind of failure.
    public enum Code: String, Sendable, Equatable {
        /// Could not connect, or could not reconnect within the backoff policy.
        case connection
        /// The connection broke while a statement was in flight: it may or may not have been applied.
        case connectionLost
        /// The server rejected a statement (see ``sqlState``).
        case query
        /// A `COPY … FROM STDIN` failed.
        case copy
        /// A value in a row could not be decoded as the requested type.
        case decode
        /// The caller passed something unusable (bad URL, bad parameter).
        case invalidArgument
    }

    public var code: Code
    /// The five-character SQLSTATE, when the server sent one (e.g. `23505` unique violation).
    public var sqlState: String?
    /// The primary message.
    public var message: String
    public var detail: String?
    public var hint: String?
    /// Where in this package the error was made.
    public var file: String
    public var line: Int

    public init(
        _ code: Code, _ message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        secrets: [String] = [], file: String = #fileID, line: Int = #line
    ) {
        self.code = code
        self.sqlState = sqlState
        self.message = PostgresRedaction.redact(message, secrets: secrets)
        self.detail = detail.map { PostgresRedaction.redact($0, secrets: secrets) }
        self.hint = hint.map { PostgresRedaction.redact($0, secrets: secrets) }
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = "PostgreSQL \(code.rawValue) error"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let detail, !detail.isEmpty { text += " (detail: \(detail))" }
        if let hint, !hint.isEmpty { text += " (hint: \(hint))" }
        return text
    }

    /// True for SQLSTATE class 23 (integrity constraint violations: unique, foreign key, check …).
    public var isConstraintViolation: Bool { sqlState?.hasPrefix("23") ?? false }

    /// Whether the same statement may succeed if retried: no SQLSTATE (the connection failed or
    /// broke before the server answered), or class 08 (connection exception), 57 (operator
    /// intervention: a shutdown) or 53 (insufficient resources). Any other SQLSTATE is a refusal of
    /// the statement itself (a constraint, a syntax error) that a retry meets again.
    public var isTransient: Bool {
        guard let sqlState else { return true }
        return ["08", "57", "53"].contains(sqlState.prefix(2))
    }
}
