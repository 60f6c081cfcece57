import ServiceRuntime
import Testing

@Suite("Service tracing")
struct ServiceTracingTests {
    @Test("Traces are exported only when an OTLP endpoint is configured, and not when the SDK is disabled")
    func exportOnlyWhenConfigured() {
        #expect(!ServiceTracing.isConfigured([:]))
        #expect(!ServiceTracing.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": ""]))
        #expect(ServiceTracing.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"]))
        #expect(ServiceTracing.isConfigured(["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://collector:4318/v1/traces"]))
        #expect(!ServiceTracing.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_SDK_DISABLED": "true"]))
        #expect(!ServiceTracing.isConfigured(["OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318", "OTEL_TRACES_EXPORTER": "None"]))
    }
}
