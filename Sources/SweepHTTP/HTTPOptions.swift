public import Logging

/// `--http HOST:PORT` and `--http-token-file FILE` (coordinator and worker), checked; and for the
/// worker, a server of `/metrics` alone.
public struct HTTPOptions: Sendable {
    public let address: HTTPAddress?
    public let token: BearerToken?

    /// Checks the pair: a token needs an address, and an address beyond loopback needs a token.
    public init(address text: String?, tokenFile: String?) throws(SweepHTTPError) {
        address = try text.map { text throws(SweepHTTPError) in try HTTPAddress(parsing: text) }
        token = try tokenFile.map { path throws(SweepHTTPError) in try BearerToken(file: path) }
        if token != nil, address == nil {
            throw SweepHTTPError(code: .badArgument, message: "--http-token-file needs --http HOST:PORT")
        }
        if let address, !address.isLoopback, token == nil {
            throw SweepHTTPError(code: .badArgument, message: "--http \(address.host):\(address.port) is reachable from other hosts: give --http-token-file FILE (a secret of 16+ characters) or listen on 127.0.0.1")
        }
    }

    /// The worker's HTTP side. Without an address: nil. Otherwise installs the Prometheus backend, calls `enable` (to turn
    /// the process's metric call sites on) and serves `/metrics`; returns once listening.
    public func startMetrics(logger: Logger, histogramBuckets: [String: [Double]] = [:], enable: () -> Void) throws(SweepHTTPError) -> HTTPServer? {
        guard let address else { return nil }
        let metrics = MetricsExporter.bootstrap(histogramBuckets: histogramBuckets)
        enable()
        return try HTTPServer.start(address: address, token: token, logger: logger, open: { _ in }, protected: { router in
            router.get("/metrics") { _, _ in metrics.response() }
        })
    }
}
