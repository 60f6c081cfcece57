internal import CRdKafka
public import Logging
public import ServiceLifecycle
import Synchronization

/// An idempotent Kafka producer (`acks=all`).
///
/// Two ways to send:
/// - `send(_:)` awaits the record's delivery report and returns it (or throws its error);
/// - `enqueue(_:)` returns at once with an id; the report arrives later on `deliveryReports`.
///   Applications that enqueue must consume `deliveryReports`.
///
/// A dedicated poll thread serves delivery reports; when librdkafka's queue is full, senders wait
/// (asynchronously) for room instead of failing. `close()` flushes what is queued.
public final class KafkaProducer: Sendable {
    let client: RdKafkaClient
    private let pollThread: PollThread
    private let nextID = Atomic<UInt64>(1)
    private let closed = Atomic<Bool>(false)
    private let reportsContinuation: AsyncStream<DeliveryReport>.Continuation
    public let deliveryReports: AsyncStream<DeliveryReport>
    public let configuration: KafkaProducerConfiguration

    public static func make(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) -> KafkaProducer {
        try configuration.validate()
        let (reports, continuation) = AsyncStream.makeStream(of: DeliveryReport.self, bufferingPolicy: .unbounded)
        let events = ClientEvents(
            logger: logger, metrics: KafkaMetrics(clientID: configuration.common.clientID), deliveryReports: continuation)
        let client = try RdKafkaClient.make(kind: .producer, properties: configuration.librdkafkaProperties(), events: events) {
            rd_kafka_conf_set_dr_msg_cb($0, deliveryReportCallback)
        }
        return KafkaProducer(client: client, configuration: configuration, reports: (reports, continuation))
    }

    private init(
        client: RdKafkaClient, configuration: KafkaProducerConfiguration,
        reports: (AsyncStream<DeliveryReport>, AsyncStream<DeliveryReport>.Continuation)
    ) {
        self.client = client
        self.configuration = configuration
        self.pollThread = PollThread(client: client, name: "kafka-producer-poll")
        (deliveryReports, reportsContinuation) = reports
    }

    deinit {
        pollThread.requestStop()
        reportsContinuation.finish()
    }

    /// Sends one record and waits for the broker's acknowledgement.
    @discardableResult
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> DeliveryReport {
        let ticket = DeliveryTicket(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue)
        try await produce(message, route: .ticket(ticket))
        let report = await ticket.report()
        if let error = report.error { throw error }
        return report
    }

    /// Queues one record and returns its id; its report arrives on `deliveryReports`.
    @discardableResult
    public func enqueue(_ message: KafkaProducerMessage) async throws(KafkaError) -> UInt64 {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        try await produce(message, route: .stream(id: id))
        return id
    }

    /// Queues records in order and returns their ids; one suspension point for the whole batch
    /// (unless librdkafka's queue fills up). Reports arrive on `deliveryReports`.
    @discardableResult
    public func enqueue(contentsOf messages: some Sequence<KafkaProducerMessage>) async throws(KafkaError) -> [UInt64] {
        var ids: [UInt64] = []
        ids.reserveCapacity(messages.underestimatedCount)
        for message in messages {
            let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
            try await produce(message, route: .stream(id: id))
            ids.append(id)
        }
        return ids
    }

    /// Waits until every queued record has its delivery report, or `timeout` passes.
    public func flush(timeout: Duration = .seconds(30)) async throws(KafkaError) {
        let client = self.client
        let result = await Blocking.run { rd_kafka_flush(client.handle, Int32(clamping: timeout.milliseconds)) }
        try check(result, "flush: records still undelivered after \(timeout)")
    }

    /// Flushes, then stops. Records still undelivered after `timeout` are purged and their senders
    /// get an error report: nothing is left waiting.
    public func close(timeout: Duration = .seconds(30)) async {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        do {
            try await flush(timeout: timeout)
        } catch {
            client.events.logger.error("closing producer: \(error); purging undelivered records")
            rd_kafka_purge(client.handle, Int32(RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT))
            let client = self.client
            _ = await Blocking.run { rd_kafka_flush(client.handle, 5_000) }  // serves the purged reports
        }
        await pollThread.stop()
        reportsContinuation.finish()
    }

    /// The most recent error librdkafka reported (e.g. all brokers down), for health checks.
    public var lastError: KafkaError? { client.events.lastError }
    public var statistics: KafkaStatistics? { client.events.statistics }
    /// Records queued or in flight, not yet acknowledged.
    public var outstandingCount: Int { Int(rd_kafka_outq_len(client.handle)) }

