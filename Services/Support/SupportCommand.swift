import ArgumentParser
import ProjectionServer
import ServiceRuntime
import SupportProjection

/// `support`: runs `ProjectionServiceDefinition.support`.
@main
struct SupportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "Project the order-event stream into the support read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "support")) }

    func run() async throws { try await ProjectionService.main(options, definition: .support) }
}
