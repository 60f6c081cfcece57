import Kafka

/// Starts each assigned partition from the offset stored with the read model (the beginning
/// when none is stored), so the read model and its position can never disagree; and before
/// partitions go, commits their stored offsets to Kafka, so the next owner's lag shows true.
struct StoredOffsetsListener: KafkaRebalanceListener {
    let database: ProjectionDatabase
    let topic: String
    private let metrics: ProjectionMetrics

    init(database: ProjectionDatabase, topic: String, metrics: ProjectionMetrics) {
        self.database = database
        self.topic = topic
        self.metrics = metrics
    }

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        metrics.rebalances.increment()
        let stored = try await database.storedOffsets(topic: topic)
        var starts: [TopicPartition: KafkaOffset] = [:]
        for partition in partitions where partition.topic == topic {
            starts[partition] = stored[partition.partition].map { KafkaOffset($0) } ?? .beginning
        }
        return starts
    }

    /// The batch in progress was applied before this callback could run (the runner applies a
    /// batch before it fetches again), so the stored offsets are final for these partitions.
    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        metrics.rebalances.increment()
        guard !lost, let stored = try? await database.storedOffsets(topic: topic) else { return }
        let offsets = partitions.compactMap { tp in stored[tp.partition].map { TopicPartitionOffset(tp, KafkaOffset($0)) } }
        try? await consumer.commit(offsets)
    }
}
