import ArgumentParser
import Contract
import Foundation
import Kafka
import Logging
import ServiceRuntime
import SimulationControl

/// `topics`: list the cluster's topics, describe one (partitions, leaders, replicas, in-sync
/// replicas, retention and the other settings the system relies on), create one, change its
/// settings, add partitions (showing which keys move) or delete it. It talks to
/// `--brokers`/`KAFKA_BOOTSTRAP_SERVERS`, else to the running simulation's broker.
struct TopicsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topics",
        abstract: "List, describe, create, alter, add partitions to or delete topics (of --brokers, or of the running simulation).")

    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "list, describe, create, alter, add-partitions or delete.") var action = "list"
    @Argument(help: "The topic (all but list).") var topic: String?
    @Option(help: "Partitions (create); the new total (add-partitions).") var partitions = 6
    @Option(help: "Retention in ms, -1 for unlimited (create).") var retentionMs: Int64 = -1
    @Option(name: .customLong("config"), help: "<name>=<value> to set, or <name>= to return to the default (alter; repeat).")
    var configs: [String] = []
    @Flag(help: "Change the cluster (add-partitions, delete); without it, print what would change.") var execute = false

    func run() async throws {
        let (admin, kafka, logger) = try cluster.admin(clientID: "fooddelivery-topics")
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
        case "alter":
            guard let topic, !configs.isEmpty else {
                throw CLIError(
                    "`topics alter` needs a topic and settings, e.g. `fooddelivery topics alter my-events --config retention.ms=86400000`")
            }
            var changes: [String: String?] = [:]
            for entry in configs {
                let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty else {
                    throw ValidationError("--config \(entry): give <name>=<value>, or <name>= for the default")
                }
                changes[parts[0]] = parts[1].isEmpty ? nil : parts[1]
            }
            try await admin.alterTopicConfigs(topic, changes)
            for (name, value) in changes.sorted(by: { $0.key < $1.key }) { OutputLine.write("\(topic): \(name) = \(value ?? "(default)")") }
        case "add-partitions":
            guard let topic else { throw CLIError("`topics add-partitions` needs a topic and --partitions <new total>") }
            guard let current = try await admin.metadata(topic: topic).topic(topic)?.partitions.count, current > 0 else {
                throw CLIError("no topic \(topic): `fooddelivery topics list`")
            }
            guard partitions > current else {
                throw ValidationError("--partitions must be more than today's \(current): Kafka never removes partitions")
            }
            // Which of the keys in the log would hash to another partition: their records after the
            // change land elsewhere than their history, so per-key order holds only from then on.
            let keys = Set(try await KafkaConsumer.readToEnd(topic: topic, configuration: kafka, logger: logger).compactMap(\.keyString))
            let moving = keys.filter {
                KafkaPartitioner.partition(forKey: $0, partitions: current)
                    != KafkaPartitioner.partition(forKey: $0, partitions: partitions)
            }
            OutputLine.write(
                "\(topic): \(current) → \(partitions) partitions; \(moving.count) of the \(keys.count) keys in the log move to another partition"
            )
            for key in moving.sorted().prefix(10) {
                OutputLine.write(
                    "  \(key): \(KafkaPartitioner.partition(forKey: key, partitions: current)) → \(KafkaPartitioner.partition(forKey: key, partitions: partitions))"
                )
            }
            guard execute else { return OutputLine.write("dry run: --execute adds the partitions") }
            try await admin.createPartitions(topic, totalCount: partitions)
            OutputLine.write("\(topic) now has \(partitions) partitions")
        case "delete":
            guard let topic else { throw CLIError("`topics delete` needs a topic") }
            guard execute else {
                return OutputLine.write("dry run: --execute deletes \(topic) and every record in it; its groups' offsets stay behind")
            }
            try await admin.deleteTopic(topic)
            OutputLine.write("deleted \(topic)")
        default:
            throw CLIError("topics takes list, describe, create, alter, add-partitions or delete (then a topic)")
        }
    }
}
