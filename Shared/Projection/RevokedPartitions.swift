import Kafka
import Synchronization

/// The partitions taken from the transform since its last batch: their state is dropped, because
/// another instance may change it before they come back.
final class RevokedPartitions: KafkaRebalanceListener, Sendable {
    private let partitions = Mutex<Set<Int32>>([])

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        self.partitions.withLock { $0.formUnion(partitions.map(\.partition)) }
    }

    func take() -> Set<Int32> {
        partitions.withLock { taken in
            defer { taken = [] }
            return taken
        }
    }
}
