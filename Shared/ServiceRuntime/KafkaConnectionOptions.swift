public import ArgumentParser
public import Foundation
public import Kafka

/// `--brokers`, shared by every executable, with the environment as the fallback (read once, at
/// start-up; a broken setting fails here with what to fix).
public struct KafkaConnectionOptions: ParsableArguments {
    @Option(name: .customLong("brokers"), help: "Kafka bootstrap servers, host:port[,host:port]. Default: $KAFKA_BOOTSTRAP_SERVERS.")
    public var brokers: String?

    public init() {}

    /// The configured cluster, or nil when neither `--brokers` nor `KAFKA_BOOTSTRAP_SERVERS` is set.
    public func configuration(clientID: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws
        -> KafkaConfiguration?
    {
        try Librdkafka.requireSupportedVersion()
        do {
            if let brokers { return try KafkaConfiguration.make(bootstrapServers: brokers, environment: environment, clientID: clientID) }
            return try KafkaConfiguration.fromEnvironment(environment, clientID: clientID)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// For services, which need a cluster: fails with what to pass when none is given.
    public func requiredConfiguration(clientID: String) throws -> KafkaConfiguration {
        guard let configuration = try configuration(clientID: clientID) else {
            throw ValidationError(
                "no Kafka given: pass --brokers host:port or set KAFKA_BOOTSTRAP_SERVERS (a local broker: `fooddelivery broker`)")
        }
        return configuration
    }
}
