import Contract
public import Foundation
public import Kafka
public import Logging
import MessageTracing
public import OrderEvents
public import ServiceAPI
public import ServiceLifecycle
import Synchronization

/// Consumes the order-event topic as the projection's consumer group and keeps its read model.
///
/// Per batch: decode every record; send the ones that cannot be read or applied to the
/// dead-letter topic (and wait for the broker's acknowledgement); then, in one SQLite transaction,
/// apply the rest and store the next offsets. Only then are the offsets committed to Kafka
/// (asynchronously, for tools that show lag). A crash at any instant leaves model and offsets
/// consistent: on restart the partition resumes exactly after the last applied batch.
///
/// A batch that fails for a reason that is not the records' fault (SQLite busy, the broker
/// unreachable for a dead letter) is retried with backoff until it succeeds; it is never skipped
/// and never dead-lettered.
public final class ProjectionRunner: Service, Sendable {
    public let database: ProjectionDatabase
    public let topic: String
    let consumer: KafkaConsumer
    private let deadLetters: DeadLetterWriter
    private let logger: Logger
    private let metrics: ProjectionMetrics
    private let state = Mutex(State())
    /// Held while a batch is applied; a replay holds it to swap the read model.
    let applyLock = AsyncLock()
    /// Called after each batch's transaction committed, with the events it applied (benchmarks
    /// measure produce → commit latency with it).
    private let onCommitted: (@Sendable ([OrderEvent]) -> Void)?

    public typealias Counters = OffsetsReport.Counters

    private struct State {
        var counters = Counters()
        /// The error the current batch keeps failing with, while it is retried.
        var failing: (error: String, since: Date)?
    }

    public init(
        database: ProjectionDatabase, consumer configuration: KafkaConsumerConfiguration, topic: String, deadLetters: KafkaProducer,
        logger: Logger, onCommitted: (@Sendable ([OrderEvent]) -> Void)? = nil
    ) throws {
        self.onCommitted = onCommitted
        self.database = database
        self.topic = topic
        self.deadLetters = DeadLetterWriter(producer: deadLetters, group: database.projection.name, logger: logger)
        self.logger = logger
        let metrics = ProjectionMetrics(group: database.projection.name)
        self.metrics = metrics
        var configuration = configuration
        configuration.groupID = database.projection.name
        // Never fall back silently: a partition with no stored offset starts at .beginning
        // (chosen by the listener), and a position outside the log is an error.
        configuration.autoOffsetReset = .error
        consumer = try KafkaConsumer.make(
            configuration: configuration,
            rebalanceListener: StoredOffsetsListener(
                stored: { try await database.storedOffsets(topic: $0) }, onRebalance: { metrics.rebalances.increment() },
                onRevoke: { metrics.forgetLag(partitions: $0.map(\.partition)) }),
            logger: logger)
    }

    public var counts: Counters { state.withLock { $0.counters } }
    public var assignment: [TopicPartition] { consumer.assignment }
    public var memberID: String? { consumer.memberID }
    /// The consumer's latest librdkafka statistics (brokers, partitions, group).
    public var consumerStatistics: KafkaStatistics? { consumer.statistics }
    /// The connection settings, for a replay that reads the same cluster.
    public var kafkaConfiguration: KafkaConfiguration { consumer.configuration.common }

    /// Makes the group rebalance by leaving it and joining again (see `KafkaConsumer.rejoinGroup`).
    public func rejoinGroup() async throws { try await consumer.rejoinGroup() }

    /// Closes the consumer of a runner that never ran (one built and only queried, as in tests);
    /// `run()` closes its own.
    public func closeUnused() async { await consumer.close() }

    /// The log end of a partition from the latest Fetch response (stale for one not fetched now).
    public func cachedLogEnd(_ partition: Int32) -> Int64? { consumer.cachedWatermarks(TopicPartition(topic, partition))?.high }

    /// Why the runner is stuck, if it is: the error its current batch keeps failing with.
    public var failure: (error: String, since: Date)? { state.withLock { $0.failing } }

    /// One partition's position: stored with the read model vs the log end from Fetch responses.
    public typealias PartitionReport = OffsetsReport.Partition

