import Contract
import Foundation
public import Hummingbird
import Kafka
public import Logging
public import Outbox
public import Projection
public import Prometheus
import ServiceAPI
public import ServiceLifecycle
import ServiceRuntime

/// `orders`, built from its validated options: its SQLite state and outbox, the relay that
/// publishes the outbox, the city simulator, and its HTTP API. The executable runs it; tests and
/// the benchmark build it in-process.
public struct OrdersService {
    public let database: OrdersDatabase
    public let relay: OutboxRelay
    /// Its reactions to the kitchens' and couriers' decisions (choreographed runs only).
    public let reactions: DecisionRunner?
    public let simulator: CitySimulator
    /// What the ledger's single steps (HTTP orders and cancels) commit through: the router's
    /// writes wait for it to run.
    public let groupCommit: GroupCommit
    public let router: Router<BasicRequestContext>
    /// Everything that runs, in start order; shutdown runs in reverse: the simulator stops, the
    /// relay drains, the producer flushes.
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    public let logger: Logger

    /// Builds the service; nothing runs until `run()`. `metrics` is the registry `/metrics` shows.
    public static func build(_ options: OrdersServiceOptions, logger: Logger, metrics: PrometheusCollectorRegistry? = nil) throws
        -> OrdersService
    {
        let kafka = try options.connection.requiredConfiguration(clientID: ServiceNames.orders)
        try FileManager.default.createDirectory(atPath: options.dataDir, withIntermediateDirectories: true)
        let database = try OrdersDatabase(path: (options.dataDir as NSString).appendingPathComponent("orders.sqlite"))
        let choreographed = options.steps == .choreographed
        let topics = ServiceTopics(
            events: options.topic, others: choreographed ? ServiceTopics.choreography : [], partitions: options.partitions)
        let admin = try KafkaAdmin.make(configuration: kafka, logger: logger, requestTimeout: .seconds(5))
        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: kafka), logger: logger)
        // Orders are taken (and buffered in the outbox) even while Kafka is unreachable.
        let relay = OutboxRelay(database: database.writer, producer: producer, orderTopic: topics.events, logger: logger) {
            try await topics.ensure(using: admin)
        }
        let console = ConsoleOutput(mode: options.output, relay: relay)
        // Orders over HTTP commit many to a transaction under load.
        let groupCommit = GroupCommit(writer: database.writer)
        let ledger = OrderLedger(database: database, sendsCommands: choreographed, groupCommit: groupCommit)
        let simulator = CitySimulator(configuration: options.simulation, ledger: ledger, logger: logger, onEvent: { console.record($0) })
        // In a choreographed run, orders reacts to the kitchens' and couriers' decisions.
        let reactions =
            try choreographed
            ? DecisionRunner(
                database: database.writer, decider: OrderReactions(ledger: ledger, logger: logger),
                consumer: options.kafkaProfile.consumerConfiguration(
                    common: kafka, group: ConsumerGroups.decisions(of: ServiceNames.orders)),
                orderTopic: topics.events, deadLetters: producer, logger: logger)
            : nil

        let router = OperationalRoutes.router(endpoints: [
            OrdersEndpoints.placeOrder, OrdersEndpoints.order, OrdersEndpoints.cancelOrder, OrdersEndpoints.stats,
            OperationalEndpoints.health, OperationalEndpoints.metrics,
        ])
        OrdersAPI(ledger: ledger, simulator: simulator).addRoutes(to: router)
        if let reactions { router.on(DecisionEndpoints.decisions) { _, _ in try await reactions.report() } }
        OperationalRoutes.add(to: router, registry: metrics) { await OrdersHealth.report(relay: relay, producer: producer) }
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(options.httpHost, port: options.httpPort), serverName: ServiceNames.orders),
            logger: logger)
        logger.info(
            "orders: database \(options.dataDir)/orders.sqlite; publishing to \(topics.events) on \(kafka.bootstrapServers.joined(separator: ","))"
        )
        return OrdersService(
            database: database, relay: relay, reactions: reactions, simulator: simulator, groupCommit: groupCommit, router: router,
            services: [
                .init(service: producer),
                .init(service: relay),
                .init(service: groupCommit),
            ] + (reactions.map { [.init(service: $0)] } ?? []) + [
                .init(service: console),
                .init(service: http),
                .init(service: HeapTrimmer(), successTerminationBehavior: .ignore),
                options.exitWhenPublished
                    ? .init(
                        service: SimulateThenDrain(simulator: simulator, ledger: ledger, relay: relay),
                        successTerminationBehavior: .gracefullyShutdownGroup
                    )
                    : .init(service: simulator, successTerminationBehavior: .ignore),
            ] + SupervisorWatch.configurations(pid: options.supervisorPid, logger: logger),
            logger: logger)
    }

    /// Runs every part until SIGTERM or SIGINT (or, with `--exit-when-published`, the end of the
    /// simulation), then shuts down gracefully (bounded in time).
    /// `leading` start before the service's parts and stop after them (a trace exporter).
    public func run(leading: [ServiceGroupConfiguration.ServiceConfiguration] = []) async throws {
        let pending = try await relay.pendingCount()
        logger.info("orders: \(pending) outbox rows waiting to be published")
        try await ServiceGroup(configuration: .bounded(services: leading + services, logger: logger)).run()
    }

    /// The executable's whole `run`: process-wide logging, metrics and tracing, then build and run.
    public static func main(_ options: OrdersServiceOptions) async throws {
        ProcessMemory.returnLargeBlocksToTheSystem()
        let observability = try ServiceObservability.bootstrap(
            service: ServiceNames.orders, logLevel: options.logLevel, logFormat: options.logFormat)
        try await build(options, logger: observability.logger, metrics: observability.metrics).run(leading: observability.leadingServices)
    }
}

/// Runs the simulation to its end, then waits until every order is finished (in a choreographed
/// run, that takes the kitchens and couriers) and the outbox is empty: the group then shuts down
/// (`--exit-when-published`).
struct SimulateThenDrain: Service {
    let simulator: CitySimulator
    let ledger: OrderLedger
    let relay: OutboxRelay

    func run() async throws {
        try await simulator.simulate(endingWhenIdle: true)
        let prefix = simulator.orderIDPrefix
        while true {
            let unfinished = try await ledger.resumeState(idPrefix: prefix).unfinished.count
            if unfinished == 0, try await relay.pendingCount() == 0 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
