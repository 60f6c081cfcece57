import AnalyticsProjection
import ArgumentParser
import ProjectionServer
import ServiceRuntime

/// `analytics`: runs `ProjectionServiceDefinition.analytics`.
@main
struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Project the order-event stream into the analytics read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "analytics")) }

    func run() async throws { try await ProjectionService.main(options, definition: .analytics) }
}
