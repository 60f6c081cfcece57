import ArgumentParser
import ProjectionServer
import RestaurantsProjection
import ServiceRuntime

/// `restaurants`: runs `ProjectionServiceDefinition.restaurants`.
@main
struct RestaurantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restaurants",
        abstract: "Project the order-event stream into the restaurants read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "restaurants")) }

    func run() async throws { try await ProjectionService.main(options, definition: .restaurants) }
}
