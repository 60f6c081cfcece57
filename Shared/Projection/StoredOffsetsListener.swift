import Kafka

/// Starts each assigned partition from the offset stored with the service's state (or
/// `whenNoneStored`), so the state and its position can never disagree; and before partitions go,
/// commits their stored offsets to Kafka, so the next owner's lag shows true.
struct StoredOffsetsListener: KafkaRebalanceListener {
    /// The next offset per partition of a topic, as stored with the state.
    let stored: @Sendable (_ topic: String) async throws -> [Int32: Int64]
    /// Whether a partition starts at least at the group's committed offset. A read model needs
    /// every event, so it starts where its own rows are (the beginning when it has none). A
    /// decider must not decide again what another instance decided while it owned the partition:
    /// it starts at the later of its stored offset and the group's committed one.
    var atLeastCommitted = false
    let onRebalance: @Sendable () -> Void
    /// Partitions this member no longer owns (lost or handed over).
    var onRevoke: @Sendable ([TopicPartition]) -> Void = { _ in }

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        onRebalance()
        var starts: [TopicPartition: KafkaOffset] = [:]
        var committed: [TopicPartition: Int64] = [:]
        if atLeastCommitted {
            for offset in try await consumer.committed(partitions) { committed[offset.topicPartition] = offset.offset.exact }
        }
        for topic in Set(partitions.map(\.topic)) {
            let offsets = try await stored(topic)
            for partition in partitions where partition.topic == topic {
                let start = [offsets[partition.partition], committed[partition]].compactMap { $0 }.max()
                starts[partition] = start.map { KafkaOffset($0) } ?? .beginning
            }
        }
        return starts
    }

    /// The batch in progress was applied before this callback could run (the runner applies a
    /// batch before it fetches again), so the stored offsets are final for these partitions.
    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        onRebalance()
        onRevoke(partitions)
        guard !lost else { return }
        var offsets: [TopicPartitionOffset] = []
        for topic in Set(partitions.map(\.topic)) {
            guard let stored = try? await stored(topic) else { continue }
            offsets += partitions.filter { $0.topic == topic }.compactMap { tp in
                stored[tp.partition].map { TopicPartitionOffset(tp, KafkaOffset($0)) }
            }
        }
        try? await consumer.commit(offsets)
    }
}
