import Foundation
import Kafka
import Synchronization
import TestSupport
import Testing

/// Offsets: committed, application-stored, seek, watermarks, partition ends.
@Suite("Offsets", .timeLimit(.minutes(3)))
struct OffsetConformanceTests {
    @Test("Committed offsets resume after a restart: no old record again, every new one")
    func committedOffsetsResume() async throws {
        let kit = try await KafkaTestKit.make("resume")
        let topic = try await kit.createTopic(partitions: 3)
        let group = TestNames.unique("resume")
        try await kit.produce(topic, count: 200)

        let first = try await kit.makeConsumer(group: group, topic: topic)
        let before = try await first.collect(200, commit: true)
        await first.close()
        #expect(Set(before.map(\.valueString)) == Set((0..<200).map(String.init)))
        let committed = try await kit.admin.committedOffsets(group: group)
        #expect(committed.map(\.offset.rawValue).reduce(0, +) == 200, "committed offsets equal the log ends")

        try await kit.produce(topic, count: 100, startingAt: 200)
        let second = try await kit.makeConsumer(group: group, topic: topic)
        let after = try await second.collect(100, commit: true)
        let extra = try await second.drain(for: .seconds(1))
        await second.close()
        #expect(Set(after.map(\.valueString)) == Set((200..<300).map(String.init)))
        #expect(extra.isEmpty)
    }

