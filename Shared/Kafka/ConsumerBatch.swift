/// What one fetch returns: records in partition order, plus partition-end and error events.
public struct ConsumerBatch: Sendable {
    public var messages: [KafkaConsumerMessage] = []
    /// Partitions that reached their end (offset = the end), when `partitionEOF` is configured.
    public var endOfPartition: [TopicPartitionOffset] = []
    /// Per-partition errors librdkafka reported while fetching (e.g. an offset outside the log).
    /// They are also logged and counted; the consumer goes on with other partitions.
    public var errors: [KafkaError] = []

    public init() {}

    public var isEmpty: Bool { messages.isEmpty && endOfPartition.isEmpty && errors.isEmpty }

    /// The offsets to store after processing this batch: per partition, the last record + 1.
    public var nextOffsets: [TopicPartitionOffset] {
        var next: [TopicPartition: Int64] = [:]
        // Records come in runs per partition: one dictionary update per run, not per record.
        var run: (partition: TopicPartition, next: Int64)?
        func close(_ run: (partition: TopicPartition, next: Int64)) { next[run.partition] = max(next[run.partition] ?? 0, run.next) }
        for message in messages {
            if let current = run, current.partition == message.topicPartition {
                run = (current.partition, max(current.next, message.offset + 1))
            } else {
                if let current = run { close(current) }
                run = (message.topicPartition, message.offset + 1)
            }
        }
        if let run { close(run) }
        return next.sorted { $0.key < $1.key }.map { TopicPartitionOffset($0.key, KafkaOffset($0.value)) }
    }
}

/// One thing the consumer saw, for applications that handle records one by one.
public enum ConsumerEvent: Sendable {
    case message(KafkaConsumerMessage)
    case endOfPartition(TopicPartitionOffset)
    case error(KafkaError)
}
