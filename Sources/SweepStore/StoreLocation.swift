import Foundation
import Postgres

/// Where the results live: a configured database, or the embedded server in a state folder.
///
/// Resolution order: an explicit URL (`--database`), then `DATABASE_URL` or the `PG*` variables
/// that name a server, then the embedded server in the state folder (`--state-dir`,
/// `NMSWEEP_STATE_DIR`, else ``StoreLocation/defaultStateDirectory``).
public enum StoreLocation: Sendable {
    case url(String)
    case environment
    case embedded(stateDirectory: String)

    public static func resolve(database: String?, stateDirectory: String?) -> StoreLocation {
        if let database, !database.isEmpty { return .url(database) }
        if stateDirectory == nil, PostgresConfiguration.environmentNamesDatabase { return .environment }
        return .embedded(stateDirectory: stateDirectory ?? defaultStateDirectory)
    }

    /// `NMSWEEP_STATE_DIR`; else `/var/lib/nmsweep` for root (the cluster's unprivileged user must be
    /// able to enter it, which it cannot under `/root`); else `$XDG_STATE_HOME/nmsweep`; else
    /// `~/.local/state/nmsweep`.
    public static var defaultStateDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let dir = env["NMSWEEP_STATE_DIR"], !dir.isEmpty { return dir }
        if geteuid() == 0 { return "/var/lib/nmsweep" }
        if let xdg = env["XDG_STATE_HOME"], !xdg.isEmpty { return xdg + "/nmsweep" }
        return NSHomeDirectory() + "/.local/state/nmsweep"
    }

    /// Connects (starting the embedded server if that is the location) and migrates.
    public func open() throws -> SweepDatabase {
        switch self {
        case .url(let url): return try SweepDatabase(url: url)
        case .environment: return try SweepDatabase(connection: PostgresConnection(.fromEnvironment()))
        case .embedded(let directory):
            let endpoint = try EmbeddedPostgres(stateDirectory: directory).start()
            return try SweepDatabase(url: endpoint.socketURL())
        }
    }
}
