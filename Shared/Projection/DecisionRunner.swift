public import Choreography
import Contract
public import Foundation
public import GRDB
public import Kafka
public import Logging
import MessageTracing
public import ServiceAPI
public import ServiceLifecycle
import Synchronization

/// Consume, decide, store state and outbox together: the runtime that `orders`, `restaurants` and
/// `delivery` share for their part in the choreography, next to the projection runtime.
///
/// Per batch, in one SQLite transaction: drop the messages already taken (by topic, producer,
/// order and sequence), let the decider decide on the rest (its state changes and the messages it
/// sends go into the same transaction, the latter as outbox rows), and store the batch's next
/// offsets. The service's `OutboxRelay` publishes the outbox with the idempotent producer. A
/// crash at any instant leaves state, offsets and outbox consistent: on restart the partition
/// resumes after the last batch taken, and whatever was decided is published exactly once in
/// effect. Steps that come from time rather than a message (`Decider.decideDue`) are taken the
/// same way, from the decider's own clock and state, so they survive a crash too.
public final class DecisionRunner: Service, Sendable {
    public let database: any DatabaseWriter
    public let decider: any Decider
    /// Who signs the messages it sends: the service and this database's instance id.
    public let producer: String
    /// The consumed topics' names, beside the service's order-event topic.
    public let topics: [FlowMessageType.Topic: String]
    let consumer: KafkaConsumer
    private let deadLetters: DeadLetterWriter
    private let logger: Logger
    private let counters = Mutex(Counters())
    private let clock: @Sendable () -> Date

    public struct Counters: Sendable, Equatable {
        public var decided = 0
        public var repeats = 0
        public var deadLettered = 0
    }

    /// `consumer`'s group is the decisions group; the runner starts every partition from the
    /// offset stored with the decider's state.
    public init(
        database: any DatabaseWriter, decider: any Decider, consumer configuration: KafkaConsumerConfiguration, orderTopic: String,
        deadLetters: KafkaProducer, logger: Logger, clock: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        self.database = database
        self.decider = decider
        producer = "\(decider.producer)/\(try database.read { try DecisionTables.instanceID(in: $0) })"
        self.logger = logger
        self.clock = clock
        topics = Dictionary(uniqueKeysWithValues: decider.inputs.map { ($0, $0.name(beside: orderTopic)) })
        self.deadLetters = DeadLetterWriter(producer: deadLetters, group: configuration.groupID, logger: logger)
        var configuration = configuration
        // Never fall back silently: a position outside the log is an error.
        configuration.autoOffsetReset = .error
        consumer = try KafkaConsumer.make(
            configuration: configuration,
            rebalanceListener: StoredOffsetsListener(
                stored: { topic in try await database.read { try ProjectionDatabase.storedOffsets(topic: topic, in: $0) } },
                atLeastCommitted: true, onRebalance: {}),
            logger: logger)
    }

    /// The decider's migrations and the runtime's, for a database of its own or one it shares
    /// (orders keeps its orders, its outbox and its decisions' offsets in one file).
    public static func registerMigrations(for decider: any Decider, in migrator: inout DatabaseMigrator) {
        DecisionTables.registerMigrations(in: &migrator)
        decider.registerMigrations(in: &migrator)
    }

    public var counts: Counters { counters.withLock { $0 } }

    /// What `/decisions` shows: per input topic, the lag of the partitions this instance owns.
    public func report() async throws -> DecisionsReport {
        let assignment = consumer.assignment
        var inputs: [DecisionsReport.Input] = []
        for topic in topics.values.sorted() {
            let stored = try await database.read { try ProjectionDatabase.storedOffsets(topic: topic, in: $0) }
            var lag: Int64? = 0
            for partition in assignment where partition.topic == topic {
                guard let end = consumer.cachedWatermarks(partition)?.high, let total = lag else {
                    lag = nil
                    continue
                }
                lag = total + max(0, end - (stored[partition.partition] ?? 0))
            }
            inputs.append(.init(topic: topic, lag: assignment.contains { $0.topic == topic } ? lag : nil))
        }
        let counts = self.counts
        return DecisionsReport(
            group: consumer.configuration.groupID, inputs: inputs, decided: counts.decided, repeats: counts.repeats,
            deadLettered: counts.deadLettered)
    }
    public var assignment: [TopicPartition] { consumer.assignment }

