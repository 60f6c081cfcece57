import ArgumentParser
import Foundation
import KafkaScenarios
import Logging
import SimulationControl

/// `scenario <name>|all|list`: narrated walkthroughs of the Kafka concepts this system teaches,
/// each ending in PASS or FAIL from real measurements. Exit code 1 when any fails.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract:
            "Narrated, self-verifying walkthroughs of Kafka's concepts (`scenario list` names them; or all)."
    )

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "A scenario's name, all, or list.") var name = "list"

    static let scenarios = ScenarioCatalog.all

    func run() async throws {
        if name == "list" {
            for scenario in Self.scenarios { OutputLine.write("\(scenario.name): \(scenario.summary)") }
            OutputLine.write(
                "the simulation shows the rest: `fooddelivery up`, then kill/start (a member dies and catches up), scale (join/leave), replay"
            )
            return
        }
        let chosen = name == "all" ? Self.scenarios : Self.scenarios.filter { $0.name == name }
        guard !chosen.isEmpty else { throw CLIError("no scenario '\(name)': `fooddelivery scenario list` names them") }
        let failed = try await broker.withKafka(clientID: "fooddelivery-scenario") { configuration, _ in
            var logger = Logger(label: "scenario")
            logger.logLevel = .error
            var failed: [String] = []
            for scenario in chosen {
                OutputLine.write("\n▶ \(scenario.name): \(scenario.summary)")
                let verdict = try await scenario.run(ScenarioKafka(configuration: configuration, logger: logger))
                OutputLine.write("\(verdict.label) \(scenario.name): \(verdict.evidence)")
                if !verdict.passed && !verdict.brokerLimitation { failed.append(scenario.name) }
            }
            return failed
        }
        if !failed.isEmpty { throw CLIError("failed: \(failed.joined(separator: ", "))") }
    }
}
