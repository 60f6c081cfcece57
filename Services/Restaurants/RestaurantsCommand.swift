import ArgumentParser
import ProjectionServer
import RestaurantsProjection
import ServiceRuntime

/// `restaurants`: keeps the restaurants read model of the order-event stream (its own consumer group and
/// SQLite database) and answers its queries over HTTP: each restaurant's queue of open orders, acceptance and rejection counts, preparation times.
@main
struct RestaurantsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restaurants",
        abstract: "Project the order-event stream into the restaurants read model and serve its queries."
    )

    @OptionGroup var options: ProjectionServiceOptions

    /// Settings from the environment (`FOODDELIVERY_*`) count as flags.
    static func main() async { await main(ServiceEnvironment.commandLine(service: "restaurants")) }

    func run() async throws {
        try await ProjectionService.run(options, service: "restaurants", defaultPort: 8082, projection: { RestaurantsProjection(name: $0) })
        {
            RestaurantsAPI().addRoutes(to: $0)
        }
    }
}
