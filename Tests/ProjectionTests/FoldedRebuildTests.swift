import AnalyticsProjection
import DeliveryProjection
import Foundation
import GRDB
import Kafka
import Orders
import Projection
import RestaurantsProjection
import SupportProjection
import TestSupport
import Testing

/// The two ways a read model is written — folded consumer batch by consumer batch while orders
/// flow, and loaded in bulk by a rebuild — must build the same model from the same offsets.
@Suite("Folded batches and bulk rebuilds", .timeLimit(.minutes(4)))
struct FoldedRebuildTests {
    @Test(
        "For all four projections, a live read model folded batch by batch has the checksum of a bulk rebuild of the same offsets, with duplicates and poison in the log"
    )
    func liveEqualsRebuild() async throws {
        let kit = try await KafkaTestKit.make("fold")
        let topic = try await OrderFlow.topic(kit, partitions: 6)
        let projections: [any Projection] = [
            RestaurantsProjection(name: TestNames.unique("restaurants")), DeliveryProjection(name: TestNames.unique("delivery")),
            SupportProjection(name: TestNames.unique("support")), AnalyticsProjection(name: TestNames.unique("analytics")),
        ]
        var runners: [ProjectionRunner] = []
        for projection in projections {
            runners.append(
                try ProjectionRunner(
                    database: try ProjectionDatabase(
                        path: try ProjectionRunnerTests.temporaryPath(projection.name), projection: projection),
                    consumer: KafkaConsumerConfiguration.localBroker(
                        common: kit.configuration(clientID: projection.name), groupID: projection.name),
                    topic: topic, deadLetters: try await kit.makeProducer("\(projection.name)-dlq"),
                    logger: TestLogging.logger(projection.name)))
        }
        // The runners consume while the orders are written, so the live models are folded from
        // many batches of every size.
        let running = runners.map { runner in Task { try await runner.run() } }
        let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
        let producer = try await kit.makeProducer("copies")
        var copies = 0
        var poison = 0
        for round in 0..<3 {
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 100)
            // A producer that crashes before its acknowledgement and sends again leaves copies
            // later in the same partition; consumers must drop them by order sequence.
            let log = try await kit.readAll(topic, partitions: 6, idle: .milliseconds(500))
            for message in log.enumerated().filter({ $0.offset % 23 == round }).map(\.element)
            where message.keyString?.hasPrefix("ord-") == true {
                try await producer.send(
                    KafkaProducerMessage(
                        topic: topic, partition: message.topicPartition.partition, key: message.key, value: message.value,
                        headers: message.headers))
                copies += 1
            }
            for index in 0..<4 {
                try await producer.send(
                    KafkaProducerMessage(
                        topic: topic, key: "poison-\(round)-\(index)", value: index.isMultiple(of: 2) ? "{\"schemaVersion\":2," : "[]"))
                poison += 1
            }
        }
        await producer.close()
        let log = try await kit.readAll(topic, partitions: 6)
        var ends: [Int32: Int64] = [:]
        for message in log { ends[message.topicPartition.partition] = max(ends[message.topicPartition.partition] ?? 0, message.offset + 1) }
        for runner in runners {
            try await eventually("\(runner.database.projection.name) consumes every partition to its end", timeout: .seconds(60)) {
                try await runner.database.storedOffsets(topic: topic) == ends
            }
        }
        for task in running { task.cancel() }
        for task in running { _ = await task.result }

        for runner in runners {
            let projection = runner.database.projection
            let live = try await runner.database.snapshot(topic: topic)
            let counts = runner.counts
            #expect(counts.duplicates == copies, "\(projection.name): every copy dropped")
            #expect(counts.deadLettered == poison, "\(projection.name): every poison record dead-lettered")
            let liveIndexes = try await Self.indexes(runner.database)
            // One rebuild holds the whole log in one fold; the other flushes every 40 orders, so
            // its later flushes update rows that earlier ones inserted.
            for budget in [100_000, 40] {
                let shadow = try ProjectionDatabase(
                    path: try ProjectionRunnerTests.temporaryPath("\(projection.name)-rebuild-\(budget)"), projection: projection)
                let rebuild = try ProjectionRebuild(
                    database: shadow, kafka: kit.configuration(clientID: "\(projection.name)-rebuild"), topic: topic, midLog: false,
                    foldBudget: budget, logger: TestLogging.logger("rebuild"))
                try await rebuild.run(from: [:], to: live.offsets)
                await rebuild.close()
                let rebuilt = try await shadow.snapshot(topic: topic)
                #expect(rebuilt == live, "\(projection.name) rebuilt with a fold budget of \(budget) orders")
                #expect(rebuild.current.duplicates == copies && rebuild.current.skipped == poison)
                #expect(try await Self.indexes(shadow) == liveIndexes, "the indexes dropped for the load are back")
                print(
                    "fold: \(projection.name), budget \(budget): \(rebuild.current.applied) events applied, \(rebuild.current.duplicates) copies dropped, \(rebuild.current.skipped) poison skipped; checksum \(rebuilt.checksum) (live \(live.checksum))"
                )
            }
        }
        print("fold: \(log.count) records (\(copies) copies, \(poison) poison); live and rebuilt checksums equal for all four projections")
    }

    static func indexes(_ database: ProjectionDatabase) async throws -> [String] {
        try await database.writer.read { db in
            try String.fetchAll(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name")
        }
    }
}
