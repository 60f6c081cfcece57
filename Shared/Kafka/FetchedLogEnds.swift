public import Logging

/// The log end of partitions nobody is fetching, as a Fetch response states it.
///
/// A group member knows the log end of its own partitions from its fetches; for the others it
/// would ask ListOffsets, which the local Tansu broker answers wrongly (the base offset of the
/// newest batch + 1: short by up to a whole batch). A fetch from a known position answers
/// correctly on every broker, so this reads one from each partition with a short-lived consumer
/// outside any group, and keeps only the high watermarks.
public enum FetchedLogEnds {
    /// The log end of each of `topic`'s first `partitions` partitions.
    public static func read(topic: String, partitions: Int, configuration: KafkaConfiguration, logger: Logger) async throws
        -> [TopicPartition: Int64]
    {
        try await read(
            (0..<partitions).map { TopicPartitionOffset(TopicPartition(topic, Int32($0)), .beginning) }, configuration: configuration,
            logger: logger)
    }

    public static func read(
        _ positions: [TopicPartitionOffset], configuration: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(3)
    ) async throws -> [TopicPartition: Int64] {
        guard let topic = positions.first?.topicPartition.topic else { return [:] }
        let adjust = { (settings: inout KafkaConsumerConfiguration) in
            // One small fetch per partition is all it needs.
            settings.prefetchMessages = 1
            settings.prefetchKilobytes = 64
            settings.fetchWaitMax = .milliseconds(10)
        }
        return try await KafkaConsumer.withStandalone(configuration: configuration, logger: logger, adjust: adjust) { consumer in
            try await consumer.loadMetadata(topic: topic)
            try consumer.assign(positions)
            var ends: [TopicPartition: Int64] = [:]
            let deadline = ContinuousClock.now + timeout
            while ends.count < positions.count && ContinuousClock.now < deadline {
                _ = try await consumer.nextBatch(maxMessages: 1, maxWait: .milliseconds(10), idleTimeout: .milliseconds(100))
                for position in positions {
                    if let high = consumer.cachedWatermarks(position.topicPartition)?.high, high >= 0 {
                        ends[position.topicPartition] = high
                    }
                }
            }
            return ends
        }
    }
}
