import Foundation
import Kafka

/// A topic is a named, partitioned, append-only log with configs of its own: records are only
/// ever added at the end of a partition, never changed, so reading it twice gives the same
/// records; deleting the topic removes the log.
package struct TopicScenario: Scenario {
    package let name = "topic"
    package let concept: KafkaConcept? = .topic
    package let summary =
        "a topic is a named, partitioned, append-only log with its own configs: offsets only grow, a second read returns the same records"

    /// Configs set at creation, each different from the broker's default so reading it back proves it was kept.
    static let configs = ["retention.ms": "86400000", "max.message.bytes": "65536", "min.compaction.lag.ms": "60000"]

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let admin = try kafka.admin()
        let topic = kafka.freshName("scenario-topic")
        try await admin.createTopic(NewTopic(name: topic, partitions: 3, configs: Self.configs))
        try await kafka.waitForLeaders(topic, partitions: 3)
        let described = try await admin.topicConfigs(topic)
        let kept = Self.configs.keys.sorted().map { key in (key, Self.configs[key]!, described.first { $0.name == key }?.value) }
        kafka.say(
            "created \(topic) with 3 partitions; DescribeConfigs reads back "
                + kept.map { "\($0.0)=\($0.2 ?? "(absent)")" }.joined(separator: ", "))
        let configsKept = kept.allSatisfy { $0.1 == $0.2 }

        // Appending: every round of records lands after the previous one on each partition.
        var ends: [Int32: Int64] = [:]
        var appendOnly = true
        for round in 0..<3 {
            let landed = try await kafka.produce(topic, count: 12) { "ord-\($0 % 6)-r\(round)" }
            for record in landed {
                appendOnly = appendOnly && record.offset > ends[record.partition, default: -1]
                ends[record.partition] = record.offset
            }
            kafka.say(
                "round \(round + 1): 12 records; each partition's newest offset is now "
                    + ends.keys.sorted().map { "p\($0)=\(ends[$0]!)" }.joined(separator: " "))
        }

        // Reading does not consume: two independent reads from the beginning return the same records.
        func readAll() async throws -> [String] {
            let reader = try kafka.consumer(group: kafka.freshName("scenario-topic"))
            try await reader.loadMetadata(topic: topic)
            try reader.assign((0..<3).map { TopicPartitionOffset(TopicPartition(topic, Int32($0)), .beginning) })
            let records = try await kafka.read(reader, count: 36, idle: .seconds(5))
            await reader.close()
            return records.map { "\($0.topicPartition.partition)@\($0.offset)=\($0.valueString)" }.sorted()
        }
        let first = try await readAll()
        let second = try await readAll()
        kafka.say(
            "read from the beginning twice: \(first.count) and \(second.count) records, \(first == second ? "identical" : "DIFFERENT")")

        try await admin.deleteTopic(topic)
        var gone = false
        let deadline = ContinuousClock.now + .seconds(20)
        while !gone && ContinuousClock.now < deadline {
            gone = try await admin.metadata(topic: topic).topic(topic).map { $0.error != nil || $0.partitions.isEmpty } ?? true
            if !gone { try await Task.sleep(for: .milliseconds(250)) }
        }
        kafka.say(gone ? "deleted \(topic): the cluster no longer knows it" : "deleted \(topic), but the cluster still lists it after 20 s")

        return ScenarioVerdict(
            passed: configsKept && appendOnly && first.count == 36 && first == second && gone,
            evidence:
                "configs read back as set (\(configsKept)), offsets only grew (\(appendOnly)), two reads gave the same \(first.count) of 36 records (\(first == second)), deleted (\(gone))"
        )
    }
}
