import Foundation
public import Hummingbird
public import Prometheus
public import ServiceAPI

/// The routes every service has: `/health` (200 when ok or degraded, 503 when unhealthy, with the
/// checks as JSON; readiness), `/live` (200 whenever the process answers HTTP; liveness — a
/// service waiting out a broker outage is unhealthy but must not be restarted for it, since a
/// restart fixes nothing and only drops it out of its group) and `/metrics` (Prometheus text, see
/// `ServiceMetrics`).
public enum OperationalRoutes {
    /// A service's router: every request measured (requests per route, method and status, their
    /// durations, those in flight) and traced (`TracedRequests`), and Hummingbird's wordless
    /// refusals explained with the service's `endpoints`. Routes added to it afterwards get all three.
    public static func router(endpoints: [Route]) -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: TracedRequests())
        router.add(middleware: ExplainedErrors(endpoints: endpoints.map(\.description).joined(separator: ", ")))
        return router
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
