import ArgumentParser
import DeliveryProjection
import ProjectionServer
import ServiceRuntime

/// `delivery`: runs `ProjectionServiceDefinition.delivery`.
@main
struct DeliveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delivery",
        abstract: "Project the order-event stream into the delivery read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "delivery")) }

    func run() async throws { try await ProjectionService.main(options, definition: .delivery) }
}
