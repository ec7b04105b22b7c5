import Foundation
public import SweepStore

/// A PostgreSQL server of one test's own, for tests that stop and start the server under a
/// running coordinator (the shared ``PostgresTestServer`` must never be stopped).
///
/// An embedded cluster in `/tmp/nmsweep-fault-pg-<pid>-<label>`; ``remove()`` stops it and deletes
/// the folder (call it in a `defer`).
public final class PrivatePostgres: @unchecked Sendable {
    public let server: EmbeddedPostgres
    /// Where it listens (the port is kept across ``stop()``/``start()``).
    public private(set) var endpoint: EmbeddedPostgres.Endpoint

    /// Creates and starts the cluster (initdb ≈ 1 s); `durable` keeps fsync and synchronous
    /// commit on (for tests that crash the server and count on every acknowledged commit).
    public init(label: String, durable: Bool = false) throws {
        let directory = "/tmp/nmsweep-fault-pg-\(getpid())-\(label)"
        if FileManager.default.fileExists(atPath: directory) {
            _ = try? EmbeddedPostgres(stateDirectory: directory, durable: durable).stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o755])
        server = EmbeddedPostgres(stateDirectory: directory, durable: durable)
        endpoint = try server.start()
    }

    /// A URL of the store's database through the unix socket.
    public var url: String { endpoint.socketURL() }

    /// Fast shutdown: open sessions are ended, committed data is kept.
    public func stop() throws { try server.stop() }

    /// Starts it again; throws if it came back on another port (clients could not reconnect).
    public func start() throws {
        let again = try server.start()
        guard again == endpoint else {
            throw ProcessRunnerError(description: "PostgreSQL in \(server.stateDirectory) came back as \(again), not \(endpoint)")
        }
    }

    /// Stops the server and deletes its folder.
    public func remove() {
        _ = try? server.stop()
        try? FileManager.default.removeItem(atPath: server.stateDirectory)
    }
}
