public import ArgumentParser
import Contract
import Foundation
public import Logging
public import ServiceRuntime

extension CitySimulator.Steps: ExpressibleByArgument {}

/// The command line of `orders`.
public struct OrdersServiceOptions: ParsableArguments {
    @OptionGroup public var connection: KafkaConnectionOptions
    @Option(help: "Directory of the service's SQLite database.") public var dataDir = ".fooddelivery/orders"
    @Option(help: "New orders per second (simulated time).") public var rate: Double = 2
    @Option(help: "Simulated seconds per real second.") public var speed: Double = 1
    @Option(help: "Random seed: the same seed replays the same orders and decisions.") public var seed: UInt64 = 1
    @Option(
        help: "Stop creating orders after this many (0: the simulator places none, every order comes over HTTP; default: run until Ctrl-C)."
    ) public var maxOrders: Int?
    @Option(help: "Customers in the city.") public var customers = 200
    @Option(help: "Restaurants in the city.") public var restaurants = 20
    @Option(help: "Couriers in the city.") public var couriers = 40
    @Option(help: "Delivery regions, comma-separated.") public var regions = "north,south,east,west,center"
    @Option(help: "The order-event topic (its dead-letter topic is \(Topics.deadLetters(of: "<topic>"))).") public var topic = Topics
        .orderEvents
    @Option(help: "Partitions of the order-event topic, if it is created.") public var partitions = 6
    @Option(help: "Console output: events (one line each), summary (every 2 s) or quiet.") public var output: ConsoleOutput.Mode =
        .events
    @Option(help: "Address the HTTP API listens on.") public var httpHost = "127.0.0.1"
    @Option(help: "Port of the HTTP API (0: any free port).") public var httpPort = 8081
    @Option(
        help:
            "Who takes an order's steps after it is placed: choreographed (restaurants and delivery decide, orders reacts) or simulated (orders plays the kitchens and couriers too, alone)."
    )
    public var steps: CitySimulator.Steps = .choreographed
    @Option(
        help:
            "Client settings of its consumer (choreographed runs) tuned for: kafka (Kafka's defaults) or local (the local Tansu broker)."
    )
    public var kafkaProfile: KafkaProfile = .kafka
    @Option(help: "Log level.") public var logLevel: Logger.Level = .info
    @Option(help: "Log records as text, or as one JSON object per line (for log collectors).")
    public var logFormat: ServiceLogging.Format = .text
    @Option(help: "Stop when this process is gone (`fooddelivery up` sets it).") public var supervisorPid: Int32?
    @Flag(help: "With --max-orders: exit once every order is finished and its events are published.") public var exitWhenPublished =
        false

    public init() {}

    public func validate() throws {
        guard rate > 0, speed > 0 else { throw ValidationError("--rate and --speed must be positive") }
        guard customers > 0, restaurants > 0, couriers > 0, partitions > 0 else {
            throw ValidationError("--customers, --restaurants, --couriers and --partitions must be positive")
        }
        if regionNames.isEmpty { throw ValidationError("--regions needs at least one name, e.g. --regions north,south") }
        if let maxOrders, maxOrders < 0 { throw ValidationError("--max-orders must be 0 or more") }
        if exitWhenPublished && (maxOrders ?? 0) < 1 { throw ValidationError("--exit-when-published needs --max-orders of 1 or more") }
    }

    /// `--regions`, split and trimmed.
    public var regionNames: [String] {
        regions.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The city simulation these options describe.
    public var simulation: CitySimulator.Configuration {
        var simulation = CitySimulator.Configuration()
        simulation.city = City.Configuration(customers: customers, restaurants: restaurants, couriers: couriers, regions: regionNames)
        simulation.ordersPerSecond = rate
        simulation.speed = speed
        simulation.seed = seed
        simulation.maxOrders = maxOrders
        simulation.steps = steps
        return simulation
    }
}
