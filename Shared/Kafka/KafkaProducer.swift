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
    private let client: RdKafkaClient
    private let pollThread: PollThread
    private let nextID = Atomic<UInt64>(1)
    private let closed = Atomic<Bool>(false)
    private let reportsContinuation: AsyncStream<DeliveryReport>.Continuation
    public let deliveryReports: AsyncStream<DeliveryReport>
    public let configuration: KafkaProducerConfiguration

    public static func make(configuration: KafkaProducerConfiguration, logger: Logger) throws(KafkaError) -> KafkaProducer {
        let events = ClientEvents(logger: logger, metrics: KafkaMetrics(clientID: configuration.common.clientID))
        let client = try RdKafkaClient.make(kind: .producer, properties: configuration.librdkafkaProperties(), events: events) {
            rd_kafka_conf_set_dr_msg_cb($0, deliveryReportCallback)
        }
        return KafkaProducer(client: client, configuration: configuration)
    }

    private init(client: RdKafkaClient, configuration: KafkaProducerConfiguration) {
        self.client = client
        self.configuration = configuration
        self.pollThread = PollThread(client: client, name: "kafka-producer-poll")
        (deliveryReports, reportsContinuation) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
    }

    deinit {
        pollThread.requestStop()
        reportsContinuation.finish()
    }

    /// Sends one record and waits for the broker's acknowledgement.
    @discardableResult
    public func send(_ message: KafkaProducerMessage) async throws(KafkaError) -> DeliveryReport {
        let ticket = DeliveryTicket(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, destination: .awaiting)
        try await produce(message, ticket: ticket)
        let report = await ticket.report()
        if let error = report.error { throw error }
        return report
    }

    /// Queues one record and returns its id; its report arrives on `deliveryReports`.
    @discardableResult
    public func enqueue(_ message: KafkaProducerMessage) async throws(KafkaError) -> UInt64 {
        let ticket = DeliveryTicket(id: nextID.wrappingAdd(1, ordering: .relaxed).oldValue, destination: .stream(reportsContinuation))
        try await produce(message, ticket: ticket)
        return ticket.id
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

    private func produce(_ message: KafkaProducerMessage, ticket: DeliveryTicket) async throws(KafkaError) {
        while true {
            if closed.load(ordering: .acquiring) { throw KafkaError(.closed, "producer is closed") }
            if let fatal = client.events.fatalError { throw fatal }
            let error = produceOnce(message, ticket: ticket)
            guard let error else { return }
            guard error.brokerCode == RD_KAFKA_RESP_ERR__QUEUE_FULL.rawValue else { throw error }
            // Backpressure: librdkafka's queue is full; the poll thread is draining it.
            try? await Task.sleep(for: .milliseconds(2))
        }
    }

    /// One attempt: on success librdkafka owns the headers and one retain of the ticket.
    private func produceOnce(_ message: KafkaProducerMessage, ticket: DeliveryTicket) -> KafkaError? {
        let headers: OpaquePointer? = message.headers.isEmpty ? nil : makeHeaders(message.headers)
        let opaque = Unmanaged.passRetained(ticket).toOpaque()
        let error: OpaquePointer? = message.topic.withCString { topic in
            withOptionalBytes(message.key) { key in
                message.value.withUnsafeBytes { value in
                    var values = [rd_kafka_vu_t]()
                    values.reserveCapacity(8)
                    values.append(.init(type: RD_KAFKA_VTYPE_TOPIC) { $0.cstr = topic })
                    if let partition = message.partition { values.append(.init(type: RD_KAFKA_VTYPE_PARTITION) { $0.i32 = partition }) }
                    if let key { values.append(.init(type: RD_KAFKA_VTYPE_KEY) { $0.mem = .init(ptr: UnsafeMutableRawPointer(mutating: key.baseAddress), size: key.count) }) }
                    values.append(.init(type: RD_KAFKA_VTYPE_VALUE) { $0.mem = .init(ptr: UnsafeMutableRawPointer(mutating: value.baseAddress), size: value.count) })
                    values.append(.init(type: RD_KAFKA_VTYPE_MSGFLAGS) { $0.i = RD_KAFKA_MSG_F_COPY })
                    values.append(.init(type: RD_KAFKA_VTYPE_OPAQUE) { $0.ptr = opaque })
                    if let headers { values.append(.init(type: RD_KAFKA_VTYPE_HEADERS) { $0.headers = headers }) }
                    if let timestamp = message.timestampMilliseconds { values.append(.init(type: RD_KAFKA_VTYPE_TIMESTAMP) { $0.i64 = timestamp }) }
                    return rd_kafka_produceva(client.handle, values, values.count)
                }
            }
        }
        guard let error else { return nil }
        Unmanaged<DeliveryTicket>.fromOpaque(opaque).release()
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

extension rd_kafka_vu_t {
    fileprivate init(type: rd_kafka_vtype_t, _ set: (inout rd_kafka_vu_s.__Unnamed_union_u) -> Void) {
        self.init()
        vtype = type
        set(&u)
    }
}

/// Runs on the poll thread for every record: hands the report to the record's ticket.
private let deliveryReportCallback: @convention(c) (OpaquePointer?, UnsafePointer<rd_kafka_message_t>?, UnsafeMutableRawPointer?) -> Void = {
    _, message, opaque in
    guard let message, let ticketPointer = message.pointee._private else { return }
    let ticket = Unmanaged<DeliveryTicket>.fromOpaque(ticketPointer).takeRetainedValue()
    let m = message.pointee
    let topic = String(cString: rd_kafka_topic_name(m.rkt))
    let error = m.err == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(rdError: m.err, context: "delivery to \(topic)")
    ClientEvents.from(opaque)?.metrics.produced(topic: topic, ok: error == nil)
    ticket.complete(DeliveryReport(
        messageID: ticket.id, topicPartition: TopicPartition(topic, m.partition),
        offset: error == nil ? m.offset : nil, error: error
    ))
}
