import Contract
public import Foundation
import ServiceAPI

/// The configuration contract: every setting a service takes from its environment, written down
/// once. Each variable stands for a command-line flag; a flag given on the command line wins over
/// the variable, and the variable over the flag's default. The deployment files (compose,
/// Kubernetes) configure the services only through these, and the deployment tests check them
/// against this list; docs/CONFIGURATION.md is the same table for people.
public enum ServiceEnvironment {
    public enum Kind: Sendable { case text, integer, number, list }

    public struct Variable: Sendable, Equatable {
        public let name: String
        public let flag: String
        public let kind: Kind
        public let meaning: String
        /// The executables that read it.
        public let services: [String]
    }

    public static let consumers = ServiceNames.consumers
    public static let services = ServiceNames.all
    /// The services that take part in the choreography: each keeps simulated time and a seed.
    public static let deciders = ServiceNames.deciders

    public static let variables: [Variable] = [
        Variable(
            name: "FOODDELIVERY_DATA_DIR", flag: "--data-dir", kind: .text,
            meaning: "directory of the service's SQLite database (mount a volume here)", services: services),
        Variable(
            name: "FOODDELIVERY_TOPIC", flag: "--topic", kind: .text,
            meaning: "the order-event topic; dead letters go to \(Topics.deadLetters(of: "<topic>"))",
            services: services),
        Variable(
            name: "FOODDELIVERY_HTTP_HOST", flag: "--http-host", kind: .text,
            meaning: "address the HTTP API listens on (0.0.0.0 in containers)", services: services + ["dashboard"]),
        Variable(
            name: "FOODDELIVERY_HTTP_PORT", flag: "--http-port", kind: .integer,
            meaning: "port of the HTTP API (\(OperationalEndpoints.health.template), \(OperationalEndpoints.metrics.template), queries)",
            services: services + ["dashboard"]),
        Variable(
            name: "FOODDELIVERY_SUPERVISOR_PID", flag: "--supervisor-pid", kind: .integer,
            meaning: "stop when this process is gone (set by `fooddelivery up` for the processes it starts)", services: services),
        Variable(
            name: "FOODDELIVERY_LOG_LEVEL", flag: "--log-level", kind: .text,
            meaning: "trace, debug, info, notice, warning, error or critical", services: services),
        Variable(
            name: "FOODDELIVERY_LOG_FORMAT", flag: "--log-format", kind: .text,
            meaning: "text, or json: one JSON object per line, with the order's trace_id where a record has one", services: services),
        Variable(
            name: "FOODDELIVERY_PARTITIONS", flag: "--partitions", kind: .integer,
            meaning: "partitions of the order-event topic when orders creates it", services: [ServiceNames.orders]),
        Variable(
            name: "FOODDELIVERY_RATE", flag: "--rate", kind: .number, meaning: "new orders per simulated second",
            services: [ServiceNames.orders]),
        Variable(
            name: "FOODDELIVERY_SPEED", flag: "--speed", kind: .number,
            meaning: "simulated seconds per real second (set it alike everywhere)",
            services: deciders),
        Variable(
            name: "FOODDELIVERY_SEED", flag: "--seed", kind: .integer, meaning: "random seed of the simulation and of the decisions",
            services: deciders),
        Variable(
            name: "FOODDELIVERY_STEPS", flag: "--steps", kind: .text,
            meaning: "choreographed (restaurants and delivery decide) or simulated (orders plays them too)", services: [ServiceNames.orders]
        ),
        Variable(
            name: "FOODDELIVERY_PUBLISH_STATS", flag: "--publish-stats", kind: .text,
            meaning: "true (default) or false: whether analytics publishes order-stats, in Kafka transactions",
            services: [ServiceNames.analytics]),
        Variable(
            name: "FOODDELIVERY_GROUP", flag: "--group", kind: .text,
            meaning: "consumer group id (and projection name); default: the service's name", services: consumers),
        Variable(
            name: "FOODDELIVERY_INSTANCE_ID", flag: "--instance-id", kind: .text,
            meaning: "static group membership id (a StatefulSet pod's name)", services: consumers),
        Variable(
            name: "FOODDELIVERY_KAFKA_PROFILE", flag: "--kafka-profile", kind: .text,
            meaning: "kafka (Kafka's defaults) or local (the local Tansu broker's); the three settings below override either",
            services: services),
        Variable(
            name: "FOODDELIVERY_ASSIGNOR", flag: "--assignor", kind: .text,
            meaning: "range, roundrobin or cooperative-sticky (Apache Kafka: cooperative-sticky)", services: consumers),
        Variable(
            name: "FOODDELIVERY_SESSION_TIMEOUT", flag: "--session-timeout", kind: .integer, meaning: "consumer session timeout, seconds",
            services: consumers),
        Variable(
            name: "FOODDELIVERY_FETCH_WAIT_MS", flag: "--fetch-wait-ms", kind: .integer,
            meaning: "longest a broker may hold an empty fetch, ms", services: consumers),
        Variable(
            name: OperatorToken.variable, flag: "--operator-token", kind: .text,
            meaning: "bearer token that POST /replay requires (unset: open); queries stay open", services: consumers),
        Variable(
            name: OperatorToken.fileVariable, flag: "--operator-token-file", kind: .text,
            meaning: "file holding that token instead (a mounted secret)", services: consumers),
        Variable(
            name: "FOODDELIVERY_PEERS", flag: "--peer", kind: .list,
            meaning: "comma-separated base URLs of the service's instances (itself may be listed)", services: consumers),
        Variable(
            name: "FOODDELIVERY_DASHBOARD_SERVICES", flag: "--service", kind: .list,
            meaning: "`fooddelivery dashboard`: comma-separated <service>=<base URL> of the services to show", services: ["dashboard"]),
    ]

