internal import CRdKafka
public import Logging

/// Cluster administration: topics, consumer groups, offsets and watermarks.
///
/// Every request waits for its answer off Swift's cooperative pool; errors per resource become
/// `KafkaError`s naming the resource.
public final class KafkaAdmin: Sendable {
    let client: RdKafkaClient
    private let pollThread: PollThread
    public let requestTimeout: Duration

    public static func make(configuration: KafkaConfiguration, logger: Logger, requestTimeout: Duration = .seconds(15)) throws(KafkaError)
        -> KafkaAdmin
    {
        let events = ClientEvents(logger: logger, metrics: KafkaMetrics(clientID: configuration.clientID))
        var properties = configuration.librdkafkaProperties()
        // A Metadata request must describe the cluster, not create the topic it asks about.
        properties["allow.auto.create.topics"] = "false"
        properties.merge(configuration.overrides) { _, new in new }
        let client = try RdKafkaClient.make(kind: .producer, properties: properties, events: events)
        return KafkaAdmin(client: client, requestTimeout: requestTimeout)
    }

    private init(client: RdKafkaClient, requestTimeout: Duration) {
        self.client = client
        self.requestTimeout = requestTimeout
        self.pollThread = PollThread(client: client, name: "kafka-admin-poll")
    }

    deinit { pollThread.requestStop() }

    public var lastError: KafkaError? { client.events.lastError }

    // MARK: - Metadata

    /// Brokers and topics (all topics, or just `topic`) as the cluster reports them.
    public func metadata(topic: String? = nil, timeout: Duration? = nil) async throws(KafkaError) -> ClusterMetadata {
        try await client.metadata(topic: topic, timeout: timeout ?? requestTimeout)
    }

    // MARK: - Watermarks

    /// Low and high watermark from a ListOffsets request.
    ///
    /// On Apache Kafka this is the truth. On the local Tansu broker the *high* watermark is wrong
    /// (the base offset of the newest batch + 1; docs/LOCAL-BROKER.md): never decide "caught up" from it
    /// there. Consumers have `cachedWatermarks`, taken from Fetch responses, which are right.
    public func queryWatermarks(_ partition: TopicPartition, timeout: Duration? = nil) async throws(KafkaError) -> (low: Int64, high: Int64)
    {
        let client = self.client
        let timeoutMs = Int32(clamping: (timeout ?? requestTimeout).milliseconds)
        return try await Blocking.run { () throws(KafkaError) -> (low: Int64, high: Int64) in
            var low: Int64 = -1
            var high: Int64 = -1
            try check(
                rd_kafka_query_watermark_offsets(client.handle, partition.topic, partition.partition, &low, &high, timeoutMs),
                "watermarks of \(partition)")
            return (low, high)
        }
    }

    /// The earliest offset whose record timestamp is >= `milliseconds` (ListOffsets by time), or
    /// `nil` when no such record exists. Wrong on the local Tansu broker (answers 0).
    public func offsetsForTimes(_ partitions: [TopicPartition], milliseconds: Int64, timeout: Duration? = nil) async throws(KafkaError)
        -> [TopicPartition: Int64?]
    {
        let client = self.client
        let timeoutMs = Int32(clamping: (timeout ?? requestTimeout).milliseconds)
        return try await Blocking.run { () throws(KafkaError) -> [TopicPartition: Int64?] in
            let list = RdTopicPartitionList(partitions.map { TopicPartitionOffset($0, KafkaOffset(milliseconds)) })
            try check(rd_kafka_offsets_for_times(client.handle, list.pointer, timeoutMs), "offsets for time \(milliseconds)")
            var result: [TopicPartition: Int64?] = [:]
            for (entry, error) in list.pointer.entries() {
                try check(error, "offset for time \(milliseconds) in \(entry.topicPartition)")
                result[entry.topicPartition] = entry.offset.exact
            }
            return result
        }
    }

    // MARK: - Request plumbing

