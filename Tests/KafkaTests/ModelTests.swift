import Foundation
import Testing

@testable import Kafka

@Suite("Offsets, batches and errors")
struct ModelTests {
    @Test("Logical offsets keep librdkafka's values and read well")
    func logicalOffsets() {
        #expect(KafkaOffset.beginning.rawValue == -2)
        #expect(KafkaOffset.end.rawValue == -1)
        #expect(KafkaOffset.committed.rawValue == -1001)
        #expect(KafkaOffset.beginning.isLogical && KafkaOffset.beginning.exact == nil)
        #expect(KafkaOffset(42).exact == 42)
        #expect("\(TopicPartitionOffset(TopicPartition("t", 3), .beginning))" == "t[3]@beginning")
    }

    @Test("A batch's next offsets are each partition's last record + 1")
    func nextOffsets() {
        var batch = ConsumerBatch()
        // Runs per partition, interleaved, two topics, and a record behind its partition's last.
        let records: [(String, Int32, Int64)] = [
            ("t", 0, 5), ("t", 1, 9), ("t", 0, 6), ("t", 0, 7), ("u", 0, 2), ("t", 1, 10), ("t", 0, 3),
        ]
        for (topic, partition, offset) in records {
            batch.messages.append(
                KafkaConsumerMessage(topicPartition: TopicPartition(topic, partition), offset: offset, key: nil, value: []))
        }
        #expect(
            batch.nextOffsets == [
                TopicPartitionOffset(TopicPartition("t", 0), KafkaOffset(8)), TopicPartitionOffset(TopicPartition("t", 1), KafkaOffset(11)),
                TopicPartitionOffset(TopicPartition("u", 0), KafkaOffset(3)),
            ])
        #expect(ConsumerBatch().nextOffsets.isEmpty)
    }

    @Test("librdkafka errors carry their name, retriability and fatality")
    func errors() {
        let transport = KafkaError(rawCode: -195, context: "produce")  // _TRANSPORT
        #expect(transport.brokerCodeName == "_TRANSPORT")
        #expect(transport.isRetriable && !transport.isFatal)
        let reset = KafkaError(rawCode: -140, context: "consume")  // _AUTO_OFFSET_RESET
        #expect(reset.code == KafkaError.Code.offsetOutOfRange)
        let fatal = KafkaError(rawCode: -150, context: "producer")  // _FATAL
        #expect(fatal.isFatal)
        #expect(fatal.description.contains("recreate the client"))
    }

    @Test("The linked librdkafka is new enough, and the check says how to fix an old one")
    func libraryVersion() throws {
        #expect(Librdkafka.isSupported, "linked \(Librdkafka.versionString)")
        try Librdkafka.requireSupportedVersion()
        #expect(Librdkafka.versionNumber >= 0x0202_0000)
    }
}

@Suite("LogEndGuard")
struct LogEndGuardTests {
    let partition = TopicPartition("t", 0)

    @Test("Reports a position that stays beyond the log end for the grace period, once")
    func reportsOnce() {
        let guardian = LogEndGuard(grace: .seconds(2))
        guardian.start([TopicPartitionOffset(partition, KafkaOffset(500))])
        let t0 = ContinuousClock.now
        #expect(guardian.check(now: t0) { _ in 10 }.isEmpty, "not before the grace period")
        let violations = guardian.check(now: t0 + .seconds(3)) { _ in 10 }
        #expect(violations.map(\.position) == [500])
        #expect(violations.map(\.logEnd) == [10])
        #expect(guardian.check(now: t0 + .seconds(6)) { _ in 10 }.isEmpty, "reported once")
    }

    @Test("A watermark that catches up, an unknown watermark or a logical start never reports")
    func noFalseAlarms() {
        let guardian = LogEndGuard(grace: .seconds(2))
        guardian.start([TopicPartitionOffset(partition, KafkaOffset(50))])
        let t0 = ContinuousClock.now
        _ = guardian.check(now: t0) { _ in 10 }  // stale cached watermark
        #expect(guardian.check(now: t0 + .seconds(1)) { _ in 60 }.isEmpty)  // a fetch refreshed it
        #expect(guardian.check(now: t0 + .seconds(5)) { _ in 60 }.isEmpty)
        #expect(guardian.check(now: t0 + .seconds(9)) { _ in nil }.isEmpty)

        let logical = LogEndGuard(grace: .zero)
        logical.start([TopicPartitionOffset(partition, .beginning)])
        #expect(logical.check { _ in 0 }.isEmpty)
    }