    // MARK: - Producing

    private func produce(_ message: KafkaProducerMessage, route: DeliveryRoute) async throws(KafkaError) {
        while true {
            if closed.load(ordering: .acquiring) { throw KafkaError(.closed, "producer is closed") }
            if let fatal = client.events.fatalError { throw fatal }
            let error = produceOnce(message, route: route)
            guard let error else { return }
            guard error.brokerCode == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue else { throw error }
            // Backpressure: librdkafka's queue is full; the poll thread is draining it.
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// One attempt: on success librdkafka owns the headers and the route (a ticket's retain).
    private func produceOnce(_ message: KafkaProducerMessage, route: DeliveryRoute) -> KafkaError? {
        let headers: OpaquePointer? = message.headers.isEmpty ? nil : makeHeaders(message.headers)
        let opaque = route.opaque
        let error: OpaquePointer? = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key in
                message.value.withUnsafeBytes { value in
                    // At most 8 fields; a stack buffer keeps the hot path free of allocations.
                    withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 8) { values in
                        var count = 0
                        func add(_ type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_s.__Unnamed_union_u) -> Void) {
                            var entry = rd_kafka_vu_t()
                            entry.vtype = type
                            set(&entry.u)
                            values.initializeElement(at: count, to: entry)
                            count += 1
                        }
                        add(RD_KAFKA_VTYPE_TOPIC) { $0.cstr = topic }
                        if let partition = message.partition { add(RD_KAFKA_VTYPE_PARTITION) { $0.i32 = partition } }
                        if let key {
                            add(RD_KAFKA_VTYPE_KEY) {
                                $0.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count)
                            }
                        }
                        add(RD_KAFKA_VTYPE_VALUE) {
                            $0.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count)
                        }
                        add(RD_KAFKA_VTYPE_MSGFLAGS) { $0.i = RD_KAFKA_MSG_F_COPY }
                        add(RD_KAFKA_VTYPE_OPAQUE) { $0.ptr = opaque }
                        if let headers { add(RD_KAFKA_VTYPE_HEADERS) { $0.headers = headers } }
                        if let timestamp = message.timestampMilliseconds { add(RD_KAFKA_VTYPE_TIMESTAMP) { $0.i64 = timestamp } }
                        return rd_kafka_produceva(client.handle, values.baseAddress, count)
                    }
                }
            }
        }
        guard let error else { return nil }
        _ = DeliveryRoute(consuming: opaque)
        if let headers { rd_kafka_headers_destroy(headers) }
        return KafkaError(consuming: error, context: "produce to \(message.topic)")
    }

    private func makeHeaders(_ headers: [KafkaHeader]) -> OpaquePointer {
        let list = rd_kafka_headers_new(headers.count)!
        for header in headers {
            if let value = header.value {
                value.withUnsafeBytes { _ = rd_kafka_header_add(list, header.key, -1, $0.baseAddress, $0.count) }
            } else {
                _ = rd_kafka_header_add(list, header.key, -1, nil, 0)
            }
        }
        return list
    }
}

extension KafkaProducer: Service {
    /// Runs until graceful shutdown, then flushes and closes.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }
}

private func withOptionalBytes<R>(_ bytes: [UInt8]?, _ body: (UnsafeRawBufferPointer?) -> R) -> R {
    guard let bytes else { return body(nil) }
    return bytes.withUnsafeBytes { body($0) }
}

/// Runs on the poll thread for every record: routes the report to its awaiting task or stream.
private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void =
    {
        _, message, opaque in
        guard let message, let routeOpaque = message.pointee._private, let events = ClientEvents.from(opaque) else { return }
        let route = DeliveryRoute(consuming: routeOpaque)
        let m = message.pointee
        let topic = String(cString: rd_kafka_topic_name(m.rkt))
        let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(rdError: m.err, context: "delivery to \(topic)")
        events.metrics.produced(topic: topic, ok: error == nil)
        func report(_ id: UInt64) -> DeliveryReport {
            DeliveryReport(
                messageID: id, topicPartition: TopicPartition(topic, m.partition), offset: error == nil ? m.offset : nil, error: error)
        }
        switch route {
        case .ticket(let ticket): ticket.complete(report(ticket.id))
        case .stream(let id): events.deliveryReports?.yield(report(id))
        }
    }
