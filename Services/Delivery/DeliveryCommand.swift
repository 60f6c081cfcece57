import ArgumentParser
import DeliveryProjection
import ProjectionServer
import ServiceRuntime

/// `delivery`: keeps the delivery read model of the order-event stream (its own consumer group and
/// SQLite database) and answers its queries over HTTP: couriers and their current assignments, orders awaiting pickup, deliveries in flight, delivery durations.
@main
struct DeliveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Project the order-event stream into the delivery read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "delivery")) }

    func run() async throws {
        try await ProjectionService.run(options, service: "delivery", defaultPort: 8083, projection: { DeliveryProjection(name: $0) }) {
            DeliveryAPI().addRoutes(to: $0)
        }
    }
}
