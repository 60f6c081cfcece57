public import Kafka
public import Logging

/// A consumer group as the brokers see it, whatever runs it: its state and members
/// (DescribeGroups), its committed offsets (OffsetFetch) and, per partition, the log end from a
/// Fetch response (never from ListOffsets, which the local broker answers wrongly) and the lag.
public struct GroupReport: Sendable, Codable, Equatable {
    public struct Member: Sendable, Codable, Equatable {
        public var memberID: String
        public var clientID: String
        public var host: String
        public var instanceID: String?
        public var partitions: [String]
    }

    public struct Partition: Sendable, Codable, Equatable {
        public var topic: String
        public var partition: Int32
        /// The next offset the group will read (nil: it has committed none).
        public var committed: Int64?
        public var logEnd: Int64?
        /// Records between the committed offset and the log end (nil: unknown). Negative: the
        /// committed offset lies beyond the log end — the log went backwards (its data lost, the
        /// topic recreated), and a consumer resuming there stops with offsetOutOfRange.
        public var lag: Int64?
        /// The member that owns the partition now (its client id), if any.
        public var owner: String?
    }

    public var group: String
    public var state: String
    public var assignor: String
    public var members: [Member]
    public var partitions: [Partition]

    public var totalLag: Int64 { partitions.compactMap(\.lag).filter { $0 > 0 }.reduce(0, +) }

    /// Collects the report of `group` from the cluster `admin` and `configuration` reach.
    public static func collect(group: String, admin: KafkaAdmin, configuration: KafkaConfiguration, logger: Logger) async throws
        -> GroupReport
    {
        let description = try await admin.describeGroup(group)
        let committed = try await admin.committedOffsets(group: group)
        var owners: [TopicPartition: String] = [:]
        for member in description.members {
            for partition in member.assignment { owners[partition] = member.clientID }
        }
        let topics = Set(committed.map(\.topicPartition.topic)).union(owners.keys.map(\.topic))
        var partitions: [Partition] = []
        for topic in topics.sorted() {
            let metadata = try await admin.metadata(topic: topic).topic(topic)
            let count = metadata?.error == nil ? metadata?.partitions.count ?? 0 : 0
            let ends = try await FetchedLogEnds.read(topic: topic, partitions: count, configuration: configuration, logger: logger)
            // A deleted topic's committed offsets stay: shown, with no log end.
            let all =
                count > 0
                ? (0..<count).map { TopicPartition(topic, Int32($0)) }
                : committed.map(\.topicPartition).filter { $0.topic == topic }
            for partition in all {
                let position = committed.first { $0.topicPartition == partition }?.offset.exact
                let end = ends[partition]
                partitions.append(
                    Partition(
                        topic: topic, partition: partition.partition, committed: position, logEnd: end,
                        lag: position.flatMap { position in end.map { $0 - position } }, owner: owners[partition]))
            }
        }
        return GroupReport(
            group: group, state: description.state, assignor: description.partitionAssignor,
            members: description.members.map {
                Member(
                    memberID: $0.memberID, clientID: $0.clientID, host: $0.host, instanceID: $0.groupInstanceID,
                    partitions: $0.assignment.map(\.description))
            }, partitions: partitions)
    }
}
