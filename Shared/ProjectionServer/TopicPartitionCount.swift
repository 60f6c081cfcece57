import Kafka
import Logging

/// The topic's partition count, asked of the cluster once it exists and then remembered (routing
/// needs it to place a key; partitions are only ever added, and adding them moves keys anyway).
actor TopicPartitionCount {
    let topic: String
    private let kafka: KafkaConfiguration
    private let logger: Logger
    private var known: Int?

    init(topic: String, kafka: KafkaConfiguration, logger: Logger) {
        self.topic = topic
        self.kafka = kafka
        self.logger = logger
    }

    /// 0 while the topic does not exist or the cluster cannot be reached.
    func value() async -> Int {
        if let known { return known }
        do {
            let admin = try KafkaAdmin.make(configuration: kafka, logger: logger, requestTimeout: .seconds(3))
            if let metadata = try await admin.metadata(topic: topic, timeout: .seconds(3)).topic(topic), metadata.error == nil,
                !metadata.partitions.isEmpty
            {
                known = metadata.partitions.count
            }
        } catch {
            logger.debug("partition count of \(topic) unknown yet: \(error)")
        }
        return known ?? 0
    }
}