    /// The Kafka connection variables, read by the Kafka layer (`KafkaConfiguration.fromEnvironment`).
    public static let kafkaVariables = [
        "KAFKA_BOOTSTRAP_SERVERS", "KAFKA_CLIENT_ID", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD", "KAFKA_TLS",
        "KAFKA_TLS_CA_LOCATION", "KAFKA_TLS_CERT_LOCATION", "KAFKA_TLS_KEY_LOCATION", "KAFKA_TLS_VERIFY_HOSTNAME",
    ]
    /// Plus any `KAFKA_OVERRIDE_<LIBRDKAFKA_KEY>`.
    public static let kafkaOverridePrefix = "KAFKA_OVERRIDE_"
    /// OpenTelemetry's standard variables a deployment may set: its SDK reads them (`ServiceTracing`).
    public static let openTelemetryVariables = [
        tracesEndpointVariable, endpointVariable, "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_COMPRESSION",
        "OTEL_EXPORTER_OTLP_CERTIFICATE", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "OTEL_TRACES_SAMPLER",
        "OTEL_TRACES_SAMPLER_ARG", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_PROPAGATORS",
    ]
    /// Where spans go: the OTLP endpoint (the SDK appends `/v1/traces`), or the traces' own URL.
    public static let endpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT"
    public static let tracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"

    public struct InvalidVariable: Error, CustomStringConvertible {
        public let description: String
    }

    /// `arguments` with a flag added for every variable of `service` that is set and whose flag
    /// is not on the command line already. A value of the wrong kind fails with what to fix.
    public static func arguments(
        _ arguments: [String], service: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(InvalidVariable) -> [String] {
        var result = arguments
        for variable in variables where variable.services.contains(service) {
            guard let value = environment[variable.name], !value.isEmpty else { continue }
            if arguments.contains(where: { $0 == variable.flag || $0.hasPrefix(variable.flag + "=") }) { continue }
            switch variable.kind {
            case .integer where Int(value) == nil:
                throw InvalidVariable(description: "\(variable.name)=\(value) is not a whole number (\(variable.meaning))")
            case .number where Double(value) == nil:
                throw InvalidVariable(description: "\(variable.name)=\(value) is not a number (\(variable.meaning))")
            case .list:
                for item in value.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
                    result += [variable.flag, item]
                }
                continue
            default:
                break
            }
            result += [variable.flag, value]
        }
        return result
    }
}

extension ServiceEnvironment {
    /// This process's arguments with its environment applied, for a service's `main`; a broken
    /// variable ends the process with exit code 64 and what to fix.
    public static func commandLine(service: String) -> [String] {
        do {
            return try arguments(Array(CommandLine.arguments.dropFirst()), service: service)
        } catch {
            FileHandle.standardError.write(Data("\(service): \(error.description)\n".utf8))
            exit(64)
        }
    }
}
