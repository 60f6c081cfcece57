internal import CRdKafka

// Offsets: storing, committing, reading back, seeking; and pausing and resuming partitions.
extension KafkaConsumer {
    /// Marks offsets as processed (the *next* offset to read) for the next commit.
    public func store(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RdTopicPartitionList(offsets)
        try check(rd_kafka_offsets_store(client.handle, list.pointer), "store offsets")
        for (entry, error) in list.pointer.entries() where error != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(rdError: error, context: "store offset \(entry)")
        }
    }

    /// Commits offsets to the group and waits for the coordinator's answer.
    public func commit(_ offsets: [TopicPartitionOffset]) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            let list = RdTopicPartitionList(offsets)
            try check(rd_kafka_commit(client.handle, list.pointer, 0), "commit \(offsets)")
        }
    }

    /// Starts a commit and returns; a failure is logged and counted when the answer arrives.
    public func commitAsync(_ offsets: [TopicPartitionOffset]) throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let list = RdTopicPartitionList(offsets)
        try check(rd_kafka_commit(client.handle, list.pointer, 1), "commit \(offsets)")
    }

    /// The group's committed offsets for these partitions, from the coordinator.
    public func committed(_ partitions: [TopicPartition], timeout: Duration = .seconds(10)) async throws(KafkaError)
        -> [TopicPartitionOffset]
    {
        let client = self.client
        return try await Blocking.run { () throws(KafkaError) -> [TopicPartitionOffset] in
            let list = RdTopicPartitionList(partitions)
            try check(rd_kafka_committed(client.handle, list.pointer, Int32(clamping: timeout.milliseconds)), "committed offsets")
            return list.pointer.entries().map(\.0)
        }
    }

    /// Moves the fetch position. Records fetched before the seek are discarded by librdkafka.
    public func seek(_ offsets: [TopicPartitionOffset], timeout: Duration = .seconds(10)) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            let list = RdTopicPartitionList(offsets)
            try check(rd_kafka_seek_partitions(client.handle, list.pointer, Int32(clamping: timeout.milliseconds)), "seek \(offsets)")
            for (entry, error) in list.pointer.entries() where error != RD_KAFKA_RESP_ERR_NO_ERROR {
                throw KafkaError(rdError: error, context: "seek \(entry)")
            }
        }
        rebalance.logEndGuard.start(offsets)
    }

    public func pause(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RdTopicPartitionList(partitions)
        try check(rd_kafka_pause_partitions(client.handle, list.pointer), "pause \(partitions)")
    }

    public func resume(_ partitions: [TopicPartition]) throws(KafkaError) {
        let list = RdTopicPartitionList(partitions)
        try check(rd_kafka_resume_partitions(client.handle, list.pointer), "resume \(partitions)")
    }

    /// Low and high watermark as last seen in Fetch responses (no broker round trip). These are
    /// right even where ListOffsets is not (the local Tansu broker); `nil` before the first fetch.
    public func cachedWatermarks(_ partition: TopicPartition) -> (low: Int64, high: Int64)? {
        var low: Int64 = -1
        var high: Int64 = -1
        let code = rd_kafka_get_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high)
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR, high >= 0 else { return nil }
        return (low, high)
    }

    public var lastError: KafkaError? { client.events.lastError }
    public var statistics: KafkaStatistics? { client.events.statistics }
}
