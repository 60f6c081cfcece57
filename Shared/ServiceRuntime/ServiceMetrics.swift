import Kafka
import Metrics
public import Prometheus

/// The process's metrics, in Prometheus: every name the code records (its own, the Kafka
/// layer's, Hummingbird's HTTP metrics) is exported under the application's prefix, so it never
/// collides with a broker-side exporter's `kafka_*` names. (The registry turns OpenTelemetry's
/// dotted names, which Hummingbird uses, into underscores.) Every series carries the program's
/// name as `service`, wherever it is scraped (compose, Kubernetes).
public enum ServiceMetrics {
    public static let prefix = "fooddelivery_"

    /// Makes swift-metrics record into a Prometheus registry and records the build's identity
    /// (`fooddelivery_build_info`, always 1); call once, at start-up.
    public static func bootstrap(service: String) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { label, dimensions in
            // The registry refuses a label given twice; the process's own `service` wins.
            (prefix + label, dimensions.filter { $0.0 != "service" } + [("service", service)])
        }
        MetricsSystem.bootstrap(factory)
        Gauge(label: "build_info", dimensions: [("version", BuildInfo.version), ("librdkafka", Librdkafka.versionString)]).record(1)
        return registry
    }
}
