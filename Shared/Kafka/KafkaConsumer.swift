internal import CRdKafka
import Dispatch
public import Logging
import ServiceLifecycle
import Synchronization

/// A Kafka group consumer (or, after `assign`, a consumer of chosen partitions).
///
/// Records arrive in batches (`nextBatch`, `batches`) or one by one (`events`). Every fetch runs on
/// the consumer's own thread, and so do rebalances: the `KafkaRebalanceListener` runs inside the
/// assign/revoke callback, so the application chooses the starting offsets at assign time.
///
/// Offsets are never stored or committed behind the application's back: `store`, `commit` and
/// `commitAsync` are explicit.
public final class KafkaConsumer: Sendable {
    let client: RdKafkaClient
    let rebalance: RebalanceCoordinator
    /// The consumer's own thread: fetches, rebalance callbacks and close run here, serially.
    let thread: DispatchQueue
    let closing = Atomic<Bool>(false)
    /// Set by `stopFetching()`: batches end, and the owner then closes.
    let stopped = Atomic<Bool>(false)
    public let configuration: KafkaConsumerConfiguration

    public static func make(
        configuration: KafkaConsumerConfiguration, rebalanceListener: (any KafkaRebalanceListener)? = nil, logger: Logger
    ) throws(KafkaError) -> KafkaConsumer {
        let metrics = KafkaMetrics(clientID: configuration.common.clientID)
        let rebalance = RebalanceCoordinator(listener: rebalanceListener, logger: logger, metrics: metrics)
        let events = ClientEvents(logger: logger, metrics: metrics, rebalance: rebalance)
        let client = try RdKafkaClient.make(kind: .consumer, properties: configuration.librdkafkaProperties(), events: events) {
            rd_kafka_conf_set_rebalance_cb($0, rebalanceCallback)
            rd_kafka_conf_set_offset_commit_cb($0, offsetCommitCallback)
        }
        // Serve errors, statistics and logs from the same poll that fetches records.
        try check(rd_kafka_poll_set_consumer(client.handle), "poll_set_consumer")
        return KafkaConsumer(client: client, rebalance: rebalance, configuration: configuration)
    }

    private init(client: RdKafkaClient, rebalance: RebalanceCoordinator, configuration: KafkaConsumerConfiguration) {
        self.client = client
        self.rebalance = rebalance
        self.configuration = configuration
        self.thread = DispatchQueue(label: "kafka-consumer.\(configuration.groupID)")
        rebalance.attach(self)
    }

    deinit {
        if !closing.load(ordering: .acquiring) {
            let group = configuration.groupID
            let timeout = configuration.sessionTimeout
            client.events.logger.warning(
                "a KafkaConsumer of group \(group) was released without close(); it did not leave the group, so its partitions move only after the session timeout (\(timeout))"
            )
        }
    }

    // MARK: - Subscription and assignment

    /// Joins the group and subscribes to `topics`; partitions arrive through rebalances.
    public func subscribe(_ topics: [String]) throws(KafkaError) {
        let list = RdTopicPartitionList(topics.map { TopicPartition($0, Int32(RD_KAFKA_PARTITION_UA)) })
        try check(rd_kafka_subscribe(client.handle, list.pointer), "subscribe to \(topics)")
    }

    /// Leaves the group and joins it again with the same subscription, so the group rebalances
    /// and hands out every partition anew. Kafka rebalances by itself whenever a member joins,
    /// leaves or misses its session timeout; this is the remedy for a coordinator that did not
    /// (the local broker was seen to drop a dead member and leave its partitions without an
    /// owner). The revoke and the new assignment run through the rebalance listener as usual.
    /// (Unsubscribing and subscribing wait for librdkafka's main thread, so they run off the
    /// cooperative pool.)
    public func rejoinGroup() async throws(KafkaError) {
        let client = self.client
        try await Blocking.run { () throws(KafkaError) in
            var current: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?
            try check(rd_kafka_subscription(client.handle, &current), "read the subscription")
            guard let current else { return }
            defer { rd_kafka_topic_partition_list_destroy(current) }
            try check(rd_kafka_unsubscribe(client.handle), "unsubscribe")
            try check(rd_kafka_subscribe(client.handle, current), "subscribe again")
        }
    }

