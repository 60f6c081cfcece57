public import ArgumentParser
public import Kafka

/// Which broker a consumer service's client settings are tuned for. `kafka` is librdkafka's and
/// Kafka's own defaults (cooperative-sticky, a 45 s session, a 500 ms fetch wait); `local` is the
/// local Tansu broker's profile (`KafkaConsumerConfiguration.localBroker`), which `fooddelivery up`
/// and the tests apply when they run against it. An explicit flag wins over either.
public enum KafkaProfile: String, Codable, Sendable, CaseIterable, ExpressibleByArgument {
    case kafka
    case local
}

extension KafkaProfile {
    /// A consumer's settings for this profile, in `group`.
    public func consumerConfiguration(common: KafkaConfiguration, group: String) -> KafkaConsumerConfiguration {
        switch self {
        case .kafka: KafkaConsumerConfiguration(common: common, groupID: group)
        case .local: KafkaConsumerConfiguration.localBroker(common: common, groupID: group)
        }
    }
}