    /// Closes the consumer of a runner that never ran; `run()` closes its own.
    public func closeUnused() async { await consumer.close() }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await TopicWait.untilTopicsExist(
                    self.topics.values.sorted(), configuration: self.consumer.configuration.common, logger: self.logger,
                    whoCreates: "orders creates the choreography's topics")
            }
        } catch {
            await consumer.close()
            if error is CancellationError { return }
            throw error
        }
        try consumer.subscribe(Array(topics.values).sorted())
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.takeDueSteps() }
                for try await batch in self.consumer.batches(maxMessages: 500, maxWait: .milliseconds(5)) {
                    if let error = batch.errors.first { throw error }
                    try await self.processRetrying(batch)
                }
                group.cancelAll()
            }
        } onCancelOrGracefulShutdown: {
            self.consumer.stopFetching()
        }
        await consumer.close()
    }

    /// Time-driven steps: looks at least every 200 ms, sooner when the decider says one is due.
    private func takeDueSteps() async throws {
        let (decider, producer) = (self.decider, self.producer)
        while !Task.isCancelled {
            let clock = self.clock
            let next: Date?
            do {
                next = try await database.write { db in
                    let now = clock()
                    return try decider.decideDue(
                        in: DecisionContext(db: db, now: now, partition: nil, traceparent: nil, producer: producer))
                }
            } catch {
                if Task.isCancelled { return }
                logger.error("due steps failed, retrying: \(error)")
                next = nil
            }
            let wait = min(max(next.map { $0.timeIntervalSince(clock()) } ?? 0.2, 0.005), 0.2)
            try await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
    }

    private func processRetrying(_ batch: ConsumerBatch) async throws {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await process(batch)
                return
            } catch {
                if Task.isCancelled || consumer.isStopping { throw error }
                logger.error("batch failed, retrying in \(delay): \(error)")
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func process(_ batch: ConsumerBatch) async throws {
        try await ConsumedBatchSpans.around(batch.messages, group: consumer.configuration.groupID, step: "decide \(decider.producer)") {
            try await process(batch, spans: $0)
        }
    }

    private func process(_ batch: ConsumerBatch, spans: ConsumedBatchSpans) async throws {
        var decoded: [(FlowMessage, KafkaConsumerMessage)] = []
        var poison: [(KafkaConsumerMessage, String)] = []
        for record in batch.messages {
            do throws(FlowMessageError) {
                decoded.append((try FlowMessage.decode(record.value), record))
            } catch {
                poison.append((record, "invalid_message: \(error)"))
            }
        }
        for (message, reason) in poison { spans.deadLettered(message, reason: reason) }
        try await deadLetters.send(poison)
        let messages = decoded
        let decider = self.decider
        let (producer, clock) = (self.producer, self.clock)
        let offsets = batch.nextOffsets.compactMap { next in
            next.offset.exact.map { (topic: next.topicPartition.topic, partition: next.topicPartition.partition, next: $0) }
        }
        let (taken, repeats, rejected) = try await database.write { db in
            // The decision's time is read inside the transaction: writes are serial, so the
            // decider's times follow the order its decisions took effect in.
            let now = clock()
            var taken = 0
            var repeats = 0
            var rejected: [(KafkaConsumerMessage, String)] = []
            for (message, record) in messages {
                if try DecisionTables.isRepeat(
                    topic: record.topicPartition.topic, producer: message.producer, orderID: message.orderId,
                    sequence: message.sequence, in: db)
                {
                    repeats += 1
                    continue
                }
                // What it decides continues the trace from its own `decide` span, if one is recorded.
                let traceparent =
                    spans.traceparent(for: record) ?? KafkaHeaderExtractor().extract(key: EventHeaders.traceparent, from: record.headers)
                do {
                    try decider.decide(
                        message,
                        in: DecisionContext(
                            db: db, now: now, partition: record.topicPartition.partition, traceparent: traceparent,
                            producer: producer))
                    taken += 1
                } catch DecisionError.rejected(let reason) {
                    rejected.append((record, "rejected: \(reason)"))
                }
            }
            try DecisionTables.store(offsets, in: db)
            return (taken, repeats, rejected)
        }
        for (message, reason) in rejected { spans.deadLettered(message, reason: reason) }
        try await deadLetters.send(rejected)
        counters.withLock {
            $0.decided += taken
            $0.repeats += repeats
            $0.deadLettered += poison.count + rejected.count
        }
        try? consumer.commitAsync(batch.nextOffsets)
    }
}
