import Kafka

/// Starts each assigned partition from the offset stored with the read model (the beginning
/// when none is stored), so the read model and its position can never disagree.
struct StoredOffsetsListener: KafkaRebalanceListener {
    let database: ProjectionDatabase
    let topic: String

    func partitionsAssigned(_ partitions: [TopicPartition]) async throws -> [TopicPartition: KafkaOffset] {
        let stored = try await database.storedOffsets(topic: topic)
        var starts: [TopicPartition: KafkaOffset] = [:]
        for partition in partitions where partition.topic == topic {
            starts[partition] = stored[partition.partition].map { KafkaOffset($0) } ?? .beginning
        }
        return starts
    }
}
