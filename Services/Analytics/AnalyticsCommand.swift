import AnalyticsProjection
import ArgumentParser
import ProjectionServer
import ServiceRuntime

/// `analytics`: keeps the analytics read model of the order-event stream (its own consumer group and
/// SQLite database) and answers its queries over HTTP: orders per region per minute, the lifecycle funnel, time-to-deliver, cancellation rate.
@main
struct AnalyticsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analytics",
        abstract: "Project the order-event stream into the analytics read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "analytics")) }

    func run() async throws {
        try await ProjectionService.run(options, service: "analytics", defaultPort: 8085, projection: { AnalyticsProjection(name: $0) }) {
            AnalyticsAPI().addRoutes(to: $0)
        }
    }
}
