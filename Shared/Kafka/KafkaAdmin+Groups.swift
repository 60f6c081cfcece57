internal import CRdKafka

extension KafkaAdmin {
    /// Every consumer group the cluster knows.
    public func listGroups() async throws(KafkaError) -> [ConsumerGroupListing] {
        try await request("list groups") { rk, options, queue in
            rd_kafka_ListConsumerGroups(rk, options, queue)
        } extract: { event throws(KafkaError) -> [ConsumerGroupListing] in
            let result = rd_kafka_event_ListConsumerGroups_result(event)
            var count = 0
            guard let listings = rd_kafka_ListConsumerGroups_result_valid(result, &count) else { return [] }
            return (0..<count).map { index in
                let listing = listings[index]
                return ConsumerGroupListing(
                    groupID: String(cString: rd_kafka_ConsumerGroupListing_group_id(listing)),
                    state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(listing))),
                    isSimpleConsumerGroup: rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listing) != 0
                )
            }
            .sorted { $0.groupID < $1.groupID }
        }
    }

    /// A group's state, assignor and members with their assignments.
    public func describeGroup(_ groupID: String) async throws(KafkaError) -> ConsumerGroupDescription {
        try await request("describe group \(groupID)") { rk, options, queue in
            groupID.withCString { id in
                var ids: [UnsafePointer<CChar>?] = [id]
                rd_kafka_DescribeConsumerGroups(rk, &ids, 1, options, queue)
            }
        } extract: { event throws(KafkaError) -> ConsumerGroupDescription in
            let result = rd_kafka_event_DescribeConsumerGroups_result(event)
            var count = 0
            guard let groups = rd_kafka_DescribeConsumerGroups_result_groups(result, &count), count > 0 else {
                throw KafkaError(.admin, "describe group \(groupID): no answer for the group")
            }
            let group = groups[0]
            if let error = rd_kafka_ConsumerGroupDescription_error(group) {
                throw KafkaError(
                    rdError: rd_kafka_error_code(error), context: "describe group \(groupID)",
                    reason: String(cString: rd_kafka_error_string(error)))
            }
            let members = (0..<rd_kafka_ConsumerGroupDescription_member_count(group)).map { index in
                let member = rd_kafka_ConsumerGroupDescription_member(group, index)
                let assignment = rd_kafka_MemberDescription_assignment(member)
                let partitions =
                    rd_kafka_MemberAssignment_partitions(assignment).map {
                        UnsafeMutablePointer(mutating: $0).entries().map(\.0.topicPartition)
                    } ?? []
                return ConsumerGroupDescription.Member(
                    memberID: String(cString: rd_kafka_MemberDescription_consumer_id(member)),
                    clientID: String(cString: rd_kafka_MemberDescription_client_id(member)),
                    host: String(cString: rd_kafka_MemberDescription_host(member)),
                    groupInstanceID: rd_kafka_MemberDescription_group_instance_id(member).map { String(cString: $0) },
                    assignment: partitions.sorted()
                )
            }
            return ConsumerGroupDescription(
                groupID: groupID,
                state: String(cString: rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(group))),
                partitionAssignor: String(cString: rd_kafka_ConsumerGroupDescription_partition_assignor(group)),
                members: members.sorted { $0.memberID < $1.memberID }
            )
        }
    }

    /// The group's committed offsets (OffsetFetch): for `partitions`, or all it has committed.
    public func committedOffsets(group groupID: String, partitions: [TopicPartition]? = nil) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try await request("committed offsets of \(groupID)") { rk, options, queue in
            let list = partitions.map { RdTopicPartitionList($0) }
            var request = rd_kafka_ListConsumerGroupOffsets_new(groupID, list?.pointer)
            defer { rd_kafka_ListConsumerGroupOffsets_destroy(request) }
            rd_kafka_ListConsumerGroupOffsets(rk, &request, 1, options, queue)
        } extract: { event throws(KafkaError) -> [TopicPartitionOffset] in
            var count = 0
            let groups = rd_kafka_ListConsumerGroupOffsets_result_groups(rd_kafka_event_ListConsumerGroupOffsets_result(event), &count)
            return try Self.groupResultOffsets(count > 0 ? groups : nil, groupID)
        }
    }

    /// Moves a group's committed offsets. The group must have no active members (Kafka refuses to
    /// change a live group's offsets: stop its consumers first).
    @discardableResult
    public func resetGroupOffsets(group groupID: String, partitions: [TopicPartition], to target: OffsetResetTarget)
        async throws(KafkaError) -> [TopicPartitionOffset]
    {
        var offsets: [TopicPartitionOffset] = []
        switch target {
        case .offset(let offset):
            offsets = partitions.map { TopicPartitionOffset($0, KafkaOffset(offset)) }
        case .earliest, .latest:
            for partition in partitions {
                let (low, high) = try await queryWatermarks(partition)
                offsets.append(TopicPartitionOffset(partition, KafkaOffset(target == .earliest ? low : high)))
            }
        case .timestamp(let milliseconds):
            let found = try await offsetsForTimes(partitions, milliseconds: milliseconds)
            for partition in partitions {
                // No record at or after that time: the log end.
                let offset: Int64
                if let exact = found[partition] ?? nil { offset = exact } else { offset = try await queryWatermarks(partition).high }
                offsets.append(TopicPartitionOffset(partition, KafkaOffset(offset)))
            }
        }
        return try await alterGroupOffsets(group: groupID, offsets)
    }

    /// Sets a group's committed offsets, each partition its own (AlterConsumerGroupOffsets). The
    /// group must have no active members.
    @discardableResult
    public func alterGroupOffsets(group groupID: String, _ offsets: [TopicPartitionOffset]) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        try await request("reset offsets of \(groupID)") { rk, options, queue in
            let list = RdTopicPartitionList(offsets)
            var request = rd_kafka_AlterConsumerGroupOffsets_new(groupID, list.pointer)
            defer { rd_kafka_AlterConsumerGroupOffsets_destroy(request) }
            rd_kafka_AlterConsumerGroupOffsets(rk, &request, 1, options, queue)
        } extract: { event throws(KafkaError) -> [TopicPartitionOffset] in
            var count = 0
            let groups = rd_kafka_AlterConsumerGroupOffsets_result_groups(rd_kafka_event_AlterConsumerGroupOffsets_result(event), &count)
            return try Self.groupResultOffsets(count > 0 ? groups : nil, groupID)
        }
    }

    private static func groupResultOffsets(_ groups: UnsafeMutablePointer<OpaquePointer?>?, _ groupID: String) throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        guard let group = groups?[0] else { throw KafkaError(.admin, "no result for group \(groupID)") }
        if let error = rd_kafka_group_result_error(group) {
            throw KafkaError(
                rdError: rd_kafka_error_code(error), context: "group \(groupID)", reason: String(cString: rd_kafka_error_string(error)))
        }
        guard let list = rd_kafka_group_result_partitions(group) else { return [] }
        var offsets: [TopicPartitionOffset] = []
        for (entry, error) in UnsafeMutablePointer(mutating: list).entries() {
            try check(error, "offset of \(entry.topicPartition) in group \(groupID)")
            offsets.append(entry)
        }
        return offsets.sorted { $0.topicPartition < $1.topicPartition }
    }
}