    /// What `/offsets` shows: every partition this instance has stored an offset for or owns.
    public func offsetsReport() async throws -> [PartitionReport] {
        let stored = try await database.storedPositions(topic: topic)
        let owned = Set(consumer.assignment.filter { $0.topic == topic }.map(\.partition))
        return Set(stored.keys).union(owned).sorted().map { partition in
            let end = consumer.cachedWatermarks(TopicPartition(topic, partition))?.high
            let position = stored[partition]
            return PartitionReport(
                partition: partition, assigned: owned.contains(partition), storedOffset: position?.nextOffset, logEnd: end,
                lag: end.map { max(0, $0 - (position?.nextOffset ?? 0)) },
                lastEventAt: position?.lastEventAt.map { Timestamp.format(Timestamp.date(milliseconds: $0)) })
        }
    }

    public func run() async throws {
        do {
            // A shutdown while the topic does not exist yet ends the wait: nothing was consumed.
            try await cancelWhenGracefulShutdown {
                try await TopicWait.untilTopicsExist(
                    [self.topic], configuration: self.consumer.configuration.common, logger: self.logger,
                    whoCreates: "orders creates it, or create it yourself")
            }
        } catch is CancellationError {
            await consumer.close()
            return
        }
        try consumer.subscribe([topic])
        try await withTaskCancellationOrGracefulShutdownHandler {
            for try await batch in consumer.batches(maxMessages: 2_000, maxWait: .milliseconds(5)) {
                if let error = batch.errors.first {
                    // E.g. a stored position beyond the log end: nothing may be skipped.
                    throw error
                }
                try await processRetrying(batch)
            }
        } onCancelOrGracefulShutdown: {
            // The batches end (after the one in progress is applied and stored); then it closes.
            self.consumer.stopFetching()
        }
        await consumer.close()
    }

    private func processRetrying(_ batch: ConsumerBatch) async throws {
        var delay = Duration.milliseconds(100)
        while true {
            do {
                try await applyLock.withLock { try await process(batch) }
                state.withLock { $0.failing = nil }
                return
            } catch {
                if Task.isCancelled || consumer.isStopping { throw error }
                logger.error("batch failed, retrying in \(delay): \(error)")
                metrics.retries.increment()
                state.withLock {
                    $0.counters.retries += 1
                    $0.failing = ($0.failing?.error == "\(error)" ? $0.failing : nil) ?? ("\(error)", Date())
                }
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    private func process(_ batch: ConsumerBatch) async throws {
        try await ConsumedBatchSpans.around(
            batch.messages, group: consumer.configuration.groupID, step: "apply \(database.projection.name)"
        ) { try await process(batch, spans: $0) }
    }

    private func process(_ batch: ConsumerBatch, spans: ConsumedBatchSpans) async throws {
        var events: [(OrderEvent, EventPosition)] = []
        var sources: [UUID: KafkaConsumerMessage] = [:]
        var poison: [(KafkaConsumerMessage, String)] = []
        events.reserveCapacity(batch.messages.count)
        for (message, decoded) in zip(batch.messages, await BatchDecoder.decode(batch.messages)) {
            switch decoded {
            case .success(let event):
                events.append((event, EventPosition(partition: message.topicPartition.partition, offset: message.offset)))
                sources[event.eventID] = message
            case .failure(let error):
                poison.append((message, "\(error.code): \(error)"))
            }
        }
        for (message, reason) in poison { spans.deadLettered(message, reason: reason) }
        // Dead letters first: their offsets are stored with this batch, so they must be safe first.
        try await deadLetters.send(poison)
        let started = ContinuousClock.now
        let result = try await database.apply(events, storing: batch.nextOffsets)
        metrics.applyLatency.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
        onCommitted?(events.map(\.0))
        // Rejected by the projection (or out of sequence): written nowhere but the dead-letter topic.
        let rejected = result.rejected.compactMap { rejection in
            sources[rejection.event.eventID].map { ($0, "rejected: \(rejection.reason)") }
        }
        for (message, reason) in rejected { spans.deadLettered(message, reason: reason) }
        try await deadLetters.send(rejected)
        state.withLock {
            $0.counters.applied += result.applied
            $0.counters.duplicates += result.duplicates
            $0.counters.deadLettered += poison.count + result.rejected.count
            $0.counters.batches += 1
        }
        metrics.applied.increment(by: result.applied)
        metrics.duplicates.increment(by: result.duplicates)
        metrics.deadLettered.increment(by: poison.count + result.rejected.count)
        metrics.batchSize.record(batch.messages.count)
        for next in batch.nextOffsets {
            if let end = consumer.cachedWatermarks(next.topicPartition)?.high, let position = next.offset.exact {
                metrics.lag(partition: next.topicPartition.partition, max(0, end - position))
            }
        }
        try? consumer.commitAsync(batch.nextOffsets)
    }
}
