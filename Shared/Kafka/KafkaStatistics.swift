/// The parts of librdkafka's statistics (STATISTICS.md) this system reads.
///
/// Per-partition `highWatermark` and `consumerLag` come from Fetch responses, which are right even
/// on the local Tansu broker, whose ListOffsets answer is not (docs/LOCAL-BROKER.md).
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

    /// A connection to one broker (bootstrap connections have node id -1).
    public struct Broker: Decodable, Sendable {
        public var name: String
        public var nodeID: Int32?
        public var state: String?
        /// Requests sent and not yet answered.
        public var waitingResponses: Int64?
        /// Microseconds since anything was received on this connection (-1: nothing yet).
        public var receiveIdleMicroseconds: Int64?

        enum CodingKeys: String, CodingKey {
            case name, state
            case nodeID = "nodeid"
            case waitingResponses = "waitresp_cnt"
            case receiveIdleMicroseconds = "rxidle"
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
    public var brokers: [String: Broker]?

    enum CodingKeys: String, CodingKey {
        case name, type, topics, brokers
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

    /// Brokers that owe this client answers yet have sent nothing for at least `threshold`: a
    /// stopped, unreachable or overwhelmed broker. A healthy consumer always has a fetch waiting
    /// and gets its answer within `fetch.wait.max.ms`, and heartbeats every second or so; an idle
    /// producer waits for nothing, so it is never called silent merely for being quiet.
    public func silentBrokers(threshold: Duration) -> [(name: String, silentFor: Duration, waiting: Int64)] {
        let limit = threshold.microseconds
        return (brokers ?? [:]).values.compactMap { broker in
            guard let waiting = broker.waitingResponses, waiting > 0, let idle = broker.receiveIdleMicroseconds, idle >= limit else {
                return nil
            }
            return (broker.name, .microseconds(idle), waiting)
        }
        .sorted { $0.name < $1.name }
    }
}
