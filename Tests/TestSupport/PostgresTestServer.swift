import Foundation
public import Postgres
public import SweepStore

/// The real PostgreSQL server of a test process: one embedded cluster (the same mechanism as
/// `nmsweep`'s default) in a temporary folder, started at first use, stopped when the process exits,
/// with a fresh database per test.
///
/// A cluster left behind by a killed test run (its folder names a process that no longer exists) is
/// stopped and deleted at the next start, so it never breaks a later run.
public enum PostgresTestServer {
    /// The folder prefix of test clusters, under the system temporary folder.
    static let prefix = "nmsweep-test-"

    private static let state: Result<(EmbeddedPostgres, EmbeddedPostgres.Endpoint), any Error> = {
        Result {
            cleanUpAbandonedClusters()
            let directory = "/tmp/\(prefix)\(getpid())"
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            let server = EmbeddedPostgres(stateDirectory: directory, durable: false)
            let endpoint = try server.start()
            atexit {
                guard case .success(let (server, _)) = PostgresTestServer.state else { return }
                _ = try? server.stop()
                try? FileManager.default.removeItem(atPath: server.stateDirectory)
            }
            return (server, endpoint)
        }
    }()

    /// The running server and its endpoint (started on first call).
    public static func shared() throws -> (server: EmbeddedPostgres, endpoint: EmbeddedPostgres.Endpoint) {
        try state.get()
    }

    private static let counter = Counter()

    /// A URL to a new, empty database on the test server, unique to the caller.
    public static func freshDatabaseURL(_ label: String = "t") throws -> String {
        let (server, endpoint) = try shared()
        let clean = label.lowercased().filter { $0.isLetter && $0.isASCII || $0.isNumber }.prefix(30)
        let name = "test_\(clean)_\(counter.next())"
        try server.createDatabaseIfMissing(name, endpoint: endpoint)
        return endpoint.socketURL(database: name)
    }

    /// A connection to a new, empty database.
    public static func freshConnection(_ label: String = "t") throws -> PostgresConnection {
        try PostgresConnection(url: freshDatabaseURL(label))
    }

    /// Stops and deletes test clusters whose process is gone.
    static func cleanUpAbandonedClusters() {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/tmp")) ?? []
        for entry in entries where entry.hasPrefix(prefix) {
            guard let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // still alive
            let directory = "/tmp/" + entry
            _ = try? EmbeddedPostgres(stateDirectory: directory, durable: false).stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }
}

/// A thread-safe increasing number.
final class Counter: @unchecked Sendable {
    // @unchecked Sendable: `value` is only touched under `lock`.
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
