internal import CRdKafka

/// Kafka transactions (KIP-98) for a producer made with `transactionalID`: the records sent
/// between `beginTransaction()` and `commitTransaction()`, and the consumer offsets handed to
/// `sendOffsetsToTransaction`, become visible together or not at all. Consume-transform-produce
/// uses them so that a consumed record's effects and its offset commit happen exactly once.
///
/// A failed call says what to do next through its error: `requiresAbort` — abort, then start the
/// transaction again; `isFatal` — this producer was fenced or broken: close it and make a new one;
/// `isRetriable` — the same call may be repeated. Every call that waits for the coordinator runs
/// off Swift's cooperative pool.
extension KafkaProducer {
    /// Registers the transactional id with its coordinator, aborting what a previous producer with
    /// the same id left open and fencing it. Call once, before the first transaction.
    public func initTransactions(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            try check(rd_kafka_init_transactions(client.handle, Int32(clamping: timeout.milliseconds)), "init transactions")
        }
    }

    /// Starts a transaction: every record sent from now belongs to it.
    public func beginTransaction() throws(KafkaError) {
        try check(rd_kafka_begin_transaction(client.handle), "begin transaction")
    }

    /// Adds `offsets` (the next offsets to read, per partition) of `consumer`'s group to the
    /// transaction: they are committed if and only if the transaction commits.
    public func sendOffsetsToTransaction(
        _ offsets: [TopicPartitionOffset], consumer: KafkaConsumer, timeout: Duration = .seconds(30)
    ) async throws(KafkaError) {
        guard !offsets.isEmpty else { return }
        let (client, consumerClient) = (self.client, consumer.client)
        try await Blocking.run { () throws(KafkaError) in
            guard let metadata = rd_kafka_consumer_group_metadata(consumerClient.handle) else {
                throw KafkaError(.librdkafka, "send offsets to transaction: the consumer has no group metadata (is it a group consumer?)")
            }
            defer { rd_kafka_consumer_group_metadata_destroy(metadata) }
            let list = RdTopicPartitionList(offsets)
            try check(
                rd_kafka_send_offsets_to_transaction(client.handle, list.pointer, metadata, Int32(clamping: timeout.milliseconds)),
                "send offsets \(offsets) to transaction")
        }
    }

    /// Flushes the transaction's records and commits it (records and offsets together).
    public func commitTransaction(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            try check(rd_kafka_commit_transaction(client.handle, Int32(clamping: timeout.milliseconds)), "commit transaction")
        }
    }

    /// Aborts the transaction: its records are marked aborted (a `read_committed` consumer skips
    /// them) and its offsets are not committed.
    public func abortTransaction(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            try check(rd_kafka_abort_transaction(client.handle, Int32(clamping: timeout.milliseconds)), "abort transaction")
        }
    }
}