    /// Sends one admin request and waits for its result event. `extract` reads the event (it is
    /// destroyed afterwards, so `extract` must copy what it needs). Cancelling the waiting task
    /// stops the wait within a tenth of a second (the request itself runs out in librdkafka), so a
    /// caller that shuts down or keeps a deadline never waits out a silent broker.
    func request<T: Sendable>(
        _ what: String,
        send: @escaping @Sendable (_ rk: OpaquePointer, _ options: OpaquePointer, _ queue: OpaquePointer) -> Void,
        extract: @escaping @Sendable (_ event: OpaquePointer) throws(KafkaError) -> T
    ) async throws(KafkaError) -> T {
        let client = self.client
        let timeout = requestTimeout
        let cancelled = CancellationFlag()
        let result: Result<T, KafkaError> = await withTaskCancellationHandler {
            await Blocking.run { () -> Result<T, KafkaError> in
                Result { () throws(KafkaError) -> T in
                    let queue = rd_kafka_queue_new(client.handle)!
                    defer { rd_kafka_queue_destroy(queue) }
                    let options = rd_kafka_AdminOptions_new(client.handle, RD_KAFKA_ADMIN_OP_ANY)!
                    defer { rd_kafka_AdminOptions_destroy(options) }
                    var errorText = [CChar](repeating: 0, count: 256)
                    _ = rd_kafka_AdminOptions_set_request_timeout(
                        options, Int32(clamping: timeout.milliseconds), &errorText, errorText.count)
                    // Topic changes are answered once the controller has made them (ignored by other requests).
                    _ = rd_kafka_AdminOptions_set_operation_timeout(
                        options, Int32(clamping: timeout.milliseconds), &errorText, errorText.count)
                    send(client.handle, options, queue)
                    // The request carries its own timeout; wait a little longer for its answer.
                    let deadline = ContinuousClock.now + timeout + .seconds(5)
                    var answer: OpaquePointer?
                    while answer == nil {
                        if cancelled.isSet { throw KafkaError(.cancelled, "\(what): cancelled while waiting for the answer") }
                        guard ContinuousClock.now < deadline else {
                            throw KafkaError(.timeout, "\(what): no answer within \(timeout)", isRetriable: true)
                        }
                        answer = rd_kafka_queue_poll(queue, 100)
                    }
                    return try Self.read(answer!, what, extract)
                }
            }
        } onCancel: {
            cancelled.set()
        }
        return try result.get()
    }

    /// The result of one admin request's event, which it destroys.
    private static func read<T>(_ event: OpaquePointer, _ what: String, _ extract: (_ event: OpaquePointer) throws(KafkaError) -> T)
        throws(KafkaError) -> T
    {
        defer { rd_kafka_event_destroy(event) }
        let code = rd_kafka_event_error(event)
        if code != RD_KAFKA_RESP_ERR_NO_ERROR {
            throw KafkaError(rdError: code, context: what, reason: rd_kafka_event_error_string(event).map { String(cString: $0) })
        }
        return try extract(event)
    }
}

extension ClusterMetadata {
    init(_ m: rd_kafka_metadata) {
        brokers = (0..<Int(m.broker_cnt)).map { index in
            let broker = m.brokers[index]
            return Broker(id: broker.id, host: String(cString: broker.host), port: broker.port)
        }
        topics = (0..<Int(m.topic_cnt)).map { index in
            let topic = m.topics[index]
            let name = String(cString: topic.topic)
            let partitions = (0..<Int(topic.partition_cnt)).map { p in
                let partition = topic.partitions[p]
                return PartitionMetadata(
                    id: partition.id, leader: partition.leader,
                    replicas: (0..<Int(partition.replica_cnt)).map { partition.replicas[$0] },
                    inSyncReplicas: (0..<Int(partition.isr_cnt)).map { partition.isrs[$0] },
                    error: partition.err == RD_KAFKA_RESP_ERR_NO_ERROR
                        ? nil : KafkaError(rdError: partition.err, context: "partition \(name)[\(partition.id)]")
                )
            }
            .sorted { $0.id < $1.id }
            let error = topic.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(rdError: topic.err, context: "topic \(name)")
            return TopicMetadata(name: name, partitions: partitions, error: error)
        }
        .sorted { $0.name < $1.name }
        originatingBrokerID = m.orig_broker_id
    }
}