    /// Learns the topic's partition leaders, so that an `assign` that follows starts fetching at
    /// once: a new client that is assigned partitions before it knows their leaders retries its
    /// first offset lookup only after librdkafka's 500 ms backoff (measured: 0.5–0.7 s before the
    /// first record of every replay).
    public func loadMetadata(topic: String, timeout: Duration = .seconds(10)) async throws(KafkaError) {
        _ = try await client.metadata(topic: topic, timeout: timeout)
    }

    /// Reads exactly these partitions from these offsets, without group management.
    public func assign(_ partitions: [TopicPartitionOffset]) throws(KafkaError) {
        let list = RdTopicPartitionList(partitions)
        try check(rd_kafka_assign(client.handle, list.pointer), "assign \(partitions)")
        rebalance.manuallyAssigned(partitions)
    }

    /// The partitions this member owns right now.
    public var assignment: [TopicPartition] { rebalance.assignment.sorted() }
    /// Recent assigns and revokes, oldest first.
    public var rebalanceHistory: [RebalanceEvent] { rebalance.history }

    /// This member's id in the group, once it has joined.
    public var memberID: String? {
        guard let id = rd_kafka_memberid(client.handle) else { return nil }
        defer { rd_kafka_mem_free(client.handle, id) }
        let text = String(cString: id)
        return text.isEmpty ? nil : text
    }

    // MARK: - Fetching

    /// Waits for records and returns up to `maxMessages` of them: once the first record has
    /// arrived, the batch closes at `maxMessages` or when `maxWait` has passed. With `idleTimeout`,
    /// an empty batch comes back when nothing arrives for that long; without, it waits. Rebalances
    /// are served while it waits. Returns `nil` once the consumer is closed. Throws on a fatal
    /// client error or a failed rebalance listener.
    public func nextBatch(
        maxMessages: Int = 1000, maxWait: Duration = .milliseconds(10), idleTimeout: Duration? = nil
    ) async throws(KafkaError) -> ConsumerBatch? {
        try await Blocking.run(on: thread) { [self] () throws(KafkaError) -> ConsumerBatch? in
            try collectBatch(maxMessages: maxMessages, maxWait: maxWait, idleTimeout: idleTimeout)
        }
    }

    /// Runs on `thread`. Polls in short slices so `close` is never stuck behind an idle wait.
    private func collectBatch(maxMessages: Int, maxWait: Duration, idleTimeout: Duration?) throws(KafkaError) -> ConsumerBatch? {
        var batch = ConsumerBatch()
        var deadline: ContinuousClock.Instant?
        let idleDeadline = idleTimeout.map { ContinuousClock.now + $0 }
        var nextGuardCheck = ContinuousClock.now
        var topicNames = TopicNames()
        _ = rebalance.takeRevoked()
        defer { rebalance.logEndGuard.advance(batch.nextOffsets) }
        while batch.messages.count < maxMessages {
            // One clock read per poll: the guard's schedule and the deadlines share it.
            let now = ContinuousClock.now
            if now >= nextGuardCheck {
                nextGuardCheck = now + .milliseconds(250)
                reportPositionsBeyondLogEnd(into: &batch)
                if !batch.errors.isEmpty && batch.messages.isEmpty { break }
            }
            if closing.load(ordering: .acquiring) || stopped.load(ordering: .acquiring) { return batch.isEmpty ? nil : batch }
            if let fatal = client.events.fatalError { throw fatal }
            if let failure = rebalance.failure { throw failure }
            let timeout: Int32
            if let deadline {
                let remaining = deadline - now
                if remaining <= .zero { break }
                timeout = Int32(clamping: max(remaining.milliseconds, 1))
            } else if let idleDeadline {
                let remaining = idleDeadline - now
                if remaining <= .zero { break }
                timeout = Int32(clamping: min(max(remaining.milliseconds, 1), 100))
            } else {
                timeout = 100
            }
            let message = rd_kafka_consumer_poll(client.handle, timeout)
            // A revoke served inside that poll invalidates what this batch already holds for the
            // revoked partitions; the record the poll returned (if any) is already post-rebalance.
            let revoked = rebalance.takeRevoked()
            if !revoked.isEmpty {
                batch.messages.removeAll { revoked.contains($0.topicPartition) }
                batch.endOfPartition.removeAll { revoked.contains($0.topicPartition) }
            }
            guard let message else { continue }
            append(message, to: &batch, topicNames: &topicNames)
            rd_kafka_message_destroy(message)
            if deadline == nil && !batch.isEmpty { deadline = .now + maxWait }
        }
        client.events.metrics.consumed(batch.messages.count)
        return batch
    }

