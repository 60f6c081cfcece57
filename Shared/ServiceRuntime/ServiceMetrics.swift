import Kafka
import Metrics
public import Prometheus

/// The process's metrics, in Prometheus: every name the code records (its own, the Kafka
/// layer's, Hummingbird's HTTP metrics) is exported under the application's prefix, so it never
/// collides with a broker-side exporter's `kafka_*` names, and with dots (OpenTelemetry's
/// spelling, which Hummingbird uses) made underscores, the only separator Prometheus allows. Every
/// series carries the program's name as `service`, wherever it is scraped (compose, Kubernetes).
public enum ServiceMetrics {
    public static let prefix = "fooddelivery_"

    /// The exported name of a metric or label the code records as `label`.
    public static func exportedName(_ label: String) -> String {
        prefix + label.replacingOccurrences(of: ".", with: "_")
    }

    /// Makes swift-metrics record into a Prometheus registry and records the build's identity
    /// (`fooddelivery_build_info`, always 1); call once, at start-up.
    public static func bootstrap(service: String) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { label, dimensions in
            (exportedName(label), dimensions.map { ($0.0.replacingOccurrences(of: ".", with: "_"), $0.1) } + [("service", service)])
        }
        MetricsSystem.bootstrap(factory)
        Gauge(label: "build_info", dimensions: buildInfo).record(1)
        return registry
    }

    /// What `build_info` says besides the service: the release, and the librdkafka it runs on.
    public static var buildInfo: [(String, String)] {
        [("version", BuildInfo.version), ("librdkafka", Librdkafka.versionString)]
    }
}
