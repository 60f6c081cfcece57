import ArgumentParser
import Foundation
import Kafka
import LocalBroker
import Logging
import ServiceRuntime

/// Where Kafka is, shared by every subcommand: `--brokers`, else `KAFKA_BOOTSTRAP_SERVERS`, else a
/// local broker this command starts and stops.
struct BrokerOptions: ParsableArguments {
    @OptionGroup var connection: KafkaConnectionOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// Runs `body` against the chosen cluster. A local broker started here is stopped afterwards,
    /// also when `body` throws.
    func withKafka<T>(clientID: String, _ body: (KafkaConfiguration, _ local: LocalBroker?) async throws -> T) async throws -> T {
        let logger = ServiceLogging.bootstrap(level: logLevel, label: "fooddelivery")
        if let configured = try connection.configuration(clientID: clientID) { return try await body(configured, nil) }

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
