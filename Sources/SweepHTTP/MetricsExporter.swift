public import Hummingbird
import Metrics
import Prometheus

/// The process's swift-metrics backend: a Prometheus registry whose text exposition format
/// (version 0.0.4) `/metrics` serves. ``bootstrap(histogramBuckets:)`` installs it once per
/// process (swift-metrics allows one backend), before the coordinator or worker loop starts.
public final class MetricsExporter: Sendable {
    let registry: PrometheusCollectorRegistry

    private init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Installs a Prometheus backend as the process's metrics system.
    ///
    /// - Parameter histogramBuckets: bucket bounds in seconds per timer label (others get
    ///   swift-prometheus's default, 5 ms … 10 s).
    public static func bootstrap(histogramBuckets: [String: [Double]] = [:]) -> MetricsExporter {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        for (label, bounds) in histogramBuckets {
            factory.durationHistogramBuckets[label] = bounds.map { Duration.nanoseconds(Int64(($0 * 1e9).rounded())) }
        }
        MetricsSystem.bootstrap(factory)
        return MetricsExporter(registry: registry)
    }

    /// The metrics in the Prometheus text format.
    public func text() -> [UInt8] {
        registry.emitToBuffer()
    }

    /// ``text()`` as an HTTP response, never cached.
    public func response() -> Response {
        Response(status: .ok, headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: text())))
    }

    /// The content type of ``text()``.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
