import Postgres

/// Every failure of `SweepStore` that is not simply a database error passed through.
public struct SweepStoreError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, Equatable {
        /// A schema migration failed or conflicts with the database.
        case migration
        /// The embedded server could not be set up, started or stopped.
        case embeddedServer
        /// A record or argument is unusable (bad key, bad name, bad hash …).
        case invalidArgument
        /// Something asked for does not exist (a sweep name, an artifact hash).
        case notFound
    }

    public var code: Code
    public var message: String
    public var hint: String?
    /// The error that caused this one (often a `PostgresError`).
    public var underlying: (any Error)?
    public var file: String
    public var line: Int

    public init(_ code: Code, _ message: String, hint: String? = nil, underlying: (any Error)? = nil,
                file: String = #fileID, line: Int = #line) {
        self.code = code
        self.message = message
        self.hint = hint
        self.underlying = underlying
        self.file = file
        self.line = line
    }

    public var description: String {
        var text = message
        if let underlying { text += ": \(underlying)" }
        if let hint { text += " (\(hint))" }
        return text
    }
}

extension SweepStoreError {
    /// Whether a failed `SweepDatabase` call may succeed if retried, so callers need not import
    /// `Postgres` to tell: a `PostgresError` (itself or as the `underlying` error) by
    /// `PostgresError.isTransient`; a `SweepStoreError` of its own (bad argument, not found,
    /// migration) never; any other error is assumed transient.
    public static func isTransient(_ error: any Error) -> Bool {
        if let postgres = error as? PostgresError { return postgres.isTransient }
        if let store = error as? SweepStoreError {
            return store.underlying.map(isTransient) ?? false
        }
        return true
    }
}
