import Foundation
import GRDB
import Kafka
import OrderEvents
import Orders
import Outbox
import Projection
import RestaurantsProjection
import TestSupport
import Testing

/// Poison mixed into the stream, and replays that start mid-log, against the real broker.
@Suite("Poison records and partial replays", .timeLimit(.minutes(4)))
struct PoisonAndReplayTests {
    func runner(_ kit: KafkaTestKit, topic: String, path: String, group: String) async throws -> ProjectionRunner {
        try ProjectionRunner(
            database: try ProjectionDatabase(path: path, projection: RestaurantsProjection(name: group)),
            consumer: KafkaConsumerConfiguration.localBroker(common: kit.configuration(clientID: group), groupID: group),
            topic: topic, deadLetters: try await kit.makeProducer("\(group)-dlq"),
            logger: TestLogging.logger(group))
    }

    @Test(
        "1% poison (bad JSON, unknown type, future version) among ~2,000 events: every valid event applied, every bad one in the DLQ with its reason and origin, no partition stalls"
    )
    func poison() async throws {
        let kit = try await KafkaTestKit.make("poison")
        let topic = try await OrderFlow.topic(kit, partitions: 6)
        let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
        let kinds = [
            ("malformed_json", "{\"schemaVersion\":2,"), ("unknown_type", #"{"schemaVersion":2,"type":"order.teleported"}"#),
            ("unsupported_version", #"{"schemaVersion":7,"type":"order.created"}"#),
        ]
        let producer = try await kit.makeProducer("poison")
        var poison: [String: String] = [:]  // key → expected error code
        for round in 0..<2 {
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 120)
            for index in 0..<10 {
                let (code, value) = kinds[index % kinds.count]
                let key = "ord-poison-\(round)-\(index)"
                try await producer.send(KafkaProducerMessage(topic: topic, key: key, value: value))
                poison[key] = code
            }
        }
        await producer.close()
        let log = try await kit.readAll(topic, partitions: 6)
        let outbox = try await ordersDB.writer.read { try OutboxRecord.fetchAll($0) }
        #expect(log.count == outbox.count + poison.count)
        let share = Double(poison.count) / Double(log.count)

        let path = try ProjectionRunnerTests.temporaryPath("restaurants")
        let live = try await runner(kit, topic: topic, path: path, group: TestNames.unique("restaurants"))
        let running = Task { try await live.run() }
        var ends: [Int32: Int64] = [:]
        for message in log { ends[message.topicPartition.partition] = max(ends[message.topicPartition.partition] ?? 0, message.offset + 1) }
        try await eventually("every partition is consumed to its end", timeout: .seconds(60)) {
            try await live.database.storedOffsets(topic: topic) == ends
        }
        running.cancel()
        _ = await running.result

        let expected = IndependentModel.expected("restaurants", try IndependentModel.events(outbox))
        let actual = try await IndependentModel.actual("restaurants", path: path)
        #expect(actual == expected, "\(IndependentModel.difference(expected: expected, actual: actual))")
        let dlq = try await kit.readAll(topic + ".dlq", partitions: 1)
        let origins = Dictionary(uniqueKeysWithValues: log.filter { poison[$0.keyString ?? ""] != nil }.map { ($0.keyString!, $0) })
        #expect(dlq.count == poison.count)
        for letter in dlq {
            let key = letter.keyString ?? ""
            let origin = try #require(origins[key], "a dead letter for \(key), which was not poison")
            #expect(
                letter.headers.last(named: "dlq-error")?.stringValue?.hasPrefix(poison[key]! + ":") == true,
                "\(key): \(letter.headers.last(named: "dlq-error")?.stringValue ?? "no reason")")
            #expect(letter.headers.last(named: "dlq-original-partition")?.stringValue == String(origin.topicPartition.partition))
            #expect(letter.headers.last(named: "dlq-original-offset")?.stringValue == String(origin.offset))
            #expect(letter.value == origin.value, "the record is kept byte for byte")
        }
        print(
            "poison: \(poison.count) poison records (\(String(format: "%.1f", share * 100))%) among \(log.count); \(outbox.count) valid applied, \(dlq.count) dead-lettered with reason and origin, all 6 partitions consumed to their end"
        )
    }

