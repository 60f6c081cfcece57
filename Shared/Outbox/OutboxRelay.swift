import Contract
import Foundation
public import GRDB
public import Kafka
public import Logging
import MessageTracing
import Metrics
public import ServiceLifecycle
import Synchronization
import Tracing

/// Publishes a service's outbox to Kafka, in row order, and marks a row sent only once its
/// delivery report has arrived. One relay serves every topic the service writes.
///
/// Invariants:
/// - rows are enqueued in id order, which is each key's sequence order, to the row's topic and
///   key, so the records of one key reach their partition in order (the producer is idempotent);
/// - a row is marked sent only after the broker acknowledged it: a crash before that republishes
///   it on restart (at-least-once on the topic; consumers drop repeats by their sequence: order
///   events by order id, choreography messages by topic, producer and order id);
/// - after a failed delivery, the relay waits for every in-flight report and then starts again
///   from the first unsent row, so nothing is skipped, whatever the length of an outage.
public final class OutboxRelay: Service, Sendable {
    public let database: any DatabaseWriter
    public let producer: KafkaProducer
    /// The service's order-event topic: every other topic is named beside it (`Topics.named`).
    public let orderTopic: String
    private let logger: Logger
    private let batchSize: Int
    private let maxInFlight: Int
    /// Runs (and is retried until it succeeds) before the first publish, once there is something
    /// to publish: the topic setup, which cannot succeed while Kafka is unreachable. Meanwhile the
    /// outbox just fills.
    private let prepare: @Sendable () async throws -> Void
    private let state = Mutex(State())

    private struct State {
        /// Rows with an id up to this one were handed to the producer in this run.
        var lastEnqueued: Int64 = 0
        var inFlight: [UInt64: Int64] = [:]
        /// Reports that arrived before their record was registered as in flight.
        var early: [UInt64: DeliveryReport] = [:]
        /// Acknowledged rows not yet marked sent in the database.
        var acknowledged: [(row: Int64, partition: Int32, offset: Int64)] = []
        /// The `publish` span of each row in flight (only while a tracer is bootstrapped).
        var spans: [Int64: any Span] = [:]
        var restartAfterDrain = false
        var published = 0
        var failed = 0

        /// Books one delivery report for `row`.
        mutating func settle(row: Int64, with report: DeliveryReport, logger: Logger) {
            if let span = spans.removeValue(forKey: row) { MessageTracer.published(span, report: report) }
            if let offset = report.offset, report.error == nil {
                acknowledged.append((row, report.topicPartition.partition, offset))
            } else {
                logger.warning("outbox row \(row) was not delivered: \(report.error.map { "\($0)" } ?? "unknown"); it will be sent again")
                failed += 1
                restartAfterDrain = true
            }
        }
    }

    public init(
        database: any DatabaseWriter, producer: KafkaProducer, orderTopic: String, logger: Logger, batchSize: Int = 500,
        maxInFlight: Int = 20_000,
        prepare: @escaping @Sendable () async throws -> Void = {}
    ) {
        self.prepare = prepare
        self.database = database
        self.producer = producer
        self.orderTopic = orderTopic
        self.logger = logger
        self.batchSize = batchSize
        self.maxInFlight = maxInFlight
    }

    /// Records published (acknowledged and marked sent) since start.
    public var publishedCount: Int { state.withLock { $0.published } }
    public var inFlightCount: Int { state.withLock { $0.inFlight.count } }

    /// Rows not yet acknowledged by the broker.
    public func pendingCount() async throws -> Int {
        try await database.read { db in try OutboxRecord.filter(OutboxRecord.Columns.sentAt == nil).fetchCount(db) }
    }

    /// How long the oldest unacknowledged row has waited (nil: none waiting).
    public func oldestPendingAge() async throws -> Double? {
        try await database.read { db in
            try Double.fetchOne(db, sql: "SELECT MIN(createdAt) FROM outbox WHERE sentAt IS NULL").map { Date().timeIntervalSince1970 - $0 }
        }
    }

