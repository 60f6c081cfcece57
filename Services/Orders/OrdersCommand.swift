import ArgumentParser
import Contract
import Foundation
import Hummingbird
import Kafka
import Logging
import OrderEvents
import Orders
import ServiceLifecycle
import ServiceRuntime

/// `orders`: simulates a city's orders and publishes every step to the order-event topic through
/// a transactional outbox in its own SQLite database.
@main
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Simulate orders and publish their events (transactional outbox → Kafka).",
        discussion: "Kafka comes from --brokers or KAFKA_BOOTSTRAP_SERVERS (see README: Run against real Kafka)."
    )

    @OptionGroup var connection: KafkaConnectionOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "orders")) }
    @Option(help: "Directory of the service's SQLite database.") var dataDir = ".fooddelivery/orders"
    @Option(help: "New orders per second (simulated time).") var rate: Double = 2
    @Option(help: "Simulated seconds per real second.") var speed: Double = 1
    @Option(help: "Random seed: the same seed replays the same orders and decisions.") var seed: UInt64 = 1
    @Option(help: "Stop creating orders after this many (default: run until Ctrl-C).") var maxOrders: Int?
    @Option(help: "Customers in the city.") var customers = 200
    @Option(help: "Restaurants in the city.") var restaurants = 20
    @Option(help: "Couriers in the city.") var couriers = 40
    @Option(help: "Delivery regions, comma-separated.") var regions = "north,south,east,west,center"
    @Option(help: "The order-event topic (its dead-letter topic is <topic>.dlq).") var topic = Topics.orderEvents
    @Option(help: "Partitions of the order-event topic, if it is created.") var partitions = 6
    @Option(help: "Console output: events (one line each), summary (every 2 s) or quiet.") var output: ConsoleOutput.Mode = .events
    @Option(help: "Address the HTTP API listens on.") var httpHost = "127.0.0.1"
    @Option(help: "Port of the HTTP API (0: any free port).") var httpPort = 8081
    @Option(help: "Log level.") var logLevel: Logger.Level = .info
    @Option(help: "Stop when this process is gone (`fooddelivery up` sets it).") var supervisorPid: Int32?
    @Flag(help: "With --max-orders: exit once every order is finished and its events are published.") var exitWhenPublished = false

    func validate() throws {
        guard rate > 0, speed > 0 else { throw ValidationError("--rate and --speed must be positive") }
        guard customers > 0, restaurants > 0, couriers > 0, partitions > 0 else {
            throw ValidationError("--customers, --restaurants, --couriers and --partitions must be positive")
        }
        if regions.split(separator: ",").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw ValidationError("--regions needs at least one name, e.g. --regions north,south")
        }
        if let maxOrders, maxOrders < 1 { throw ValidationError("--max-orders must be at least 1") }
        if exitWhenPublished && maxOrders == nil { throw ValidationError("--exit-when-published needs --max-orders") }
    }

    func run() async throws {
        ProcessMemory.returnLargeBlocksToTheSystem()
        let logger = ServiceLogging.bootstrap(level: logLevel, label: "orders")
        let registry = OperationalRoutes.bootstrapMetrics()
        let kafka = try connection.requiredConfiguration(clientID: "orders")

        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let database = try OrdersDatabase(path: (dataDir as NSString).appendingPathComponent("orders.sqlite"))
        let topics = OrderTopics(events: topic, partitions: partitions)
        let admin = try KafkaAdmin.make(configuration: kafka, logger: logger, requestTimeout: .seconds(5))

        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: kafka), logger: logger)
        // Orders are taken (and buffered in the outbox) even while Kafka is unreachable.
        let relay = OutboxRelay(database: database, producer: producer, topic: topics.events, logger: logger) {
            try await topics.ensure(using: admin)
        }
        var simulation = CitySimulator.Configuration()
        simulation.city = City.Configuration(
            customers: customers, restaurants: restaurants, couriers: couriers,
            regions: regions.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        simulation.ordersPerSecond = rate
        simulation.speed = speed
        simulation.seed = seed
        simulation.maxOrders = maxOrders
        let console = ConsoleOutput(mode: output, relay: relay)
        let simulator = CitySimulator(
            configuration: simulation, ledger: OrderLedger(database: database), logger: logger, onEvent: { console.record($0) })

        let router = Router()
        router.add(
            middleware: ExplainedErrors(
                endpoints: "POST /orders, GET /orders/{id}, POST /orders/{id}/cancel, GET /stats, /health, /metrics"))
        OrdersAPI(ledger: OrderLedger(database: database), simulator: simulator).addRoutes(to: router)
        OperationalRoutes.add(to: router, registry: registry) { OrdersHealth.report(relay: relay, producer: producer) }
        let http = Application(
            router: router, configuration: .init(address: .hostname(httpHost, port: httpPort), serverName: "orders"), logger: logger)

        let pending = try relay.pendingCount()
        logger.info(
            "orders: database \(dataDir)/orders.sqlite, \(pending) outbox rows waiting; publishing to \(topics.events) on \(kafka.bootstrapServers.joined(separator: ","))"
        )
        // Shutdown runs in reverse: the simulator stops, the relay drains, the producer flushes.
        let group = ServiceGroup(
            configuration: .bounded(
                services: [
                    .init(service: producer),
                    .init(service: relay),
                    .init(service: console),
                    .init(service: http),
                    .init(service: HeapTrimmer(), successTerminationBehavior: .ignore),
                    exitWhenPublished
                        ? .init(
                            service: SimulateThenDrain(simulator: simulator, relay: relay),
                            successTerminationBehavior: .gracefullyShutdownGroup)
                        : .init(service: simulator, successTerminationBehavior: .ignore),
                ] + SupervisorWatch.configurations(pid: supervisorPid, logger: logger),
                logger: logger))
        try await group.run()
    }
}

/// Runs the simulation to its end, then waits until the outbox is empty: the group then shuts
/// down (`--exit-when-published`).
struct SimulateThenDrain: Service {
    let simulator: CitySimulator
    let relay: OutboxRelay

    func run() async throws {
        try await simulator.run()
        while try relay.pendingCount() > 0 { try await Task.sleep(for: .milliseconds(50)) }
    }
}

/// `/health` of `orders`: unhealthy when events wait in the outbox because Kafka does not take them.
enum OrdersHealth {
    static func report(relay: OutboxRelay, producer: KafkaProducer) -> HealthReport {
        let pending = (try? relay.pendingCount()) ?? -1
        let age = (try? relay.oldestPendingAge()) ?? nil
        let outbox: HealthReport.Check
        if let age, age > 10 {
            let reason = producer.lastError.map { "; last Kafka error: \($0)" } ?? ""
            outbox = .init(
                name: "outbox", status: .unhealthy,
                detail: "\(pending) events waiting, the oldest for \(Int(age)) s: Kafka is not taking them\(reason)")
        } else {
            outbox = .init(name: "outbox", status: .ok, detail: "\(pending) events waiting; \(relay.publishedCount) published since start")
        }
        return HealthReport(checks: [outbox, .kafka(producer.statistics)])
    }
}
