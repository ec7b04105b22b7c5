import Foundation
public import Postgres

/// Pieces of the fault-injection tests: a coordinator and external workers on a port of the
/// test's choosing (so a restarted coordinator binds the same one), and small SQL probes.
public enum FaultHarness {
    /// Heartbeat of every fault test, ms: a silent worker is dead after 3 × 200 ms.
    public static let heartbeatMilliseconds = 200

    /// A TCP port on 127.0.0.1 the kernel reports free now (bind to port 0, read it back, release it).
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ProcessRunnerError(description: "socket(): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { throw ProcessRunnerError(description: "bind(127.0.0.1:0): \(String(cString: strerror(errno)))") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Starts `nmsweep-coordinator` on `--noop-cells cells` in the background, bound to
    /// 127.0.0.1:`port`, with the fault tests' heartbeat and `liveness`; `extra` is appended.
    public static func coordinator(database: String, name: String, cells: Int, sleepMilliseconds: Int, port: Int,
                                   localWorkers: Int = 0, liveness: Int = 3, progress: String = "quiet",
                                   extra: [String] = []) throws -> RunningProcess {
        try RunningProcess("nmsweep-coordinator", [
            "--noop-cells", String(cells), "--noop-sleep-ms", String(sleepMilliseconds), "--name", name,
            "--database", database, "--bind", "tcp://127.0.0.1:\(port)", "--local-workers", String(localWorkers),
            "--heartbeat-ms", String(heartbeatMilliseconds), "--liveness", String(liveness), "--progress", progress,
        ] + extra)
    }

    /// Starts an external `nmsweep-worker` connecting to 127.0.0.1:`port`.
    public static func worker(port: Int, slots: Int, graceMilliseconds: Int = 10_000) throws -> RunningProcess {
        let cache = NSTemporaryDirectory() + "nmsweep-fault-cache-\(getpid())"
        return try RunningProcess("nmsweep-worker", [
            "--connect", "tcp://127.0.0.1:\(port)", "--slots", String(slots), "--cache-dir", cache,
            "--grace-ms", String(graceMilliseconds),
        ])
    }

    /// The first column of the first row of `sql`, as an Int.
    public static func scalar(_ connection: PostgresConnection, _ sql: String, _ parameters: any PostgresEncodable...) throws -> Int {
        try connection.query(sql, parameters)[0].decode(0)
    }

    /// Rows in `results`, or 0 while the database cannot answer (not migrated yet, server away).
    public static func resultRows(_ connection: PostgresConnection) -> Int {
        (try? scalar(connection, "SELECT count(*)::int FROM results")) ?? 0
    }

    /// The failed cells' attempts and last errors (a sweep with one injected fault has exactly one).
    public static func failedCells(_ connection: PostgresConnection) throws -> [(attempts: Int, error: String)] {
        try connection.query("SELECT attempts, last_error FROM cells WHERE state = 'failed'", []).map {
            (try $0.decode(0), try $0.decode(1, as: String?.self) ?? "")
        }
    }

    /// `count(*)` and `count(DISTINCT cell_key)` of the results table.
    public static func resultCounts(_ connection: PostgresConnection) throws -> (rows: Int, cells: Int) {
        let row = try connection.query("SELECT count(*)::int, count(DISTINCT cell_key)::int FROM results", [])[0]
        return (try row.decode(0), try row.decode(1))
    }

    /// The number after `label` in the coordinator's summary line, e.g. `number(before: " assigned", in: out)`
    /// of "…, 120 assigned, …" is 120.
    public static func number(before label: String, in text: String) -> Int? {
        guard let range = text.range(of: label) else { return nil }
        let digits = text[..<range.lowerBound].reversed().prefix { $0.isNumber }
        return Int(String(digits.reversed()))
    }
}
