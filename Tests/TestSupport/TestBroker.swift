public import Foundation
public import Kafka
public import LocalBroker
public import Logging

/// The broker the integration tests run against, and what to expect of it.
///
/// With `KAFKA_BOOTSTRAP_SERVERS` set, tests run against that cluster (Apache Kafka semantics are
/// expected). Otherwise one local Tansu broker is started for the whole test process, through the
/// same `LocalBroker` code path the CLI uses; it stops when the test process exits.
public enum TestBroker {
    public enum Kind: Sendable { case tansu, apacheKafka }

    public struct Connection: Sendable {
        public let configuration: KafkaConfiguration
        public let kind: Kind
        /// The local broker, kept alive as long as the connection; its watchdog ends it when the
        /// test process exits.
        let localBroker: LocalBroker?

        /// A connection to a broker a test started for itself (e.g. to pause it).
        public init(dedicated broker: LocalBroker) {
            configuration = broker.kafkaConfiguration
            kind = .tansu
            localBroker = broker
        }

        init(configuration: KafkaConfiguration, kind: Kind, localBroker: LocalBroker?) {
            self.configuration = configuration
            self.kind = kind
            self.localBroker = localBroker
        }
    }

    private static let shared = Task<Connection, any Error> {
        let environment = ProcessInfo.processInfo.environment
        if let configuration = try KafkaConfiguration.fromEnvironment(environment, clientID: "conformance") {
            return Connection(configuration: configuration, kind: .apacheKafka, localBroker: nil)
        }
        let broker = try await LocalBroker.start(logger: TestLogging.logger("local-broker"))
        return Connection(configuration: broker.kafkaConfiguration, kind: .tansu, localBroker: broker)
    }

    public static func connection() async throws -> Connection { try await shared.value }

    /// A configuration with a distinct client id (visible in broker logs and group descriptions).
    public static func configuration(clientID: String) async throws -> KafkaConfiguration {
        var configuration = try await connection().configuration
        configuration.clientID = clientID
        configuration.statisticsInterval = .seconds(1)
        return configuration
    }
}

/// Unique names so tests running in parallel never share a topic or group.
public enum TestNames {
    public static func unique(_ prefix: String) -> String {
        "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// A new, empty directory under the temporary directory.
    public static func temporaryDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(unique(prefix))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }
}

public enum TestLogging {
    public static func logger(_ label: String) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return logger
    }
}
