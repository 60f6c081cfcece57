import ArgumentParser
import ServiceRuntime

@main
struct FoodDeliveryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fooddelivery",
        abstract: "Operate the food-delivery event-streaming reference system.",
        discussion: """
            Without --brokers (or KAFKA_BOOTSTRAP_SERVERS), commands that need Kafka start a local \
            in-memory broker (Tansu) for as long as they run.
            """,
        version: BuildInfo.version,
        subcommands: [
            UpCommand.self, StatusCommand.self, KillCommand.self, StartCommand.self, StopCommand.self, ScaleCommand.self,
            ReplayCommand.self, DashboardCommand.self, ScenarioCommand.self, TopicsCommand.self, QueryCommand.self, KeysCommand.self,
            DemoCommand.self, BrokerCommand.self, ProduceCommand.self, ConsumeCommand.self, GroupsCommand.self,
            DeadLettersCommand.self, OrderStatsCommand.self,
        ]
    )
}
