internal import CRdKafka

/// One partition of one topic.
public struct TopicPartition: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var topic: String
    public var partition: Int32

    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public var description: String { "\(topic)[\(partition)]" }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (lhs.topic, lhs.partition) < (rhs.topic, rhs.partition)
    }
}

/// A position in a partition: an exact offset or one of Kafka's logical offsets.
public struct KafkaOffset: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(_ offset: Int64) {
        precondition(offset >= 0, "use .beginning/.end/.committed for logical offsets")
        rawValue = offset
    }

    private init(logical: Int64) { rawValue = logical }

    /// The first offset still in the log.
    public static let beginning = KafkaOffset(logical: Int64(RD_KAFKA_OFFSET_BEGINNING))
    /// The log end. Derived from ListOffsets: wrong on the local Tansu broker (docs/LOCAL-BROKER.md).
    public static let end = KafkaOffset(logical: Int64(RD_KAFKA_OFFSET_END))
    /// The group's committed offset (falling back to `auto.offset.reset`).
    public static let committed = KafkaOffset(logical: Int64(RD_KAFKA_OFFSET_INVALID))

    public var isLogical: Bool { rawValue < 0 }
    public var exact: Int64? { rawValue >= 0 ? rawValue : nil }

    public var description: String {
        switch self {
        case .beginning: "beginning"
        case .end: "end"
        case .committed: "committed"
        default: String(rawValue)
        }
    }

    init(raw: Int64) { rawValue = raw }
}

/// A partition together with an offset, as used for assignments, seeks and commits.
public struct TopicPartitionOffset: Hashable, Sendable, CustomStringConvertible {
    public var topicPartition: TopicPartition
    public var offset: KafkaOffset

    public init(_ topicPartition: TopicPartition, _ offset: KafkaOffset) {
        self.topicPartition = topicPartition
        self.offset = offset
    }

    public var description: String { "\(topicPartition)@\(offset)" }
}

// MARK: - rd_kafka_topic_partition_list_t

/// An owned `rd_kafka_topic_partition_list_t`, destroyed with the value.
final class RdTopicPartitionList {
    let pointer: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>

    init(_ entries: [TopicPartitionOffset]) {
        pointer = rd_kafka_topic_partition_list_new(Int32(entries.count))
        for entry in entries {
            let element = rd_kafka_topic_partition_list_add(pointer, entry.topicPartition.topic, entry.topicPartition.partition)
            element!.pointee.offset = entry.offset.rawValue
        }
    }

    convenience init(_ partitions: [TopicPartition]) {
        self.init(partitions.map { TopicPartitionOffset($0, .committed) })
    }

    deinit { rd_kafka_topic_partition_list_destroy(pointer) }
}

extension UnsafeMutablePointer<rd_kafka_topic_partition_list_t> {
    /// The entries, with each one's per-partition error (if any).
    func entries() -> [(TopicPartitionOffset, rd_kafka_resp_err_t)] {
        (0..<Int(pointee.cnt)).map { index in
            let element = pointee.elems[index]
            let tp = TopicPartition(String(cString: element.topic), element.partition)
            return (TopicPartitionOffset(tp, KafkaOffset(raw: element.offset)), element.err)
        }
    }
}
