import Foundation
import Kafka
import TestSupport
import Testing

/// Kafka transactions (KIP-98) through the binding, against the broker under test: which parts
/// hold. `BrokerExpectations` says where the local broker deviates.
@Suite("Transactions", .timeLimit(.minutes(3)))
struct TransactionConformanceTests {
    /// A transactional producer over `kit`, its id unique to this test.
    static func transactionalProducer(_ kit: KafkaTestKit, id: String) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(common: kit.configuration(clientID: "txn-producer"))
        configuration.transactionalID = id
        configuration.transactionTimeout = .seconds(30)
        return try KafkaProducer.make(configuration: configuration, logger: TestLogging.logger("txn-producer"))
    }

    /// Every value on `topic`'s single partition, as a consumer at `isolation` reads it.
    static func values(_ kit: KafkaTestKit, topic: String, isolation: KafkaConsumerConfiguration.IsolationLevel) async throws -> [String] {
        let consumer = try await kit.makeConsumer(group: TestNames.unique("txn-reader"), topic: nil, clientID: "txn-reader") {
            $0.isolationLevel = isolation
        }
        try consumer.assign([TopicPartitionOffset(TopicPartition(topic, 0), .beginning)])
        let messages = try await consumer.drain(for: .seconds(4))
        await consumer.close()
        return messages.map(\.valueString)
    }

    @Test("Consume-transform-produce: records and the input offsets commit together; an abort shows nowhere (per broker)")
    func commitAndAbort() async throws {
        let kit = try await KafkaTestKit.make("transactions")
        let expect = BrokerExpectations(kind: kit.kind)
        let input = try await kit.createTopic("txn-input", partitions: 1)
        let output = try await kit.createTopic("txn-output", partitions: 1)
        try await kit.produce(input, count: 4, keys: 1)

        // The consuming side: a group member that has read the input.
        let group = TestNames.unique("txn-group")
        let consumer = try await kit.makeConsumer(group: group, topic: input)
        let read = try await consumer.collect(4)
        #expect(read.count == 4)

        let producer = try Self.transactionalProducer(kit, id: TestNames.unique("txn"))
        try await producer.initTransactions()

        // Committed: two records and the input offset after the first two records.
        try producer.beginTransaction()
        for value in ["committed-1", "committed-2"] {
            try await producer.enqueue(KafkaProducerMessage(topic: output, key: "k", value: value))
        }
        try await producer.sendOffsetsToTransaction([TopicPartitionOffset(TopicPartition(input, 0), KafkaOffset(2))], consumer: consumer)
        try await producer.commitTransaction()

        // Aborted: a record (acknowledged by the broker first, so it is in the log, not purged from
        // the local queue by the abort) and a later input offset; neither may take effect.
        try producer.beginTransaction()
        try await producer.send(KafkaProducerMessage(topic: output, key: "k", value: "aborted-1"))
        try await producer.sendOffsetsToTransaction([TopicPartitionOffset(TopicPartition(input, 0), KafkaOffset(4))], consumer: consumer)
        try await producer.abortTransaction()

        // Committed again after the abort.
        try producer.beginTransaction()
        try await producer.enqueue(KafkaProducerMessage(topic: output, key: "k", value: "committed-3"))
        try await producer.commitTransaction()
        await producer.close()

        let committed = try await consumer.committed([TopicPartition(input, 0)])
        await consumer.close()
        let readCommitted = try await Self.values(kit, topic: output, isolation: .readCommitted)
        let readUncommitted = try await Self.values(kit, topic: output, isolation: .readUncommitted)
        print(
            "transactions on \(kit.kind): group offset \(committed.map { "\($0.offset)" }), read_committed \(readCommitted), read_uncommitted \(readUncommitted)"
        )

        #expect(committed.first?.offset == KafkaOffset(2), "the committed transaction's offset, not the aborted one's")
        #expect(readUncommitted == ["committed-1", "committed-2", "aborted-1", "committed-3"])
        #expect(
            readCommitted
                == (expect.hidesAbortedRecords
                    ? ["committed-1", "committed-2", "committed-3"] : ["committed-1", "committed-2", "aborted-1", "committed-3"]))
    }

    @Test("A second producer with the same transactional id fences the first (per broker)")
    func fencing() async throws {
        let kit = try await KafkaTestKit.make("transactions-fencing")
        let output = try await kit.createTopic("txn-fenced", partitions: 1)
        let id = TestNames.unique("txn-fence")
        let first = try Self.transactionalProducer(kit, id: id)
        try await first.initTransactions()
        let second = try Self.transactionalProducer(kit, id: id)
        try await second.initTransactions()

        // The fenced producer's transaction must fail, and its record must never become visible.
        var fenced: KafkaError?
        do {
            try first.beginTransaction()
            try await first.enqueue(KafkaProducerMessage(topic: output, key: "k", value: "zombie"))
            try await first.commitTransaction()
        } catch {
            fenced = error
        }
        try second.beginTransaction()
        try await second.enqueue(KafkaProducerMessage(topic: output, key: "k", value: "current"))
        try await second.commitTransaction()
        await first.close()
        await second.close()
        let visible = try await Self.values(kit, topic: output, isolation: .readCommitted)
        print(
            "fencing on \(kit.kind): the first producer's commit \(fenced.map { "failed: \($0)" } ?? "succeeded"); read_committed \(visible)"
        )
        #expect(fenced?.isFatal == true, "\(fenced.map { "\($0)" } ?? "no error")")
        #expect(visible == ["current"])
    }

    @Test("The offsets of an aborted transaction that holds no records stay uncommitted, also after the next commit (per broker)")
    func abortedOffsetsOnly() async throws {
        let kit = try await KafkaTestKit.make("transactions-offsets")
        let expect = BrokerExpectations(kind: kit.kind)
        let input = try await kit.createTopic("txn-offsets", partitions: 1)
        let output = try await kit.createTopic("txn-offsets-out", partitions: 1)
        try await kit.produce(input, count: 4, keys: 1)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("txn-offsets"), topic: input)
        _ = try await consumer.collect(4)
        let producer = try Self.transactionalProducer(kit, id: TestNames.unique("txn-offsets"))
        try await producer.initTransactions()
        try producer.beginTransaction()
        try await producer.send(KafkaProducerMessage(topic: output, key: "k", value: "first"))
        try await producer.sendOffsetsToTransaction([TopicPartitionOffset(TopicPartition(input, 0), KafkaOffset(1))], consumer: consumer)
        try await producer.commitTransaction()
        // Aborted before its record left the local queue: the broker holds only its offsets.
        try producer.beginTransaction()
        try await producer.enqueue(KafkaProducerMessage(topic: output, key: "k", value: "purged"))
        try await producer.sendOffsetsToTransaction([TopicPartitionOffset(TopicPartition(input, 0), KafkaOffset(3))], consumer: consumer)
        try await producer.abortTransaction()
        let afterAbort = try await consumer.committed([TopicPartition(input, 0)]).first?.offset.exact
        // The next transaction of the same producer: a record, no offsets.
        try producer.beginTransaction()
        try await producer.send(KafkaProducerMessage(topic: output, key: "k", value: "next"))
        try await producer.commitTransaction()
        await producer.close()
        let afterNext = try await consumer.committed([TopicPartition(input, 0)]).first?.offset.exact
        await consumer.close()
        print(
            "offsets-only abort on \(kit.kind): group offset after the abort \(afterAbort.map(String.init) ?? "none"), after the next commit \(afterNext.map(String.init) ?? "none")"
        )
        #expect(afterAbort == 1)
        if expect.forgetsAbortedOffsets {
            #expect(afterNext == 1)
        } else {
            #expect(afterNext == 1 || afterNext == 3, "the aborted offset (3), or the committed one (1)")
        }
    }
}
