import Kafka
import Orders
import TestSupport

/// The order stream the projection tests consume: a topic with its dead-letter topic, and
/// simulated orders published through the real outbox relay.
enum OrderFlow {
    /// A fresh order-event topic and its `<topic>.dlq`.
    static func topic(_ kit: KafkaTestKit, partitions: Int) async throws -> String {
        let topic = try await kit.createTopic("order-events", partitions: partitions)
        _ = try await kit.admin.ensureTopic(NewTopic(name: topic + ".dlq", partitions: 1))
        return topic
    }

    /// Simulates `orders` orders at full speed into `database` and publishes its outbox, until sent.
    static func publish(
        _ kit: KafkaTestKit, topic: String, database: OrdersDatabase, orders: Int, seed: UInt64 = .random(in: 1...1_000_000)
    ) async throws {
        let producer = try await kit.makeProducer("orders")
        let relay = OutboxRelay(database: database, producer: producer, topic: topic, logger: TestLogging.logger("relay"))
        var configuration = CitySimulator.Configuration()
        configuration.speed = 500
        configuration.ordersPerSecond = 50
        configuration.maxOrders = orders
        configuration.seed = seed
        let relaying = Task { try await relay.run() }
        try await CitySimulator(configuration: configuration, ledger: OrderLedger(database: database), logger: TestLogging.logger("sim"))
            .run()
        try await eventually("the outbox is published") { try await relay.pendingCount() == 0 }
        relaying.cancel()
        await producer.close()
    }
}
