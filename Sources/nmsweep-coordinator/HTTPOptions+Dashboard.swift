import ArgumentParser
import Foundation
import Logging
import SweepCoordinator
import SweepDashboard
import SweepHTTP
import SweepStore

extension HTTPOptions {
    /// With `--http`: bootstraps the Prometheus backend, hands the loop a ``StatusBoard`` and starts
    /// the page on it; nil without `--http`. A port that cannot be bound ends the command (exit 2).
    func startDashboard(sweep: String, configuration: inout CoordinatorConfiguration, location: StoreLocation) throws -> HTTPServer? {
        guard let address else { return nil }
        let metrics = MetricsExporter.bootstrap(histogramBuckets: ["nmsweep_assign_to_result_seconds": CoordinatorMetrics.assignToResultBuckets])
        CoordinatorMetrics.isEnabled = true
        let board = StatusBoard(sweep: sweep)
        configuration.statusBoard = board
        do {
            let server = try Dashboard.start(address: address, token: token, board: board, metrics: metrics,
                                             openDatabase: { try location.open() }, logger: Logger(label: "nmsweep.http"))
            LiveLine.standardError.log("nmsweep-coordinator: live page at \(server.address.url)/\(token == nil ? "" : "#token=… (the token of --http-token-file)"), metrics at \(server.address.url)/metrics\n")
            return server
        } catch {
            FileHandle.standardError.write(Data("nmsweep-coordinator: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
