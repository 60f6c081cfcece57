/// The application's say in a rebalance. Both methods run *inside* librdkafka's rebalance
/// callback, on the consumer's own thread, while librdkafka waits:
///
/// - `partitionsAssigned` runs before any record of the new partitions is fetched, so the
///   application can start each partition from offsets in its own store (the projection database
///   in this system) instead of Kafka's committed offsets;
/// - `partitionsRevoked` runs before the partitions go, so the application can finish and persist
///   work for them. When `lost` is true the group has already moved on (this member missed its
///   session timeout): another member may own them, and commits for them will fail.
///
/// Records fetched for a partition that is revoked before the batch is handed out are dropped by
/// the consumer, so an application never sees a record of a partition it no longer owns.
///
/// Both receive the consumer they run on, so a listener never keeps one (the consumer holds its
/// listener: a reference back would keep both alive, librdkafka's handle and connections
/// included). Do not call its `nextBatch`/`close` from here: they run on the thread that is
/// executing this callback. `store`, `commit`, `pause`, `resume` and `seek` are fine.
public protocol KafkaRebalanceListener: Sendable {
    /// Where each partition starts. Partitions missing from the result start at `.committed`.
    /// Throwing fails the consumer (its batches throw): it never fetches from an offset the
    /// application did not choose.
    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset]
    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async
}

extension KafkaRebalanceListener {
    public func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        [:]
    }
    public func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {}
}

/// A rebalance as the consumer reports it (also in logs and `kafka_rebalances_total`).
public enum RebalanceEvent: Sendable, Hashable {
    case assigned([TopicPartitionOffset])
    case revoked([TopicPartition], lost: Bool)
}
