import Foundation
import Postgres
import TestSupport

/// A small real grid run through `nmsweep-coordinator` (one local worker, a private database),
/// and the database's view of its cells afterwards.
struct GridRun {
    struct Cell {
        var kind: String
        var state: String
        var attempts: Int
        var lastError: String?
    }

    var outcome: ProcessRunner.Outcome
    var cells: [Cell]
    var seconds: Double

    /// Runs `yaml` (written to a temp file) with `workerArguments` passed to the local worker.
    static func run(_ yaml: String, label: String, workerArguments: [String] = [], timeout: Double = 120) throws -> GridRun {
        let url = try PostgresTestServer.freshDatabaseURL(label)
        let path = NSTemporaryDirectory() + "nmsweep-\(label)-\(getpid()).yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let cache = NSTemporaryDirectory() + "nmsweep-\(label)-cache-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: cache) }
        let start = Date()
        let outcome = try ProcessRunner.run("nmsweep-coordinator", [
            "--grid", path, "--database", url, "--bind", "tcp://127.0.0.1:*", "--local-workers", "1", "--worker-slots", "2",
            "--progress", "quiet", "--heartbeat-ms", "200", "--worker-argument=--cache-dir=\(cache)",
        ] + workerArguments.map { "--worker-argument=\($0)" }, timeout: timeout)
        let seconds = Date().timeIntervalSince(start)
        let connection = try PostgresConnection(url: url)
        let rows = try connection.query("SELECT kind, state, attempts, last_error FROM cells ORDER BY kind DESC, key", [])
        let cells = try rows.map {
            Cell(kind: try $0.decode(0), state: try $0.decode(1), attempts: try $0.decode(2), lastError: try $0.decode(3, as: String?.self))
        }
        return GridRun(outcome: outcome, cells: cells, seconds: seconds)
    }

    /// A one-task grid: one tiny pre-training and its evaluate cells.
    static func tinyGrid(methods: String = "[lp]", pretrainExtra: String = "", maxAttempts: Int = 3) -> String {
        """
        name: bad-input
        noise_ratios: [0]
        tasks: [digits]
        methods: \(methods)
        seeds: 1
        pretrain: {epochs: 1, source_samples: 1000, conv1_channels: 4, conv2_channels: 8, feature_dimension: 16\(pretrainExtra)}
        max_attempts: \(maxAttempts)

        """
    }
}