    /// See `LogEndGuard`: a position beyond the log end is paused and reported, never skipped.
    private func reportPositionsBeyondLogEnd(into batch: inout ConsumerBatch) {
        let violations = rebalance.logEndGuard.check { [self] partition in cachedWatermarks(partition)?.high }
        for violation in violations {
            let list = RdTopicPartitionList([violation.partition])
            _ = rd_kafka_pause_partitions(client.handle, list.pointer)
            let error = KafkaError(
                .offsetOutOfRange,
                "\(violation.partition): the next offset to read, \(violation.position), is beyond the log end \(violation.logEnd). "
                    + "The broker lost records this consumer already processed (a restarted in-memory broker, a deleted and "
                    + "recreated topic, or an unclean leader election). The partition is paused; nothing was skipped. Rebuild the "
                    + "consumer's state from the log (replay from the beginning) or seek deliberately."
            )
            client.events.record(error)
            batch.errors.append(error)
        }
    }

    private func append(
        _ message: UnsafeMutablePointer<rd_kafka_message_t>, to batch: inout ConsumerBatch, topicNames: inout TopicNames
    ) {
        let m = message.pointee
        switch m.err {
        case RD_KAFKA_RESP_ERR_NO_ERROR:
            batch.messages.append(KafkaConsumerMessage(copying: message, topic: topicNames.name(of: m.rkt)))
        case RD_KAFKA_RESP_ERR__PARTITION_EOF:
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? ""
            batch.endOfPartition.append(TopicPartitionOffset(TopicPartition(topic, m.partition), KafkaOffset(raw: m.offset)))
        default:
            let topic = m.rkt.map { String(cString: rd_kafka_topic_name($0)) } ?? "?"
            let reason = rd_kafka_message_errstr(message).map { String(cString: $0) }
            let error = KafkaError(rdError: m.err, context: "consuming \(topic)[\(m.partition)]", reason: reason)
            client.events.record(error)
            batch.errors.append(error)
        }
    }

    /// Batches until the consumer closes. See `nextBatch`.
    public func batches(maxMessages: Int = 1000, maxWait: Duration = .milliseconds(10)) -> Batches {
        Batches(consumer: self, maxMessages: maxMessages, maxWait: maxWait)
    }

    /// Records, partition ends and errors one by one, until the consumer closes.
    public var events: Events { Events(batches: batches()) }
}

private let rebalanceCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
    ) -> Void = { rk, code, partitions, opaque in
        guard let rk, let partitions, let coordinator = ClientEvents.from(opaque)?.rebalance else { return }
        coordinator.handle(rk, code, partitions)
    }

private let offsetCommitCallback:
    @convention(c) (
        OpaquePointer?, rd_kafka_resp_err_t, UnsafeMutablePointer<rd_kafka_topic_partition_list_t>?, UnsafeMutableRawPointer?
    ) -> Void = { _, code, partitions, opaque in
        guard let events = ClientEvents.from(opaque) else { return }
        // _NO_OFFSET: nothing was stored to commit; not an error.
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR && code != RD_KAFKA_RESP_ERR__NO_OFFSET else { return }
        let what = partitions.map { $0.entries().map { "\($0.0)" }.joined(separator: ", ") } ?? ""
        events.record(KafkaError(rdError: code, context: "commit \(what)"))
    }
