import Foundation
import GRDB
import Kafka
import OrderEvents
import Orders
import TestSupport
import Testing

@testable import Projection

/// The runtime against the real broker: orders from the real outbox relay, poison mixed in.
@Suite("Projection runner", .timeLimit(.minutes(3)))
struct ProjectionRunnerTests {
    static func temporaryPath(_ name: String) throws -> String {
        let directory = try TestNames.temporaryDirectory(name)
        return directory.appendingPathComponent("\(name).sqlite").path
    }

    /// Publishes `orders` simulated orders through the outbox; returns each order's final status.
    static func publishOrders(_ kit: KafkaTestKit, topic: String, orders: Int) async throws -> [String: String] {
        let database = try OrdersDatabase(path: try temporaryPath("orders"))
        try await OrderFlow.publish(kit, topic: topic, database: database, orders: orders)
        return try await database.writer.read { db in
            Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: #"SELECT id, status FROM "order""#).map {
                    ($0["id"] as String, $0["status"] as String)
                })
        }
    }

    func runner(_ kit: KafkaTestKit, name: String, path: String, topic: String) async throws -> ProjectionRunner {
        let database = try ProjectionDatabase(path: path, projection: StatusProjection(name: name))
        return try ProjectionRunner(
            database: database,
            consumer: KafkaConsumerConfiguration.localBroker(common: kit.configuration(clientID: name), groupID: name),
            topic: topic, deadLetters: try await kit.makeProducer("\(name)-dlq"),
            logger: TestLogging.logger(name))
    }

    static func model(_ path: String) async throws -> (statuses: [String: String], maxApplications: Int) {
        try await DatabaseQueue(path: path).read { db in
            let statuses = Dictionary(
                uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT orderId, status FROM order_status").map {
                    ($0["orderId"] as String, $0["status"] as String)
                })
            return (statuses, try Int.fetchOne(db, sql: "SELECT MAX(applications) FROM order_status") ?? 0)
        }
    }

    @Test(
        "Builds the model exactly once, dead-letters poison with its origin, resumes without re-applying, and a replay reproduces the checksum"
    )
    func endToEnd() async throws {
        let kit = try await KafkaTestKit.make("projection")
        let topic = try await OrderFlow.topic(kit, partitions: 3)
        let expected = try await Self.publishOrders(kit, topic: topic, orders: 40)
        // Poison: not JSON, an unknown type, a newer schema version.
        let producer = try await kit.makeProducer("poison")
        for (key, value) in [
            ("ord-bad-1", "{not json"), ("ord-bad-2", #"{"schemaVersion":2,"type":"order.teleported"}"#),
            ("ord-bad-3", #"{"schemaVersion":9,"type":"order.created"}"#),
        ] {
            try await producer.send(KafkaProducerMessage(topic: topic, key: key, value: value))
        }
        // And exact copies of 25 events, as an orders crash between publish and mark-sent leaves.
        for message in try await kit.readAll(topic, partitions: 3).filter({ $0.keyString?.hasPrefix("ord-bad") == false }).prefix(25) {
            try await producer.send(KafkaProducerMessage(topic: topic, key: message.key, value: message.value, headers: message.headers))
        }
        await producer.close()

        let path = try Self.temporaryPath("status")
        let first = try await runner(kit, name: TestNames.unique("status"), path: path, topic: topic)
        let running = Task { try await first.run() }
        try await eventually("every order is in the model", timeout: .seconds(60)) {
            (try? await Self.model(path).statuses.count) == expected.count && first.counts.deadLettered == 3
        }
        let model = try await Self.model(path)
        #expect(model.statuses == expected, "each order's final status")
        let lines = try await kit.readAll(topic, partitions: 3).count
        #expect(first.counts.applied + first.counts.duplicates + first.counts.deadLettered == lines)
        #expect(first.counts.duplicates == 25)
        let dlq = try await kit.readAll(topic + ".dlq", partitions: 1)
        #expect(dlq.count == 3)
        #expect(
            dlq.allSatisfy {
                $0.headers.last(named: "dlq-original-topic")?.stringValue == topic && $0.headers.last(named: "dlq-error") != nil
            })
        #expect(
            Set(dlq.compactMap { $0.headers.last(named: "dlq-error")?.stringValue?.split(separator: ":").first.map(String.init) }) == [
                "malformed_json", "unknown_type", "unsupported_version",
            ])
        running.cancel()
        _ = await running.result
        let checksum = try await first.database.checksum()

        // Restart on the same database: it resumes at the stored offsets and applies nothing again.
        let again = try await runner(kit, name: first.database.projection.name, path: path, topic: topic)
        let rerun = Task { try await again.run() }
        try await eventually("the restarted member is assigned", timeout: .seconds(60)) { again.assignment.count == 3 }
        try await Task.sleep(for: .seconds(2))
        #expect(again.counts.applied == 0 && again.counts.duplicates == 0, "\(again.counts)")
        #expect(try await again.database.checksum() == checksum)
        #expect(try await Self.model(path).maxApplications <= 9, "no order applied more often than it has steps")
        rerun.cancel()
        _ = await rerun.result

        // A full replay into a fresh database (a new group) reproduces the model exactly.
        let replayPath = try Self.temporaryPath("replay")
        let replay = try await runner(kit, name: TestNames.unique("replay"), path: replayPath, topic: topic)
        let replaying = Task { try await replay.run() }
        try await eventually("the replay catches up", timeout: .seconds(60)) {
            (try? await Self.model(replayPath).statuses.count) == expected.count
        }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await replay.database.checksum() == checksum)
        replaying.cancel()
        _ = await replaying.result
    }

    @Test("A stopped runner is released with its consumer: its rebalance listener does not keep the librdkafka handle alive")
    func releasesItsConsumer() async throws {
        let kit = try await KafkaTestKit.make("projection-release")
        let topic = try await OrderFlow.topic(kit, partitions: 1)
        weak var consumer: KafkaConsumer?
        do {
            let member = try await runner(kit, name: TestNames.unique("release"), path: try Self.temporaryPath("release"), topic: topic)
            consumer = member.consumer
            let running = Task { try await member.run() }
            // Assigned: the listener has run, so it has been used, not only attached.
            try await eventually("the member is assigned", timeout: .seconds(60)) { member.assignment.count == 1 }
            running.cancel()
            _ = await running.result
        }
        // The close task the runner starts on cancel lets go of it shortly after. Nothing else
        // may hold the consumer and its librdkafka handle.
        try await eventually("the stopped runner's consumer is released", timeout: .seconds(10)) { consumer == nil }
    }
}
