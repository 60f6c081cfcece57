import Foundation
import GRDB
import Kafka
import OrderEvents
import Orders
import Outbox
import ServiceLifecycle
import TestSupport
import Testing

@Suite("Orders → Kafka", .timeLimit(.minutes(4)))
struct OrderPublishingTests {
    static func outbox(_ database: OrdersDatabase) async throws -> [OutboxRecord] {
        try await database.writer.read { try OutboxRecord.order(OutboxRecord.Columns.id).fetchAll($0) }
    }

    @Test("Simulated orders publish exactly their events, each order in sequence on its key's partition")
    func simulatedOrdersArePublished() async throws {
        let kit = try await KafkaTestKit.make("orders")
        let topic = try await kit.createTopic("order-events", partitions: 6)
        let directory = try TestNames.temporaryDirectory("orders-db")
        let database = try OrdersDatabase(path: directory.appendingPathComponent("orders.sqlite").path)
        let producer = try await kit.makeProducer("orders")
        let relay = OutboxRelay(database: database.writer, producer: producer, orderTopic: topic, logger: TestLogging.logger("relay"))
        var configuration = CitySimulator.Configuration()
        configuration.speed = 200
        configuration.ordersPerSecond = 20
        configuration.maxOrders = 60
        let simulator = CitySimulator(
            configuration: configuration, ledger: OrderLedger(database: database), logger: TestLogging.logger("simulator"))

        let relaying = Task { try await relay.run() }
        try await simulator.simulate(endingWhenIdle: true)
        try await eventually("the outbox is published", timeout: .seconds(60)) { try await relay.pendingCount() == 0 }
        relaying.cancel()
        await producer.close()

        let rows = try await Self.outbox(database)
        let result = try OrderStreamVerifier.verify(topic: try await kit.readAll(topic, partitions: 6), outbox: rows)
        #expect(result.orders == 60)
        #expect(result.events == rows.count)
        #expect(result.duplicates == 0, "no crash, so no repeats")
        print("orders → kafka: \(result.orders) orders, \(result.events) events, \(result.duplicates) repeats")
    }
}
