import Contract
import Foundation
public import Kafka
public import Logging
import OrderEvents

/// A record on a dead-letter topic, with where it came from, who gave up on it and why
/// (`DeadLetterHeaders`).
public struct DeadLetter: Sendable, Codable, Equatable {
    public var topic: String
    public var partition: Int32
    public var offset: Int64
    public var timestampMilliseconds: Int64?
    public var key: String?
    public var originTopic: String?
    public var originPartition: Int32?
    public var originOffset: Int64?
    public var group: String?
    public var reason: String?
    public var eventType: String?
    public var value: String

    public init(_ message: KafkaConsumerMessage) {
        func header(_ name: String) -> String? { message.headers.last(named: name)?.stringValue }
        topic = message.topicPartition.topic
        partition = message.topicPartition.partition
        offset = message.offset
        timestampMilliseconds = message.timestampMilliseconds
        key = message.keyString
        originTopic = header(DeadLetterHeaders.originalTopic)
        originPartition = header(DeadLetterHeaders.originalPartition).flatMap { Int32($0) }
        originOffset = header(DeadLetterHeaders.originalOffset).flatMap { Int64($0) }
        group = header(DeadLetterHeaders.consumerGroup)
        reason = header(DeadLetterHeaders.error)
        eventType = header(EventHeaders.eventType)
        value = message.valueString
    }
}

/// The dead-letter topics of a cluster: what they hold, and putting records back.
public enum DeadLetters {
    /// The cluster's dead-letter topics (`<topic>.dlq`) and how many records each holds.
    public static func topics(admin: KafkaAdmin, configuration: KafkaConfiguration, logger: Logger) async throws -> [(String, Int64)] {
        var found: [(String, Int64)] = []
        // One Metadata request names every topic and its partitions.
        for metadata in try await admin.metadata().topics.sorted(by: { $0.name < $1.name })
        where metadata.name.hasSuffix(Topics.deadLetters(of: "")) {
            let (topic, partitions) = (metadata.name, metadata.partitions.count)
            let ends = try await FetchedLogEnds.read(topic: topic, partitions: partitions, configuration: configuration, logger: logger)
            var total: Int64 = 0
            for partition in 0..<partitions {
                let tp = TopicPartition(topic, Int32(partition))
                guard let end = ends[tp] else { throw KafkaError(.admin, "the log end of \(tp) could not be read; is its leader up?") }
                total += max(0, end - (try await admin.queryWatermarks(tp).low))
            }
            found.append((topic, total))
        }
        return found
    }

    /// Every dead letter on `topic`, oldest first per partition.
    public static func read(topic: String, configuration: KafkaConfiguration, logger: Logger) async throws -> [DeadLetter] {
        try await KafkaConsumer.withStandalone(configuration: configuration, logger: logger) { consumer in
            try await readAll(topic, from: .beginning, consumer: consumer)
        }.map(DeadLetter.init)
    }

    /// Every record of an existing `topic` from `start` to its end.
    static func readAll(_ topic: String, from start: KafkaOffset, consumer: KafkaConsumer) async throws -> [KafkaConsumerMessage] {
        guard try await consumer.partitionCount(of: topic) > 0 else {
            throw KafkaError(.admin, "no topic \(topic): `fooddelivery dlq` lists the dead-letter topics")
        }
        return try await consumer.readToEnd(topic: topic, from: start)
    }

    /// What a redrive did.
    public struct RedriveReport: Sendable, Codable, Equatable {
        /// The consumer group that remembers how far the redrive has come.
        public var redriveGroup: String
        public var redriven: [DeadLetter]
        /// Dead letters left for a later run: in each partition, from the first one not chosen
        /// (another group's, with `onlyGroup`) on.
        public var left: [DeadLetter]
        /// Dead letters without an original topic (not written by this system): nowhere to send
        /// them back to, so the redrive passes them.
        public var unroutable: [DeadLetter]
        public var dryRun: Bool
    }

    /// The consumer group that keeps a redrive's progress on `topic`.
    public static func redriveGroup(topic: String) -> String { "fooddelivery-redrive.\(topic)" }

    /// Publishes each dead letter of `topic` not yet redriven back to its original topic, with its
    /// key, value and headers (minus the dead-letter ones) and its provenance
    /// (`DeadLetterHeaders.redrivenFrom`, `.redrivenAt`); then commits how far it came in its own
    /// consumer group, so a second run redrives nothing twice. Progress is an offset per
    /// partition, so a run redrives each partition's records in order up to the first one it is
    /// not to redrive (`onlyGroup`), and leaves that one and the rest for a later run. Exactly
    /// once in effect: a crash between the broker's acknowledgement and that commit redrives
    /// those records again, and every consumer drops repeats (order events by order id and sequence).
    public static func redrive(
        topic: String, onlyGroup: String? = nil, dryRun: Bool, configuration: KafkaConfiguration, logger: Logger
    ) async throws -> RedriveReport {
        let group = redriveGroup(topic: topic)
        var settings = KafkaConsumerConfiguration(common: configuration, groupID: group)
        settings.partitionEOF = true
        settings.autoOffsetReset = .earliest
        let consumer = try KafkaConsumer.make(configuration: settings, logger: logger)
        do {
            let records = try await readAll(topic, from: .committed, consumer: consumer)
            var report = RedriveReport(redriveGroup: group, redriven: [], left: [], unroutable: [], dryRun: dryRun)
            var messages: [KafkaProducerMessage] = []
            var next: [TopicPartition: Int64] = [:]
            var stopped: Set<TopicPartition> = []
            let now = Timestamp.format(Date())
            for record in records.sorted(by: { ($0.topicPartition, $0.offset) < ($1.topicPartition, $1.offset) }) {
                let letter = DeadLetter(record)
                guard !stopped.contains(record.topicPartition), onlyGroup == nil || letter.group == onlyGroup else {
                    stopped.insert(record.topicPartition)
                    report.left.append(letter)
                    continue
                }
                guard let origin = letter.originTopic else {
                    report.unroutable.append(letter)
                    next[record.topicPartition] = record.offset + 1
                    continue
                }
                report.redriven.append(letter)
                next[record.topicPartition] = record.offset + 1
                let headers =
                    record.headers.filter { !DeadLetterHeaders.all.contains($0.key) } + [
                        KafkaHeader(key: DeadLetterHeaders.redrivenFrom, string: "\(record.topicPartition)@\(record.offset)"),
                        KafkaHeader(key: DeadLetterHeaders.redrivenAt, string: now),
                    ]
                messages.append(KafkaProducerMessage(topic: origin, key: record.key, value: record.value, headers: headers))
            }
            if !dryRun {
                if !messages.isEmpty {
                    // Idempotent, acknowledged by every in-sync replica, one at a time: in order, each safe before the commit.
                    let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: configuration), logger: logger)
                    do {
                        for message in messages { try await producer.send(message) }
                    } catch {
                        await producer.close()
                        throw error
                    }
                    await producer.close()
                }
                if !next.isEmpty {
                    try await consumer.commit(next.map { TopicPartitionOffset($0.key, KafkaOffset($0.value)) })
                }
            }
            await consumer.close()
            return report
        } catch {
            await consumer.close()
            throw error
        }
    }
}
