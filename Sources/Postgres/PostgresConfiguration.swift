internal import CLibPQ
import Foundation

/// Where and how to connect: a libpq connection string or URL, validated, with its password known so
/// that it can be kept out of every message.
///
/// Anything libpq understands passes through unchanged, including its TLS settings (`sslmode`,
/// `sslrootcert`, …) and, for keys the string leaves out, the `PG*` environment variables
/// (`PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, …), which libpq reads itself.
public struct PostgresConfiguration: Sendable, CustomStringConvertible {
    /// The string handed to `PQconnectdb`: a `postgresql://` URL or `key=value` pairs; may be empty.
    public let conninfo: String
    /// The password it carries (or `PGPASSWORD`), kept only to redact it from messages.
    let secrets: [String]

    /// A configuration from a URL (`postgresql://user:pw@host:port/db?sslmode=require`) or a
    /// `key=value` conninfo string; throws `.invalidArgument` (with the password masked) if libpq
    /// cannot parse it.
    public init(_ conninfo: String) throws {
        var secrets = [String]()
        if let pw = ProcessInfo.processInfo.environment["PGPASSWORD"], !pw.isEmpty { secrets.append(pw) }
        if !conninfo.isEmpty {
            var errorMessage: UnsafeMutablePointer<CChar>?
            guard let options = PQconninfoParse(conninfo, &errorMessage) else {
                let text = errorMessage.map { String(cString: $0) } ?? "out of memory"
                if let errorMessage { PQfreemem(errorMessage) }
                throw PostgresError(
                    .invalidArgument, "invalid connection string \(PostgresRedaction.redact(conninfo)): \(text)",
                    hint: "use postgresql://user:password@host:port/database or key=value pairs", secrets: secrets)
            }
            var option = options
            while let keyword = option.pointee.keyword {
                if String(cString: keyword) == "password", let value = option.pointee.val {
                    secrets.append(String(cString: value))
                }
                option += 1
            }
            PQconninfoFree(options)
        }
        self.conninfo = conninfo
        self.secrets = secrets
    }

    /// `DATABASE_URL` if set, else an empty conninfo so libpq takes everything from `PG*` variables.
    public static func fromEnvironment() throws -> PostgresConfiguration {
        try PostgresConfiguration(ProcessInfo.processInfo.environment["DATABASE_URL"] ?? "")
    }

    /// Whether the environment names a database: `DATABASE_URL`, or one of `PGHOST`, `PGHOSTADDR`,
    /// `PGDATABASE`, `PGSERVICE`.
    public static var environmentNamesDatabase: Bool {
        let env = ProcessInfo.processInfo.environment
        return ["DATABASE_URL", "PGHOST", "PGHOSTADDR", "PGDATABASE", "PGSERVICE"].contains { !(env[$0] ?? "").isEmpty }
    }

    /// The connection string with its password masked: safe to print.
    public var description: String {
        conninfo.isEmpty ? "(PG* environment)" : PostgresRedaction.redact(conninfo, secrets: secrets)
    }
}