    @Test("Positions advance with delivered records; revoked partitions are forgotten")
    func advanceAndRemove() {
        let guardian = LogEndGuard(grace: .zero)
        guardian.start([TopicPartitionOffset(partition, .beginning)])
        guardian.advance([TopicPartitionOffset(partition, KafkaOffset(8))])
        #expect(guardian.check { _ in 8 }.isEmpty, "position == end is caught up, not beyond")
        #expect(guardian.check { _ in 7 }.map(\.position) == [8])
        guardian.start([TopicPartitionOffset(partition, KafkaOffset(100))])
        guardian.remove([partition])
        #expect(guardian.check { _ in 0 }.isEmpty)
    }
}

@Suite("Partitioner")
struct PartitionerTests {
    @Test(
        "murmur2 matches the Java client's test vectors",
        arguments: [
            ("21", -973_932_308), ("foobar", -790_332_482), ("a-little-bit-long-string", -985_981_536),
            ("a-little-bit-longer-string", -1_486_304_829), ("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58_897_971),
            ("abc", 479_470_107),
        ])
    func murmur2(key: String, javaValue: Int32) {
        #expect(Int32(bitPattern: KafkaPartitioner.murmur2(key.utf8)) == javaValue)
    }

    @Test("A key's partition drops the sign bit, then takes the remainder")
    func partition() {
        // "foobar" hashes negative in Java: toPositive(-790332482) = 1357151166.
        #expect(KafkaPartitioner.partition(forKey: "foobar", partitions: 6) == Int32(1_357_151_166 % 6))
    }
}

@Suite("Broker silence from statistics")
struct BrokerSilenceTests {
    /// A trimmed librdkafka statistics document (STATISTICS.md): the bootstrap connection, a
    /// broker that answers, and one that owes answers and has been quiet for 12 s.
    static func statistics(waiting: Int, idleMicroseconds: Int) throws -> KafkaStatistics {
        let json = """
            {"name": "c#consumer-1", "type": "consumer", "brokers": {
              "127.0.0.1:9092/bootstrap": {"name": "127.0.0.1:9092/bootstrap", "nodeid": -1, "state": "UP", "waitresp_cnt": 0, "rxidle": 30000000},
              "127.0.0.1:9092/1": {"name": "127.0.0.1:9092/1", "nodeid": 1, "state": "UP", "waitresp_cnt": 1, "rxidle": 4000},
              "127.0.0.1:9094/2": {"name": "127.0.0.1:9094/2", "nodeid": 2, "state": "UP", "waitresp_cnt": \(waiting), "rxidle": \(idleMicroseconds)}
            }}
            """
        return try JSONDecoder().decode(KafkaStatistics.self, from: Data(json.utf8))
    }

    @Test("A broker that owes answers and sent nothing for the threshold is silent; a quiet one owing nothing, or a recent answer, is not")
    func silence() throws {
        let silent = try Self.statistics(waiting: 3, idleMicroseconds: 12_000_000).silentBrokers(threshold: .seconds(10))
        #expect(silent.map(\.name) == ["127.0.0.1:9094/2"])
        #expect(silent.first?.waiting == 3 && silent.first?.silentFor == .seconds(12))
        // An idle producer waits for nothing: never silent, however long the quiet (the bootstrap line above too).
        #expect(try Self.statistics(waiting: 0, idleMicroseconds: 600_000_000).silentBrokers(threshold: .seconds(10)).isEmpty)
        #expect(try Self.statistics(waiting: 2, idleMicroseconds: 9_999_000).silentBrokers(threshold: .seconds(10)).isEmpty)
        // Nothing received yet (-1) is not evidence of silence.
        #expect(try Self.statistics(waiting: 1, idleMicroseconds: -1).silentBrokers(threshold: .seconds(10)).isEmpty)
    }
}
