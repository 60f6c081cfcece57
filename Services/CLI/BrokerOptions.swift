public import ArgumentParser
import Foundation
import Kafka
import LocalBroker
import Logging

/// Where Kafka is, shared by every subcommand: `--brokers`, else `KAFKA_BOOTSTRAP_SERVERS`, else a
/// local broker this command starts and stops.
struct BrokerOptions: ParsableArguments {
    @Option(name: .customLong("brokers"), help: "Kafka bootstrap servers, host:port[,host:port]. Default: $KAFKA_BOOTSTRAP_SERVERS, else a local broker.")
    var brokers: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Runs `body` against the chosen cluster. A local broker started here is stopped afterwards,
    /// also when `body` throws.
    func withKafka<T>(clientID: String, _ body: (KafkaConfiguration, _ local: LocalBroker?) async throws -> T) async throws -> T {
        try Librdkafka.requireSupportedVersion()
        let logger = CLILogging.bootstrap(level: logLevel)
        let environment = ProcessInfo.processInfo.environment
        let configured: KafkaConfiguration?
        do {
            if let brokers {
                configured = try KafkaConfiguration.make(bootstrapServers: brokers, environment: environment, clientID: clientID)
            } else {
                configured = try KafkaConfiguration.fromEnvironment(environment, clientID: clientID)
            }
        } catch {
            throw ValidationError(error.description)
        }
        if let configured { return try await body(configured, nil) }

        let broker = try await LocalBroker.start(logger: logger)
        do {
            var configuration = broker.kafkaConfiguration
            configuration.clientID = clientID
            let result = try await body(configuration, broker)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

enum CLILogging {
    /// Logs go to stderr so stdout stays for the command's output (tables, JSON lines).
    static func bootstrap(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "fooddelivery")
    }
}
