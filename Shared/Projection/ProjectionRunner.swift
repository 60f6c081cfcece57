import Foundation
public import Kafka
public import Logging
import OrderEvents
public import ServiceLifecycle
import Synchronization

/// Consumes the order-event topic as the projection's consumer group and keeps its read model.
///
/// Per batch: decode every record; send the ones that cannot be read or applied to the
/// dead-letter topic (and wait for the broker's acknowledgement); then, in one SQLite transaction,
/// apply the rest and store the next offsets. Only then are the offsets committed to Kafka
/// (asynchronously, for tools that show lag). A crash at any instant leaves model and offsets
/// consistent: on restart the partition resumes exactly after the last applied batch.
public final class ProjectionRunner: Service, Sendable {
    public let database: ProjectionDatabase
    public let topic: String
    public let deadLetterTopic: String
    private let consumer: KafkaConsumer
    private let deadLetters: KafkaProducer
    private let logger: Logger
    private let counters = Mutex(Counters())

    public struct Counters: Codable, Sendable, Equatable {
        public var applied = 0
        public var duplicates = 0
        public var deadLettered = 0
        public var batches = 0
    }

    public init(
        database: ProjectionDatabase, consumer configuration: KafkaConsumerConfiguration, topic: String, deadLetterTopic: String,
        deadLetters: KafkaProducer, logger: Logger
    ) throws {
        self.database = database
        self.topic = topic
        self.deadLetterTopic = deadLetterTopic
        self.deadLetters = deadLetters
        self.logger = logger
        var configuration = configuration
        configuration.groupID = database.projection.name
        // Never fall back silently: a partition with no stored offset starts at .beginning
        // (chosen by the listener), and a position outside the log is an error.
        configuration.autoOffsetReset = .error
        consumer = try KafkaConsumer.make(
            configuration: configuration, rebalanceListener: StoredOffsetsListener(database: database, topic: topic), logger: logger)
    }

    public var counts: Counters { counters.withLock { $0 } }

    /// One partition's position: stored with the read model vs the log end from Fetch responses.
    public struct PartitionReport: Codable, Sendable, Equatable {
        public var partition: Int32
        public var assigned: Bool
        public var storedOffset: Int64?
        public var logEnd: Int64?
        /// logEnd − storedOffset, clamped at 0; nil while the log end is unknown.
        public var lag: Int64?
    }

    /// What `/offsets` shows: every partition this instance has stored an offset for or owns.
    public func offsetsReport() async throws -> [PartitionReport] {
        let stored = try await database.storedOffsets(topic: topic)
        let owned = Set(consumer.assignment.filter { $0.topic == topic }.map(\.partition))
        return Set(stored.keys).union(owned).sorted().map { partition in
            let end = consumer.cachedWatermarks(TopicPartition(topic, partition))?.high
            let position = stored[partition]
            return PartitionReport(
                partition: partition, assigned: owned.contains(partition), storedOffset: position, logEnd: end,
                lag: end.map { max(0, $0 - (position ?? 0)) })
        }
    }
    public var assignment: [TopicPartition] { consumer.assignment }

    public func run() async throws {
        try consumer.subscribe([topic])
        try await withTaskCancellationOrGracefulShutdownHandler {
            for try await batch in consumer.batches(maxMessages: 2_000, maxWait: .milliseconds(5)) {
                if let error = batch.errors.first {
                    // E.g. a stored position beyond the log end: nothing may be skipped.
                    throw error
                }
                try await process(batch)
            }
        } onCancelOrGracefulShutdown: {
            // Closing ends the batches (after the one in progress is applied and stored).
            Task { await self.consumer.close() }
        }
        await consumer.close()
    }

    private func process(_ batch: ConsumerBatch) async throws {
        var events: [(OrderEvent, EventPosition)] = []
        var sources: [UUID: KafkaConsumerMessage] = [:]
        var poison: [(KafkaConsumerMessage, String)] = []
        for message in batch.messages {
            do {
                let event = try OrderEventCodec.decode(message.value)
                events.append((event, EventPosition(partition: message.topicPartition.partition, offset: message.offset)))
                sources[event.eventID] = message
            } catch {
                poison.append((message, "\(error.code): \(error)"))
            }
        }
        // Dead letters first: their offsets are stored with this batch, so they must be safe first.
        try await deadLetter(poison)
        let result = try await database.apply(events, storing: batch.nextOffsets)
        // Rejected by the projection (or out of sequence): written nowhere but the dead-letter topic.
        try await deadLetter(result.rejected.compactMap { rejection in sources[rejection.event.eventID].map { ($0, "rejected: \(rejection.reason)") } })
        counters.withLock {
            $0.applied += result.applied
            $0.duplicates += result.duplicates
            $0.deadLettered += poison.count + result.rejected.count
            $0.batches += 1
        }
        try? consumer.commitAsync(batch.nextOffsets)
    }

    private func deadLetter(_ records: [(KafkaConsumerMessage, String)]) async throws {
        for (message, reason) in records {
            logger.warning("dead-lettering \(message.topicPartition)@\(message.offset): \(reason)")
            let headers = message.headers + [
                KafkaHeader(key: "dlq-original-topic", string: message.topicPartition.topic),
                KafkaHeader(key: "dlq-original-partition", string: String(message.topicPartition.partition)),
                KafkaHeader(key: "dlq-original-offset", string: String(message.offset)),
                KafkaHeader(key: "dlq-consumer-group", string: database.projection.name),
                KafkaHeader(key: "dlq-error", string: reason),
            ]
            try await deadLetters.send(KafkaProducerMessage(topic: deadLetterTopic, key: message.key, value: message.value, headers: headers))
        }
    }
}
