public import Logging
public import Prometheus
public import ServiceLifecycle

/// A service process's logging, metrics and tracing, bootstrapped once, at start-up, before the
/// service is built.
public struct ServiceObservability {
    public let logger: Logger
    /// The registry `/metrics` shows.
    public let metrics: PrometheusCollectorRegistry
    /// What runs first in the service group, so that it stops last: the trace exporter, which
    /// then sends the spans of everything else's shutdown.
    public let leadingServices: [ServiceGroupConfiguration.ServiceConfiguration]

    public static func bootstrap(service: String, logLevel: Logger.Level, logFormat: ServiceLogging.Format) throws -> Self {
        let logger = ServiceLogging.bootstrap(level: logLevel, label: service, format: logFormat)
        let metrics = ServiceMetrics.bootstrap(service: service)
        let tracing = try ServiceTracing.bootstrap(service: service, logger: logger)
        return Self(logger: logger, metrics: metrics, leadingServices: tracing)
    }
}
