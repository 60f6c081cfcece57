import ArgumentParser

@main
struct FoodDeliveryBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fooddelivery-bench",
        abstract: "The system's benchmarks, reported as ratios measured side by side in one run (scripts/bench.sh runs them).",
        subcommands: [BenchCommand.self, ProjectionBenchCommand.self, ChoreographyBenchCommand.self, OrdersLoadBenchCommand.self]
    )
}
