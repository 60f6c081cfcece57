import ArgumentParser
import Foundation
import KafkaScenarios
import Logging
import SimulationControl

/// `scenario <name>|all|list`: narrated walkthroughs of the Kafka concepts this system teaches,
/// each ending in PASS, FAIL or UNSUPPORTED (with the reason) from real measurements. Exit code 1
/// when any fails.
struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract:
            "Narrated, self-verifying walkthroughs of Kafka's concepts (`scenario list` names them; or all).",
        discussion: """
            Scenarios that stop or pause a broker (leaders, producer) need a way to do it on a cluster:
            give shell commands with {id} for the broker's node id, e.g. for docker-compose.yml
              --stop-broker 'docker compose stop kafka-{id}' --start-broker 'docker compose start kafka-{id}'
              --pause-broker 'docker compose pause kafka-{id}' --resume-broker 'docker compose unpause kafka-{id}'
            On the local broker the producer scenario pauses it by signal itself.
            """
    )

    @OptionGroup var broker: BrokerOptions
    @Argument(help: "A scenario's name, all, or list.") var name = "list"
    @Option(help: "Shell command that stops broker {id} (its node id), e.g. 'docker compose stop kafka-{id}'.")
    var stopBroker: String?
    @Option(help: "Shell command that starts broker {id} again, e.g. 'docker compose start kafka-{id}'.")
    var startBroker: String?
    @Option(help: "Shell command that freezes broker {id} (sockets open, no answers), e.g. 'docker compose pause kafka-{id}'.")
    var pauseBroker: String?
    @Option(help: "Shell command that thaws broker {id}, e.g. 'docker compose unpause kafka-{id}'.")
    var resumeBroker: String?

    static let scenarios = ScenarioCatalog.all

    func run() async throws {
        if name == "list" {
            for (concept, names) in ScenarioCatalog.byConcept {
                OutputLine.write("\(concept.number). \(concept.rawValue): \(names.joined(separator: ", "))")
            }
            OutputLine.write("also: \(ScenarioCatalog.extras.map(\.name).joined(separator: ", "))\n")
            for scenario in Self.scenarios { OutputLine.write("\(scenario.name): \(scenario.summary)") }
            OutputLine.write(
                "the simulation shows the rest: `fooddelivery up`, then kill/start (a member dies and catches up), scale (join/leave), replay"
            )
            return
        }
        let chosen = name == "all" ? Self.scenarios : Self.scenarios.filter { $0.name == name }
        guard !chosen.isEmpty else { throw CLIError("no scenario '\(name)': `fooddelivery scenario list` names them") }
        let (commands, control) = try givenCommands()
        if !commands.isEmpty, try broker.connection.configuration(clientID: "fooddelivery-scenario") == nil {
            throw CLIError(
                "--stop-broker, --start-broker, --pause-broker and --resume-broker act on a cluster's brokers: give --brokers (or KAFKA_BOOTSTRAP_SERVERS) too"
            )
        }
        let failed = try await broker.withKafka(clientID: "fooddelivery-scenario") { configuration, local in
            var logger = Logger(label: "scenario")
            logger.logLevel = .error
            let control = local?.brokerPID.map(BrokerControl.localProcess(pid:)) ?? control
            let kafka = ScenarioKafka(configuration: configuration, logger: logger, brokerControl: control, isLocalBroker: local != nil)
            var failed: [String] = []
            for scenario in chosen {
                OutputLine.write("\n▶ \(scenario.name): \(scenario.summary)")
                let verdict = try await scenario.run(kafka)
                OutputLine.write("\(verdict.label) \(scenario.name): \(verdict.evidence)")
                if !verdict.passed && !verdict.brokerLimitation { failed.append(scenario.name) }
            }
            return failed
        }
        if !failed.isEmpty { throw CLIError("failed: \(failed.joined(separator: ", "))") }
    }

    /// The broker commands given, and the control that runs them (each checked for its `{id}`).
    private func givenCommands() throws -> (commands: [BrokerControl.Action: String], control: BrokerControl) {
        let given: [BrokerControl.Action: String?] = [.stop: stopBroker, .start: startBroker, .pause: pauseBroker, .resume: resumeBroker]
        let commands = given.compactMapValues { $0 }
        do {
            return (commands, try BrokerControl.commands(commands))
        } catch let error as BrokerControlError {
            throw CLIError(error.description)
        }
    }
}
