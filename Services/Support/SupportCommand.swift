import ArgumentParser
import ProjectionServer
import ServiceRuntime
import SupportProjection

/// `support`: keeps the support read model of the order-event stream (its own consumer group and
/// SQLite database) and answers its queries over HTTP: every order's full timeline (with partition and offset), late orders, a customer's orders.
@main
struct SupportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "Project the order-event stream into the support read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "support")) }

    func run() async throws {
        try await ProjectionService.run(options, service: "support", defaultPort: 8084, projection: { SupportProjection(name: $0) }) {
            SupportAPI().addRoutes(to: $0)
        }
    }
}
