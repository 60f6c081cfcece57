public import Kafka
public import Logging

/// Where `groups reset-offsets` moves a group on a topic, in the manner of
/// `kafka-consumer-groups --reset-offsets`.
public enum OffsetResetSpec: Sendable, Equatable, Codable {
    case earliest
    case latest
    /// The first record at or after this time (milliseconds since 1970), else the log end.
    case datetime(Int64)
    /// The committed offset moved by this many records (negative: back), within the log.
    case shiftBy(Int64)
    case offset(Int64)
}

/// The offsets a reset would set, computed from the cluster without changing anything (the dry
/// run), and then set only by `execute`.
public struct OffsetResetPlan: Sendable, Codable, Equatable {
    public struct Row: Sendable, Codable, Equatable {
        public var partition: Int32
        public var current: Int64?
        public var target: Int64
    }

    public var group: String
    public var topic: String
    public var spec: OffsetResetSpec
    public var rows: [Row]

    /// Works out the targets. Log ends come from Fetch responses and times from the exact
    /// record lookup, so the plan holds on any broker.
    public static func make(
        group: String, topic: String, spec: OffsetResetSpec, admin: KafkaAdmin, configuration: KafkaConfiguration, logger: Logger
    ) async throws -> OffsetResetPlan {
        guard let metadata = try await admin.metadata(topic: topic).topic(topic), metadata.error == nil, !metadata.partitions.isEmpty
        else { throw KafkaError(.admin, "no topic \(topic): `fooddelivery topics list` shows the cluster's topics") }
        let partitions = metadata.partitions.map(\.id).sorted()
        let committed = try await admin.committedOffsets(group: group, partitions: partitions.map { TopicPartition(topic, $0) })
        let ends = try await FetchedLogEnds.read(topic: topic, partitions: partitions.count, configuration: configuration, logger: logger)
        var found: [Int32: TimestampOffsetLookup.Answer] = [:]
        if case .datetime(let milliseconds) = spec {
            found = try await TimestampOffsetLookup(configuration: configuration, logger: logger).offsets(
                topic: topic, partitions: partitions, atOrAfter: milliseconds, admin: admin)
        }
        var rows: [Row] = []
        for partition in partitions {
            let tp = TopicPartition(topic, partition)
            let low = try await admin.queryWatermarks(tp).low
            guard let end = ends[tp] else { throw KafkaError(.admin, "the log end of \(tp) could not be read; is its leader up?") }
            let current = committed.first { $0.topicPartition == tp }?.offset.exact
            let target: Int64
            switch spec {
            case .earliest: target = low
            case .latest: target = end
            case .datetime: target = found[partition]?.offset ?? end
            case .shiftBy(let records):
                guard let current else {
                    throw KafkaError(
                        .admin,
                        "\(group) has no committed offset on \(tp) to shift from: reset it --to-earliest, --to-latest or --to-datetime")
                }
                target = current + records
            case .offset(let offset): target = offset
            }
            rows.append(Row(partition: partition, current: current, target: min(max(target, low), end)))
        }
        return OffsetResetPlan(group: group, topic: topic, spec: spec, rows: rows)
    }

    /// Sets the planned offsets. Kafka refuses while the group has members: stop its consumers first.
    public func execute(admin: KafkaAdmin) async throws {
        let description = try await admin.describeGroup(group)
        guard description.members.isEmpty else {
            throw KafkaError(
                .admin,
                "group \(group) has \(description.members.count) active member(s) (\(description.members.map(\.clientID).joined(separator: ", "))); Kafka changes only an inactive group's offsets: stop its consumers, then run this again"
            )
        }
        try await admin.alterGroupOffsets(
            group: group, rows.map { TopicPartitionOffset(TopicPartition(topic, $0.partition), KafkaOffset($0.target)) })
    }
}