    /// Runs until graceful shutdown; then stops enqueueing, waits up to `drainTimeout` for the
    /// reports of what is in flight, marks those rows sent and returns. (List the producer before
    /// the relay in a `ServiceGroup`, so it is shut down after the relay and flushes last.)
    /// Meanwhile, outage or not, it reports the backlog as metrics.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.reportBacklog() }
            try await publish()
            group.cancelAll()
        }
    }

    /// The backlog as metrics (`outbox_pending_rows`, `outbox_oldest_pending_seconds`), every few
    /// seconds until cancelled: what an alert on a stuck relay or an unreachable broker watches.
    private func reportBacklog() async throws {
        let pending = Gauge(label: "outbox_pending_rows")
        let oldest = Gauge(label: "outbox_oldest_pending_seconds")
        while !Task.isCancelled {
            do {
                pending.record(try await pendingCount())
                oldest.record(try await oldestPendingAge() ?? 0)
            } catch {
                logger.warning("could not read the outbox's backlog: \(error)")
            }
            try await Task.sleep(for: .seconds(5))
        }
    }

    private func publish() async throws {
        while !Task.isShuttingDownGracefully, try await pendingCount() == 0 { try await Task.sleep(for: .milliseconds(50)) }
        var backoff = Duration.milliseconds(500)
        while !Task.isShuttingDownGracefully {
            do {
                try await prepare()
                break
            } catch {
                logger.warning("waiting for Kafka (retrying in \(backoff)): \(error)")
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(5))
            }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.markSentAsReportsArrive() }
            try await enqueuePendingRows()
            let deadline = ContinuousClock.now + drainTimeout
            while inFlightCount > 0 && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
            group.cancelAll()
            try await flushAcknowledged()
            let left = inFlightCount
            if left > 0 { logger.warning("stopped with \(left) outbox rows unacknowledged; they will be sent again on restart") }
            let unacknowledged = state.withLock { state in
                defer { state.spans.removeAll() }
                return Array(state.spans.values)
            }
            for span in unacknowledged { MessageTracer.failed(span, CancellationError()) }
        }
    }

    public var drainTimeout: Duration { .seconds(10) }

    // MARK: - Enqueueing

    private func enqueuePendingRows() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let (after, busy) = state.withLock { state -> (Int64?, Bool) in
                if state.restartAfterDrain {
                    guard state.inFlight.isEmpty else { return (nil, true) }
                    state.restartAfterDrain = false
                    state.lastEnqueued = 0
                }
                return (state.lastEnqueued, state.inFlight.count >= maxInFlight)
            }
            guard let after, !busy else {
                try await Task.sleep(for: .milliseconds(5))
                continue
            }
            let rows = try await database.read { [batchSize] db in
                try OutboxRecord
                    .filter(OutboxRecord.Columns.sentAt == nil && OutboxRecord.Columns.id > after)
                    .order(OutboxRecord.Columns.id)
                    .limit(batchSize)
                    .fetchAll(db)
            }
            guard let last = rows.last?.id else {
                try await flushAcknowledged()
                try await Task.sleep(for: .milliseconds(10))
                continue
            }
            var messages = rows.map { row in
                KafkaProducerMessage(
                    topic: Topics.named(row.topic, beside: orderTopic), key: Array(row.key.utf8), value: Array(row.payload),
                    headers: EventHeaders.fields(type: row.type, schemaVersion: row.schemaVersion, traceparent: row.traceparent).map {
                        KafkaHeader(key: $0.key, string: $0.value)
                    })
            }
            if MessageTracer.isTracing {
                // Registered before the records are enqueued: a report can arrive before `enqueue` returns.
                let spans = messages.indices.map { MessageTracer.startPublishing(&messages[$0]) }
                state.withLock { state in
                    for (row, span) in zip(rows, spans) { state.spans[row.id!] = span }
                }
            }
            let ids: [UInt64]
            do {
                ids = try await producer.enqueue(contentsOf: messages)
            } catch {
                let spans = state.withLock { state in rows.compactMap { state.spans.removeValue(forKey: $0.id!) } }
                for span in spans { MessageTracer.failed(span, error) }
                throw error
            }
            state.withLock { state in
                for (id, row) in zip(ids, rows) {
                    // A report can arrive before `enqueue` returns; it waits in `early`.
                    if let report = state.early.removeValue(forKey: id) {
                        state.settle(row: row.id!, with: report, logger: logger)
                    } else {
                        state.inFlight[id] = row.id!
                    }
                }
                state.lastEnqueued = last
            }
        }
    }

    // MARK: - Delivery reports

    private func markSentAsReportsArrive() async throws {
        var lastWrite = ContinuousClock.now
        for await report in producer.deliveryReports {
            let drained = state.withLock { state -> Bool in
                if let row = state.inFlight.removeValue(forKey: report.messageID) {
                    state.settle(row: row, with: report, logger: logger)
                } else {
                    state.early[report.messageID] = report
                }
                return state.inFlight.isEmpty
            }
            // Mark rows sent in batches: one transaction per ~20 ms, or when nothing is in flight.
            if drained || ContinuousClock.now - lastWrite > .milliseconds(20) {
                try await flushAcknowledged()
                lastWrite = .now
            }
        }
        try await flushAcknowledged()
    }

    private func flushAcknowledged() async throws {
        let rows = state.withLock { state in
            defer { state.acknowledged.removeAll(keepingCapacity: true) }
            return state.acknowledged
        }
        try await markSent(rows)
    }

    private func markSent(_ rows: [(row: Int64, partition: Int32, offset: Int64)]) async throws {
        guard !rows.isEmpty else { return }
        let now = Date().timeIntervalSince1970
        try await database.write { db in
            for row in rows {
                try db.execute(
                    sql: "UPDATE outbox SET sentAt = ?, partition = ?, offset = ? WHERE id = ?",
                    arguments: [now, row.partition, row.offset, row.row])
            }
        }
        state.withLock { $0.published += rows.count }
    }
}
