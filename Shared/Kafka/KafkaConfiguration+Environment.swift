/// Reads the Kafka connection settings from environment variables, once, at start-up.
///
/// | variable | meaning |
/// |---|---|
/// | `KAFKA_BOOTSTRAP_SERVERS` | comma-separated `host:port` list; unset = start the local broker |
/// | `KAFKA_CLIENT_ID` | client id prefix |
/// | `KAFKA_SASL_MECHANISM` | `PLAIN`, `SCRAM-SHA-256` or `SCRAM-SHA-512` |
/// | `KAFKA_SASL_USERNAME`, `KAFKA_SASL_PASSWORD` | SASL credentials (both required with a mechanism) |
/// | `KAFKA_TLS` | `true` to use TLS |
/// | `KAFKA_TLS_CA_LOCATION`, `KAFKA_TLS_CERT_LOCATION`, `KAFKA_TLS_KEY_LOCATION` | PEM files (any of them implies TLS) |
/// | `KAFKA_TLS_VERIFY_HOSTNAME` | `false` to skip hostname verification |
/// | `KAFKA_OVERRIDE_<key with _ for .>` | any raw librdkafka property, e.g. `KAFKA_OVERRIDE_SOCKET_TIMEOUT_MS=10000` |
extension KafkaConfiguration {
    public struct EnvironmentError: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// `nil` when `KAFKA_BOOTSTRAP_SERVERS` is unset: the caller decides (e.g. start the local broker).
    public static func fromEnvironment(_ environment: [String: String], clientID: String) throws(EnvironmentError) -> KafkaConfiguration? {
        guard let servers = environment["KAFKA_BOOTSTRAP_SERVERS"], !servers.isEmpty else { return nil }
        return try make(bootstrapServers: servers, environment: environment, clientID: clientID)
    }

    /// Builds a configuration for `bootstrapServers` with the security settings of `environment`.
    public static func make(bootstrapServers: String, environment: [String: String], clientID: String) throws(EnvironmentError)
        -> KafkaConfiguration
    {
        let servers = bootstrapServers.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        for server in servers {
            let parts = server.split(separator: ":")
            guard parts.count >= 2, let port = Int(parts.last!), (1...65535).contains(port) else {
                throw EnvironmentError(
                    description:
                        "bootstrap server '\(server)' is not host:port (e.g. localhost:9092); fix KAFKA_BOOTSTRAP_SERVERS or --brokers")
            }
        }
        guard !servers.isEmpty else {
            throw EnvironmentError(description: "no bootstrap servers given; set KAFKA_BOOTSTRAP_SERVERS=host:port or pass --brokers")
        }
        var configuration = KafkaConfiguration(bootstrapServers: servers, clientID: environment["KAFKA_CLIENT_ID"] ?? clientID)
        configuration.security = try security(from: environment)
        for (key, value) in environment where key.hasPrefix("KAFKA_OVERRIDE_") {
            let property = key.dropFirst("KAFKA_OVERRIDE_".count).lowercased().replacingUnderscores()
            configuration.overrides[property] = value
        }
        return configuration
    }

    static func security(from environment: [String: String]) throws(EnvironmentError) -> Security {
        var security = Security()
        if let mechanism = environment["KAFKA_SASL_MECHANISM"], !mechanism.isEmpty {
            guard let parsed = Security.SASLMechanism(rawValue: mechanism.uppercased()) else {
                throw EnvironmentError(description: "KAFKA_SASL_MECHANISM=\(mechanism) is not one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512")
            }
            guard let username = environment["KAFKA_SASL_USERNAME"], let password = environment["KAFKA_SASL_PASSWORD"] else {
                throw EnvironmentError(
                    description: "KAFKA_SASL_MECHANISM is set, so KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD must be set too")
            }
            security.sasl = .init(mechanism: parsed, username: username, password: password)
        }
        let ca = environment["KAFKA_TLS_CA_LOCATION"].nonEmpty
        let cert = environment["KAFKA_TLS_CERT_LOCATION"].nonEmpty
        let key = environment["KAFKA_TLS_KEY_LOCATION"].nonEmpty
        let tlsFlag = environment["KAFKA_TLS"].map { ["1", "true", "yes"].contains($0.lowercased()) } ?? false
        if tlsFlag || ca != nil || cert != nil || key != nil {
            let verify = environment["KAFKA_TLS_VERIFY_HOSTNAME"].map { !["0", "false", "no"].contains($0.lowercased()) } ?? true
            security.tls = .init(caLocation: ca, certificateLocation: cert, keyLocation: key, verifyHostname: verify)
        }
        return security
    }
}

extension String? {
    fileprivate var nonEmpty: String? { self.flatMap { $0.isEmpty ? nil : $0 } }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "." : $0 }) }
}
