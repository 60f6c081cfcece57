import ArgumentParser
public import Foundation
public import Logging
import OTel
public import ServiceLifecycle

/// Tracing for every service: spans exported with OTLP when an endpoint is configured the way
/// every OpenTelemetry SDK reads it (`OTEL_EXPORTER_OTLP_ENDPOINT` or
/// `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, over HTTP with protobuf unless
/// `OTEL_EXPORTER_OTLP_PROTOCOL=http/json`); none otherwise, and then nothing is recorded.
/// Metrics stay with Prometheus and logs with `ServiceLogging`: only traces go to the collector.
public enum ServiceTracing {
    /// Whether `environment` asks for traces to be exported.
    public static func isConfigured(_ environment: [String: String]) -> Bool {
        endpoint(in: environment) != nil && environment["OTEL_SDK_DISABLED"]?.lowercased() != "true"
            && environment["OTEL_TRACES_EXPORTER"]?.lowercased() != "none"
    }

    /// The configured endpoint, the traces' own first.
    static func endpoint(in environment: [String: String]) -> String? {
        [ServiceEnvironment.tracesEndpointVariable, ServiceEnvironment.endpointVariable].lazy.compactMap { environment[$0] }.first {
            !$0.isEmpty
        }
    }

    /// Bootstraps the process's tracer for `service` when an endpoint is configured, and returns
    /// the exporter to run first in the service group, so that it is shut down last and sends the
    /// spans of everything else's shutdown. Call once, at start-up.
    public static func bootstrap(
        service: String, logger: Logger, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> [ServiceGroupConfiguration.ServiceConfiguration] {
        guard isConfigured(environment) else { return [] }
        var configuration = OTel.Configuration.default
        configuration.serviceName = service
        configuration.resourceAttributes = ["service.version": BuildInfo.version]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        let exporter: any Service
        do {
            exporter = try OTel.bootstrap(configuration: configuration, environment: environment)
        } catch {
            throw ValidationError(
                "cannot export traces (\(error)): check the OTEL_* variables (docs/OPERATIONS.md, Traces), or unset \(ServiceEnvironment.endpointVariable) to export none"
            )
        }
        logger.info("exporting traces over OTLP", metadata: ["endpoint": "\(endpoint(in: environment) ?? "")"])
        return [.init(service: exporter)]
    }
}
