/// The parts of librdkafka's statistics (STATISTICS.md) this system reads.
///
/// Per-partition `highWatermark` and `consumerLag` come from Fetch responses, which are right even
/// on the local Tansu broker, whose ListOffsets answer is not (BROKER-NOTES.md).
public struct KafkaStatistics: Decodable, Sendable {
    public struct Partition: Decodable, Sendable {
        public var partition: Int32
        public var highWatermark: Int64?
        public var lowWatermark: Int64?
        public var consumerLag: Int64?
        public var storedOffset: Int64?
        public var committedOffset: Int64?
        public var queuedMessages: Int64?
        public var fetchState: String?

        enum CodingKeys: String, CodingKey {
            case partition
            case highWatermark = "hi_offset"
            case lowWatermark = "lo_offset"
            case consumerLag = "consumer_lag"
            case storedOffset = "stored_offset"
            case committedOffset = "committed_offset"
            case queuedMessages = "msgq_cnt"
            case fetchState = "fetch_state"
        }
    }

    public struct Topic: Decodable, Sendable {
        public var topic: String
        public var partitions: [String: Partition]
    }

    public struct ConsumerGroup: Decodable, Sendable {
        public var state: String?
        public var joinState: String?
        public var rebalanceCount: Int64?
        public var assignmentSize: Int64?

        enum CodingKeys: String, CodingKey {
            case state
            case joinState = "join_state"
            case rebalanceCount = "rebalance_cnt"
            case assignmentSize = "assignment_size"
        }
    }

    public var name: String
    public var type: String
    /// Messages waiting in the producer's queues or in flight.
    public var queuedMessages: Int64?
    public var transmittedMessages: Int64?
    public var receivedMessages: Int64?
    public var topics: [String: Topic]?
    public var consumerGroup: ConsumerGroup?

    enum CodingKeys: String, CodingKey {
        case name, type, topics
        case queuedMessages = "msg_cnt"
        case transmittedMessages = "txmsgs"
        case receivedMessages = "rxmsgs"
        case consumerGroup = "cgrp"
    }

    /// Real partitions only (librdkafka reports an internal partition -1 per topic).
    public var partitions: [(TopicPartition, Partition)] {
        (topics ?? [:]).values.flatMap { topic in
            topic.partitions.values.filter { $0.partition >= 0 }.map { (TopicPartition(topic.topic, $0.partition), $0) }
        }
        .sorted { $0.0 < $1.0 }
    }
}
