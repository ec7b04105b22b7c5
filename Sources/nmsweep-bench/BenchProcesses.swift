import Foundation
import SweepStore

/// What the runtime benchmarks share: a throw-away embedded PostgreSQL and the path of a sibling
/// executable (`nmsweep-coordinator` next to this `nmsweep-bench`).
enum BenchProcesses {
    /// Runs `body` with a fresh embedded PostgreSQL in `/tmp/nmsweep-bench-LABEL-PID`, stopped and
    /// removed afterwards whatever `body` does.
    static func withTemporaryDatabase<T>(_ label: String, durable: Bool,
                                         _ body: (EmbeddedPostgres.Endpoint) throws -> T) throws -> T {
        let directory = "/tmp/nmsweep-bench-\(label)-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let server = EmbeddedPostgres(stateDirectory: directory, durable: durable)
        defer {
            _ = try? server.stop()
            try? FileManager.default.removeItem(atPath: directory)
        }
        return try body(try server.start())
    }

    /// A product built next to this executable.
    static func sibling(_ name: String) -> URL {
        URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent().appendingPathComponent(name)
    }
}
