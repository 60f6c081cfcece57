import Foundation
public import Hummingbird
import Metrics
public import Prometheus
public import ServiceAPI

/// The routes every service has: `/health` (200 when ok or degraded, 503 when unhealthy, with the
/// checks as JSON; readiness), `/live` (200 whenever the process answers HTTP; liveness — a
/// service waiting out a broker outage is unhealthy but must not be restarted for it, since a
/// restart fixes nothing and only drops it out of its group) and `/metrics` (Prometheus text).
public enum OperationalRoutes {
    /// Makes swift-metrics record into a Prometheus registry; call once, at start-up.
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }

    public static func add<Context: RequestContext>(
        to router: Router<Context>, registry: PrometheusCollectorRegistry?, health: @escaping @Sendable () async -> HealthReport
    ) {
        router.on(OperationalEndpoints.health) { _, _ -> Response in
            let report = await health()
            let body = (try? JSONEncoder().encode(report)) ?? Data()
            return Response(
                status: report.status == .unhealthy ? .serviceUnavailable : .ok,
                headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
        router.on(OperationalEndpoints.live) { _, _ in "alive\n" }
        router.on(OperationalEndpoints.metrics) { _, _ -> Response in
            var buffer: [UInt8] = []
            registry?.emit(into: &buffer)
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
        }
    }
}
