import Contract
import Kafka
import Orders
import Outbox
import ServiceRuntime
import TestSupport

/// The order stream the projection tests consume: a topic with its dead-letter topic, and
/// simulated orders published through the real outbox relay.
enum OrderFlow {
    /// A fresh order-event topic and its `<topic>.dlq`.
    static func topic(_ kit: KafkaTestKit, partitions: Int) async throws -> String {
        let topic = try await kit.createTopic("order-events", partitions: partitions)
        _ = try await kit.admin.ensureTopic(NewTopic(name: Topics.deadLetters(of: topic), partitions: 1))
        return topic
    }

    /// `orders` (simulating with `settings`) and `support` as child processes on `kit`'s broker
    /// and `topic`, each on a free port and serving.
    static func ordersAndSupport(_ kit: KafkaTestKit, topic: String, orders settings: ServiceLaunch.Orders, name: String) async throws
        -> (orders: ServiceProcess, support: ServiceProcess)
    {
        let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
        let orders = try ServiceProcess(
            .testOrders(
                brokers: brokers, topic: topic, directory: try TestNames.temporaryDirectory("\(name)-orders"), httpPort: nil,
                orders: settings))
        let support = try ServiceProcess(
            .testConsumer(
                "support", brokers: brokers, topic: topic, group: TestNames.unique("support"),
                directory: try TestNames.temporaryDirectory("\(name)-support")))
        try await orders.waitUntilServing()
        try await support.waitUntilServing()
        return (orders, support)
    }

    /// Simulates `orders` orders at full speed into `database` and publishes its outbox, until sent.
    static func publish(
        _ kit: KafkaTestKit, topic: String, database: OrdersDatabase, orders: Int, seed: UInt64 = .random(in: 1...1_000_000)
    ) async throws {
        let producer = try await kit.makeProducer("orders")
        let relay = OutboxRelay(database: database.writer, producer: producer, orderTopic: topic, logger: TestLogging.logger("relay"))
        var configuration = CitySimulator.Configuration()
        configuration.speed = 500
        configuration.ordersPerSecond = 50
        configuration.maxOrders = orders
        configuration.seed = seed
        let relaying = Task { try await relay.run() }
        try await CitySimulator(configuration: configuration, ledger: OrderLedger(database: database), logger: TestLogging.logger("sim"))
            .simulate(endingWhenIdle: true)
        try await eventually("the outbox is published") { try await relay.pendingCount() == 0 }
        relaying.cancel()
        await producer.close()
    }
}