    /// The core of exactly-once projections: the application keeps offsets in its own store and
    /// hands them to the consumer inside the assign callback. Kafka's committed offsets are
    /// deliberately wrong here (never committed), so only the listener's offsets can be right.
    @Test("Offsets supplied by the rebalance listener at assign time decide where fetching starts")
    func listenerOffsetsAtAssign() async throws {
        let kit = try await KafkaTestKit.make("store")
        let topic = try await kit.createTopic(partitions: 3)
        let reports = try await kit.produce(topic, count: 300)
        let ends = Dictionary(grouping: reports, by: \.topicPartition).mapValues { $0.count }
        // The application's own store: half of each partition already processed.
        let stored = ends.mapValues { KafkaOffset(Int64($0 / 2)) }
        let listener = StoredOffsets(stored)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("store"), topic: topic, listener: listener)
        let expectedCount = ends.values.reduce(0) { $0 + ($1 - $1 / 2) }
        let messages = try await consumer.collect(expectedCount)
        let extra = try await consumer.drain(for: .milliseconds(500))
        await consumer.close()
        #expect(extra.isEmpty)
        for (partition, offset) in stored {
            let first = messages.filter { $0.topicPartition == partition }.map(\.offset).min()
            #expect(first == offset.rawValue, "\(partition) started at \(String(describing: first)), store said \(offset)")
        }
        #expect(listener.assignedCalls.withLock { $0 } >= 1)
        #expect(listener.revokedCalls.withLock { $0 } >= 1, "close runs the final revoke through the listener")
    }

    @Test("A rebalance listener that throws fails the consumer instead of fetching from a guessed offset")
    func failingListenerStopsConsumer() async throws {
        let kit = try await KafkaTestKit.make("failing")
        let topic = try await kit.createTopic(partitions: 2)
        try await kit.produce(topic, count: 20)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("failing"), topic: topic, listener: FailingListener())
        let error = await #expect(throws: KafkaError.self) {
            for _ in 0..<200 { _ = try await consumer.nextBatch(idleTimeout: .milliseconds(100)) }
        }
        #expect(error?.code == .rebalanceListener)
        await consumer.close()
    }

    @Test("Seek replays from the beginning and from a given offset")
    func seekAndReplay() async throws {
        let kit = try await KafkaTestKit.make("seek")
        let topic = try await kit.createTopic(partitions: 1)
        try await kit.produce(topic, count: 50)
        let partition = TopicPartition(topic, 0)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("seek"), topic: nil)
        try consumer.assign([TopicPartitionOffset(partition, .beginning)])
        #expect(try await consumer.collect(50).map(\.offset) == Array(0..<50))

        try await consumer.seek([TopicPartitionOffset(partition, KafkaOffset(20))])
        #expect(try await consumer.collect(30).map(\.offset) == Array(20..<50))

        try await consumer.seek([TopicPartitionOffset(partition, .beginning)])
        #expect(try await consumer.collect(50).first?.offset == 0)
        await consumer.close()
    }

    @Test("Pause stops a partition's records until resume; nothing is skipped")
    func pauseAndResume() async throws {
        let kit = try await KafkaTestKit.make("pause")
        let topic = try await kit.createTopic(partitions: 2)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("pause"), topic: nil)
        let paused = TopicPartition(topic, 0)
        try consumer.assign([TopicPartitionOffset(paused, .beginning), TopicPartitionOffset(TopicPartition(topic, 1), .beginning)])
        try consumer.pause([paused])
        let producer = try await kit.makeProducer()
        for index in 0..<20 {
            try await producer.send(
                KafkaProducerMessage(topic: topic, partition: Int32(index % 2), key: nil, value: Array(String(index).utf8)))
        }
        let whilePaused = try await consumer.drain(for: .seconds(2))
        #expect(whilePaused.count == 10)
        #expect(whilePaused.allSatisfy { $0.topicPartition.partition == 1 })
        try consumer.resume([paused])
        let afterResume = try await consumer.collect(10)
        #expect(afterResume.map(\.offset) == Array(0..<10))
        #expect(afterResume.allSatisfy { $0.topicPartition == paused })
        await consumer.close()
        await producer.close()
    }

    @Test("Partition EOF events report the end offset of each partition")
    func partitionEOF() async throws {
        let kit = try await KafkaTestKit.make("eof")
        let topic = try await kit.createTopic(partitions: 2)
        let producer = try await kit.makeProducer()
        for index in 0..<7 {
            try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: nil, value: Array(String(index).utf8)))
        }
        await producer.close()
        let consumer = try await kit.makeConsumer(group: TestNames.unique("eof"), topic: nil) { $0.partitionEOF = true }
        try consumer.assign([
            TopicPartitionOffset(TopicPartition(topic, 0), .beginning), TopicPartitionOffset(TopicPartition(topic, 1), .beginning),
        ])
        var ends: [TopicPartition: Int64] = [:]
        var records = 0
        let deadline = ContinuousClock.now + .seconds(20)
        while ends.count < 2 && ContinuousClock.now < deadline {
            guard let batch = try await consumer.nextBatch(idleTimeout: .milliseconds(200)) else { break }
            records += batch.messages.count
            for end in batch.endOfPartition { ends[end.topicPartition] = end.offset.rawValue }
        }
        await consumer.close()
        #expect(records == 7)
        #expect(ends == [TopicPartition(topic, 0): 7, TopicPartition(topic, 1): 0])
    }

    @Test("Watermarks: Fetch-based high watermark is the log end; ListOffsets is right on Kafka, wrong on Tansu")
    func watermarks() async throws {
        let kit = try await KafkaTestKit.make("watermarks")
        let expectations = BrokerExpectations(kind: kit.kind)
        let topic = try await kit.createTopic(partitions: 1)
        let partition = TopicPartition(topic, 0)
        // Three flushed rounds of 100: three record batches, newest one based at offset 200.
        var configuration = KafkaProducerConfiguration(common: try await TestBroker.configuration(clientID: "watermarks"))
        configuration.linger = .milliseconds(200)
        let producer = try KafkaProducer.make(configuration: configuration, logger: TestLogging.logger("watermarks"))
        for round in 0..<3 {
            for index in 0..<100 {
                try await producer.enqueue(
                    KafkaProducerMessage(topic: topic, partition: 0, key: nil, value: Array(String(round * 100 + index).utf8)))
            }
            try await producer.flush()
        }
        await producer.close()

        let consumer = try await kit.makeConsumer(group: TestNames.unique("watermarks"), topic: nil)
        try consumer.assign([TopicPartitionOffset(partition, .beginning)])
        _ = try await consumer.collect(300)
        #expect(consumer.cachedWatermarks(partition)?.high == 300, "Fetch responses carry the true high watermark")
        await consumer.close()

        let listed = try await kit.admin.queryWatermarks(partition)
        #expect(listed.low == 0)
        #expect(listed.high == expectations.listOffsetsHighWatermark(logEnd: 300, newestBatchBaseOffset: 200))
    }

    /// A one-partition topic with one batch of 20 records whose create times are one second
    /// apart, starting at `base` (a minute ago).
    static func timedBatch(_ kit: KafkaTestKit) async throws -> (topic: String, base: Int64) {
        let topic = try await kit.createTopic(partitions: 1)
        let base = Int64(Date().timeIntervalSince1970 * 1000) - 60_000
        var configuration = KafkaProducerConfiguration(common: kit.configuration(clientID: "timed"))
        configuration.linger = .milliseconds(200)
        let producer = try KafkaProducer.make(configuration: configuration, logger: TestLogging.logger("timed"))
        for index in 0..<20 {
            try await producer.enqueue(
                KafkaProducerMessage(
                    topic: topic, partition: 0, key: nil, value: Array(String(index).utf8),
                    timestampMilliseconds: base + Int64(index) * 1000))
        }
        try await producer.flush()
        await producer.close()
        return (topic, base)
    }

    @Test("offsetsForTimes: the first record at or after a time (Kafka) / its batch's base offset (Tansu)")
    func offsetsForTimes() async throws {
        let kit = try await KafkaTestKit.make("times")
        let (topic, base) = try await Self.timedBatch(kit)
        let partition = TopicPartition(topic, 0)
        let found = try await kit.admin.offsetsForTimes([partition], milliseconds: base + 10_500)
        let expectations = BrokerExpectations(kind: kit.kind)
        #expect(found[partition] == .some(expectations.offsetForTime(correct: 11, batchBaseOffset: 0)))
        let beyond = try await kit.admin.offsetsForTimes([partition], milliseconds: base + 100_000)
        #expect(beyond[partition] == .some(expectations.offsetForTimeAfterLastRecord))
    }

    @Test("TimestampOffsetLookup: the exact first record at or after a time on any broker, and it says whether the broker's answer held")
    func timestampLookup() async throws {
        let kit = try await KafkaTestKit.make("lookup")
        let (topic, base) = try await Self.timedBatch(kit)
        let lookup = TimestampOffsetLookup(configuration: kit.configuration(clientID: "lookup"), logger: TestLogging.logger("lookup"))
        let expectations = BrokerExpectations(kind: kit.kind)
        let inside = try await lookup.offsets(topic: topic, partitions: [0], atOrAfter: base + 10_500, admin: kit.admin)[0]
        #expect(inside?.offset == 11)
        #expect(inside?.method == (expectations.offsetForTime(correct: 11, batchBaseOffset: 0) == 11 ? .brokerVerified : .recordScan))
        let after = try await lookup.offsets(topic: topic, partitions: [0], atOrAfter: base + 100_000, admin: kit.admin)[0]
        #expect(after?.offset == nil, "no record that late: start at the end")
        let first = try await lookup.offsets(topic: topic, partitions: [0], atOrAfter: base - 5_000, admin: kit.admin)[0]
        #expect(first?.offset == 0 && first?.method == .brokerVerified)
    }

    /// Tansu keeps data in memory; after a restart a consumer's stored offset can lie beyond the
    /// new log end. With auto.offset.reset=error (our default) that must surface as an error, not
    /// as a silent jump.
    @Test("A stored offset beyond the log end is reported as an error, never silently skipped")
    func offsetBeyondEndIsAnError() async throws {
        let kit = try await KafkaTestKit.make("beyond")
        let topic = try await kit.createTopic(partitions: 1)
        try await kit.produce(topic, count: 10)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("beyond"), topic: nil) { $0.autoOffsetReset = .error }
        try consumer.assign([TopicPartitionOffset(TopicPartition(topic, 0), KafkaOffset(500))])
        var errors: [KafkaError] = []
        var records: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + .seconds(15)
        while errors.isEmpty && ContinuousClock.now < deadline {
            guard let batch = try await consumer.nextBatch(idleTimeout: .milliseconds(200)) else { break }
            errors += batch.errors
            records += batch.messages
        }
        await consumer.close()
        #expect(records.isEmpty)
        #expect(errors.first?.code == .offsetOutOfRange, "\(errors)")
        if BrokerExpectations(kind: kit.kind).reportsOffsetOutOfRange {
            #expect(errors.first?.brokerCodeName == "_AUTO_OFFSET_RESET", "librdkafka reports the broker's OFFSET_OUT_OF_RANGE")
        } else {
            #expect(errors.first?.brokerCodeName == nil, "the binding's LogEndGuard caught what the broker did not say")
        }
    }
}

/// An application store of offsets, as a projection database would be.
final class StoredOffsets: KafkaRebalanceListener {
    let offsets: [TopicPartition: KafkaOffset]
    let assignedCalls = Mutex(0)
    let revokedCalls = Mutex(0)

    init(_ offsets: [TopicPartition: KafkaOffset]) { self.offsets = offsets }

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        assignedCalls.withLock { $0 += 1 }
        return offsets.filter { partitions.contains($0.key) }
    }

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        revokedCalls.withLock { $0 += 1 }
    }
}

struct FailingListener: KafkaRebalanceListener {
    struct StoreUnavailable: Error {}
    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        throw StoreUnavailable()
    }
}