    @Test(
        "Replay from a time finds each partition's first record at or after it (and says how); from an offset it builds the later part only, and swaps in"
    )
    func partialReplays() async throws {
        let kit = try await KafkaTestKit.make("partial-replay")
        let topic = try await OrderFlow.topic(kit, partitions: 3)
        let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
        try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 30)
        try await Task.sleep(for: .milliseconds(300))
        let middle = Timestamp.milliseconds(Date())
        try await Task.sleep(for: .milliseconds(300))
        try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 30)

        let path = try ProjectionRunnerTests.temporaryPath("restaurants")
        let live = try await runner(kit, topic: topic, path: path, group: TestNames.unique("restaurants"))
        let running = Task { try await live.run() }
        let log = try await kit.readAll(topic, partitions: 3)
        try await eventually("the live model catches up", timeout: .seconds(60)) {
            try await live.database.storedOffsets(topic: topic).values.reduce(0, +) == Int64(log.count)
        }
        let replay = ProjectionReplay(runner: live, shadowPath: path + ".replay", logger: TestLogging.logger("replay"))

        // From a time inside the log: the truth, from the records' own timestamps.
        func truth(_ milliseconds: Int64) -> [String: Int64?] {
            Dictionary(
                uniqueKeysWithValues: (0..<3).map { partition in
                    (
                        String(partition),
                        log.filter { $0.topicPartition.partition == Int32(partition) && ($0.timestampMilliseconds ?? 0) >= milliseconds }
                            .map(\.offset).min()
                    )
                })
        }
        let fromTime = try await replay.run(from: .timestamp(middle), swap: .never)
        #expect(fromTime.startOffsets.mapValues { $0 ?? -1 } == truth(middle).mapValues { $0 ?? -1 }, "\(fromTime.timestampLookup ?? [:])")
        #expect(!fromTime.swapped && !fromTime.checksumsMatch, "a partial model differs from the full one")

        // After the last record: Kafka answers "none"; the local broker answers 0, which the records disprove.
        let late = Timestamp.milliseconds(Date()) + 60_000
        let afterEnd = try await replay.run(from: .timestamp(late), swap: .never)
        #expect(afterEnd.progress.recordsRead == 0, "nothing is that late")
        let expectedMethod: TimestampOffsetLookup.Method = kit.kind == .tansu ? .recordScan : .brokerVerified
        #expect(afterEnd.timestampLookup?.values.allSatisfy { $0 == expectedMethod.rawValue } == true, "\(afterEnd.timestampLookup ?? [:])")

        // From an offset, swapped in: the live model now holds only orders seen from there on, and goes on.
        let from: Int64 = 40
        let partial = try await replay.run(from: .offset(from), swap: .always)
        #expect(partial.swapped && partial.checksumAfterSwap == partial.replayChecksum)
        #expect(partial.startOffsets.values.allSatisfy { $0 == from })
        // The writer's time is accounted: it applied batches, and writing and waiting fit in the replay.
        #expect(partial.progress.applied > 0 && partial.progress.writingSeconds > 0 && partial.progress.waitingSeconds > 0)
        #expect(partial.progress.writingSeconds + partial.progress.waitingSeconds <= partial.seconds)
        #expect(afterEnd.progress.writingSeconds == 0, "nothing read, nothing written")
        let seen = Set(log.filter { $0.offset >= from }.compactMap(\.keyString))
        let rows = try await live.database.writer.read { try String.fetchAll($0, sql: "SELECT orderId FROM restaurant_order") }
        #expect(Set(rows) == seen && rows.count == seen.count)
        try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 10)
        try await eventually("the swapped-in model goes on applying", timeout: .seconds(60)) {
            try await live.database.writer.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM restaurant_order") ?? 0 } == seen.count
                + 10
        }
        running.cancel()
        _ = await running.result
        print(
            "partial replays: from a time (\(fromTime.timestampLookup?.values.sorted().joined(separator: ",") ?? "")), after the end (\(expectedMethod.rawValue)), from offset \(from) swapped in and kept applying"
        )
    }
}
