import ArgumentParser
import Contract
import Foundation
import Kafka
import Logging
import ServiceRuntime
import SimulationControl

/// `topics`: list the cluster's topics, describe one (partitions, leaders, replicas, in-sync
/// replicas, retention and the other settings the system relies on), or create one. It talks to
/// `--brokers`/`KAFKA_BOOTSTRAP_SERVERS`, else to the running simulation's broker.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics", abstract: "List, describe or create topics (of --brokers, or of the running simulation).")

    @OptionGroup var connection: KafkaConnectionOptions
    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "list, describe or create.") var action = "list"
    @Argument(help: "The topic (describe, create).") var topic: String?
    @Option(help: "Partitions (create).") var partitions = 6
    @Option(help: "Retention in ms, -1 for unlimited (create).") var retentionMs: Int64 = -1

    func run() async throws {
        let kafka: KafkaConfiguration
        if let configured = try connection.configuration(clientID: "fooddelivery-topics") {
            kafka = configured
        } else {
            let run = try simulation.load()
            kafka = try KafkaConfiguration.make(bootstrapServers: run.brokers, environment: [:], clientID: "fooddelivery-topics")
        }
        var logger = Logger(label: "topics")
        logger.logLevel = .error
        let admin = try KafkaAdmin.make(configuration: kafka, logger: logger)
        switch action {
        case "list":
            for topic in try await admin.metadata().topics.sorted(by: { $0.name < $1.name }) where !topic.name.hasPrefix("__") {
                OutputLine.write("\(topic.name)  \(topic.partitions.count) partition(s)")
            }
        case "describe":
            guard let topic else {
                throw CLIError("`topics describe` needs a topic, e.g. `fooddelivery topics describe \(Topics.orderEvents)`")
            }
            guard let metadata = try await admin.metadata(topic: topic).topic(topic), metadata.error == nil else {
                throw CLIError("no topic \(topic) on \(kafka.bootstrapServers.joined(separator: ",")): `fooddelivery topics list`")
            }
            OutputLine.write("\(topic): \(metadata.partitions.count) partitions")
            for partition in metadata.partitions.sorted(by: { $0.id < $1.id }) {
                OutputLine.write(
                    "  partition \(partition.id): leader \(partition.leader), replicas \(partition.replicas.map(String.init).joined(separator: ",")), in sync \(partition.inSyncReplicas.map(String.init).joined(separator: ","))"
                )
            }
            let wanted = ["retention.ms", "retention.bytes", "cleanup.policy", "min.insync.replicas", "segment.ms"]
            for entry in try await admin.topicConfigs(topic) where wanted.contains(entry.name) {
                OutputLine.write("  \(entry.name) = \(entry.value ?? "–")\(entry.isDefault ? " (default)" : "")")
            }
            OutputLine.write(
                "A record's key picks its partition (`fooddelivery keys <key>`); retention says how far back a replay can go (-1: forever)."
            )
        case "create":
            guard let topic else {
                throw CLIError("`topics create` needs a name, e.g. `fooddelivery topics create my-events --partitions 6`")
            }
            guard partitions > 0 else { throw ValidationError("--partitions must be at least 1") }
            try await admin.createTopic(NewTopic(name: topic, partitions: partitions, configs: ["retention.ms": String(retentionMs)]))
            OutputLine.write("created \(topic): \(partitions) partitions, retention.ms=\(retentionMs)")
        default:
            throw CLIError("topics takes list, describe <topic> or create <topic>")
        }
    }
}
