import ArgumentParser
import Orders
import ServiceRuntime

/// `orders`: simulates a city's orders and publishes every step to the order-event topic through
/// a transactional outbox in its own SQLite database (`OrdersService`).
@main
struct OrdersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Simulate orders and publish their events (transactional outbox → Kafka).",
        discussion: "Kafka comes from --brokers or KAFKA_BOOTSTRAP_SERVERS (see docs/CONFIGURATION.md)."
    )

    @OptionGroup var options: OrdersServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "orders")) }

    func run() async throws { try await OrdersService.main(options) }
}
