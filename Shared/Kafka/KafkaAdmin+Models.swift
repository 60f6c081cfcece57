/// The cluster as a Metadata response describes it.
public struct ClusterMetadata: Sendable {
    public struct Broker: Sendable, Hashable {
        public var id: Int32
        public var host: String
        public var port: Int32
    }

    public var brokers: [Broker]
    public var topics: [TopicMetadata]
    public var originatingBrokerID: Int32

    public func topic(_ name: String) -> TopicMetadata? { topics.first { $0.name == name } }
}

public struct TopicMetadata: Sendable {
    public var name: String
    public var partitions: [PartitionMetadata]
    /// E.g. UNKNOWN_TOPIC_OR_PART when the topic does not exist.
    public var error: KafkaError?
}

public struct PartitionMetadata: Sendable {
    public var id: Int32
    public var leader: Int32
    public var replicas: [Int32]
    public var inSyncReplicas: [Int32]
    public var error: KafkaError?
}

/// What `createTopic` asks for.
public struct NewTopic: Sendable, Hashable {
    public var name: String
    public var partitions: Int
    /// -1 lets the broker use its `default.replication.factor`.
    public var replicationFactor: Int
    /// Topic configs such as `retention.ms`, `min.insync.replicas`, `cleanup.policy`.
    public var configs: [String: String]

    public init(name: String, partitions: Int, replicationFactor: Int = -1, configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.configs = configs
    }
}

public struct ConfigEntry: Sendable, Hashable {
    public var name: String
    public var value: String?
    public var isDefault: Bool
    public var isReadOnly: Bool
    public var isSensitive: Bool
}

public struct ConsumerGroupListing: Sendable, Hashable {
    public var groupID: String
    /// e.g. Stable, PreparingRebalance, CompletingRebalance, Empty, Dead, Unknown.
    public var state: String
    public var isSimpleConsumerGroup: Bool
}

public struct ConsumerGroupDescription: Sendable, Hashable {
    public struct Member: Sendable, Hashable {
        public var memberID: String
        public var clientID: String
        public var host: String
        public var groupInstanceID: String?
        public var assignment: [TopicPartition]
    }

    public var groupID: String
    public var state: String
    public var partitionAssignor: String
    public var members: [Member]
}

/// Where `resetGroupOffsets` moves a group.
public enum OffsetResetTarget: Sendable, Hashable {
    /// The low watermark (the oldest record still kept).
    case earliest
    /// The high watermark from ListOffsets: wrong on the local Tansu broker (docs/LOCAL-BROKER.md).
    case latest
    case offset(Int64)
    /// The first record at or after this time, from ListOffsets by time: wrong on Tansu.
    case timestamp(milliseconds: Int64)
}
