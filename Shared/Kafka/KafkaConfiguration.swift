/// Settings shared by producers, consumers and admin clients.
///
/// Typed fields cover what this system uses; `overrides` is the escape hatch for any other
/// librdkafka key (see librdkafka's CONFIGURATION.md). Everything is mapped to librdkafka keys in
/// one place: `librdkafkaProperties()`.
public struct KafkaConfiguration: Sendable, Equatable {
    /// `host:port` pairs of the bootstrap brokers.
    public var bootstrapServers: [String]
    public var clientID: String
    public var security: Security
    /// How often librdkafka emits statistics (surfaced as metrics); `nil` disables them.
    public var statisticsInterval: Duration?
    /// librdkafka's `debug` contexts (e.g. `["cgrp", "topic"]`), logged through swift-log.
    public var debugContexts: [String]
    /// Raw librdkafka properties applied last, overriding the typed fields.
    public var overrides: [String: String]

    public init(
        bootstrapServers: [String], clientID: String = "fooddelivery", security: Security = .plaintext,
        statisticsInterval: Duration? = .seconds(5), debugContexts: [String] = [], overrides: [String: String] = [:]
    ) {
        self.bootstrapServers = bootstrapServers
        self.clientID = clientID
        self.security = security
        self.statisticsInterval = statisticsInterval
        self.debugContexts = debugContexts
        self.overrides = overrides
    }

    func librdkafkaProperties() -> [String: String] {
        var properties: [String: String] = [
            "bootstrap.servers": bootstrapServers.joined(separator: ","),
            "client.id": clientID,
            // Errors, statistics and logs are routed through our callbacks and surfaced as Swift
            // errors, metrics and swift-log records.
            "log.connection.close": "false",
        ]
        if let statisticsInterval {
            properties["statistics.interval.ms"] = String(statisticsInterval.milliseconds)
        }
        if !debugContexts.isEmpty { properties["debug"] = debugContexts.joined(separator: ",") }
        properties.merge(security.librdkafkaProperties()) { _, new in new }
        return properties
    }
}

extension KafkaConfiguration {
    /// Transport security: TLS and SASL pass straight through to librdkafka.
    public struct Security: Sendable, Equatable {
        public enum SASLMechanism: String, Sendable, Equatable {
            case plain = "PLAIN"
            case scramSHA256 = "SCRAM-SHA-256"
            case scramSHA512 = "SCRAM-SHA-512"
        }

        public struct SASL: Sendable, Equatable {
            public var mechanism: SASLMechanism
            public var username: String
            public var password: String
            public init(mechanism: SASLMechanism, username: String, password: String) {
                self.mechanism = mechanism
                self.username = username
                self.password = password
            }
        }

        public struct TLS: Sendable, Equatable {
            /// PEM file of the CA that signed the brokers' certificates; `nil` uses the system store.
            public var caLocation: String?
            public var certificateLocation: String?
            public var keyLocation: String?
            public var verifyHostname: Bool
            public init(
                caLocation: String? = nil, certificateLocation: String? = nil, keyLocation: String? = nil, verifyHostname: Bool = true
            ) {
                self.caLocation = caLocation
                self.certificateLocation = certificateLocation
                self.keyLocation = keyLocation
                self.verifyHostname = verifyHostname
            }
        }

        public var sasl: SASL?
        public var tls: TLS?

        public init(sasl: SASL? = nil, tls: TLS? = nil) {
            self.sasl = sasl
            self.tls = tls
        }

        public static let plaintext = Security()

        /// Kafka's `security.protocol` that follows from which layers are configured.
        public var securityProtocol: String {
            switch (sasl != nil, tls != nil) {
            case (false, false): "plaintext"
            case (false, true): "ssl"
            case (true, false): "sasl_plaintext"
            case (true, true): "sasl_ssl"
            }
        }

        func librdkafkaProperties() -> [String: String] {
            var properties = ["security.protocol": securityProtocol]
            if let sasl {
                properties["sasl.mechanisms"] = sasl.mechanism.rawValue
                properties["sasl.username"] = sasl.username
                properties["sasl.password"] = sasl.password
            }
            if let tls {
                if let ca = tls.caLocation { properties["ssl.ca.location"] = ca }
                if let cert = tls.certificateLocation { properties["ssl.certificate.location"] = cert }
                if let key = tls.keyLocation { properties["ssl.key.location"] = key }
                properties["ssl.endpoint.identification.algorithm"] = tls.verifyHostname ? "https" : "none"
            }
            return properties
        }
    }
}
