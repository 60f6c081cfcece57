package import ArgumentParser
import Foundation
package import Kafka
package import LocalBroker
package import Logging
package import ServiceRuntime

/// Where Kafka is, shared by every subcommand: `--brokers`, else `KAFKA_BOOTSTRAP_SERVERS`, else a
/// local broker this command starts and stops.
package struct BrokerOptions: ParsableArguments {
    @OptionGroup package var connection: KafkaConnectionOptions

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    package var logLevel: Logger.Level = .info

    package init() {}

    /// Runs `body` against the chosen cluster. A local broker started here is stopped afterwards,
    /// also when `body` throws.
    package func withKafka<T>(clientID: String, _ body: (KafkaConfiguration, _ local: LocalBroker?) async throws -> T) async throws -> T {
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
