import Foundation
import Kafka
import LocalBroker

/// Durability: a broker keeps its log and its groups' committed offsets on storage, so a broker
/// that stops and starts again serves the same records at the same offsets, and a group resumes
/// where it committed. Shown on a local broker of its own, whatever cluster the other scenarios
/// use (it restarts this one): Tansu keeping its data in a local S3 server, since the default
/// local broker keeps it in memory and restarts empty.
package struct BrokerRestartScenario: Scenario {
    package let name = "broker-restart"
    package let concept: KafkaConcept? = .brokerAndCluster
    package let summary = "a broker that restarts keeps its topics, records and committed offsets: nothing acknowledged is lost"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        guard LocalS3Server.isInstalled else {
            return .unsupported(
                "no local S3 server for the broker to keep its data in: scripts/setup.sh --local-s3 installs one (moto, from PyPI)")
        }
        let s3 = try await LocalS3Server.start(logger: kafka.logger)
        let broker: LocalBroker
        do {
            broker = try await LocalBroker.start(storage: .s3(s3), logger: kafka.logger)
        } catch {
            await s3.stop()
            throw error
        }
        do {
            let verdict = try await run(on: broker, kafka: kafka)
            await broker.stop()
            await s3.stop()
            return verdict
        } catch {
            await broker.stop()
            await s3.stop()
            throw error
        }
    }

    private func run(on broker: LocalBroker, kafka outer: ScenarioKafka) async throws -> ScenarioVerdict {
        let kafka = ScenarioKafka(configuration: broker.kafkaConfiguration, logger: outer.logger)
        kafka.say("a broker of its own at \(broker.bootstrapServer), keeping its data in a local S3 bucket")
        let topic = try await kafka.freshTopic("scenario-restart", partitions: 3)
        let group = kafka.freshName("scenario-restart")
        let sent = try await kafka.produce(topic, count: 300) { "ord-\($0 % 40)" }
        let reader = try kafka.consumer(group: group) { $0.fetchWaitMax = Self.fetchWait }
        try reader.subscribe([topic])
        let before = try await kafka.read(reader, count: 200)
        let committed = Dictionary(grouping: before, by: \.topicPartition.partition).mapValues { $0.map(\.offset).max()! + 1 }
        try await reader.commit(committed.map { TopicPartitionOffset(TopicPartition(topic, $0.key), KafkaOffset($0.value)) })
        await reader.close()
        kafka.say(
            "300 records acknowledged on \(topic) (3 partitions); group \(group) read \(before.count) and committed \(committed.sorted { $0.key < $1.key }.map { "p\($0.key)@\($0.value)" }.joined(separator: " "))"
        )

        kafka.say(
            "every record is acknowledged; the broker stops (SIGTERM, and SIGKILL if it has not exited within \(LocalBroker.gracefulStopLimit)) and starts again on the same storage"
        )
        let started = ContinuousClock.now
        try await broker.restart(logger: kafka.logger)
        kafka.say("it answers again after \(Self.seconds(ContinuousClock.now - started))")

        let partitions = try await kafka.admin().metadata(topic: topic).topics.first { $0.name == topic }?.partitions.count ?? 0
        let everything = try kafka.consumer(group: kafka.freshName("scenario-restart-audit")) { $0.fetchWaitMax = Self.fetchWait }
        try everything.assign((0..<3).map { TopicPartitionOffset(TopicPartition(topic, Int32($0)), .beginning) })
        let kept = try await kafka.read(everything, count: 300)
        await everything.close()
        let landed = Set(sent.map { "\($0.partition)@\($0.offset) \($0.key)=\($0.value)" })
        let read = Set(kept.map { "\($0.topicPartition.partition)@\($0.offset) \($0.keyString ?? "")=\($0.valueString)" })
        kafka.say(
            "the topic has \(partitions) partitions; \(read.intersection(landed).count) of the 300 records read back at their offsets")

        let stored = try await kafka.admin().committedOffsets(group: group, partitions: (0..<3).map { TopicPartition(topic, Int32($0)) })
        let storedByPartition = Dictionary(
            uniqueKeysWithValues: stored.compactMap { entry in entry.offset.exact.map { (entry.topicPartition.partition, $0) } })
        kafka.say(
            "group \(group)'s committed offsets: \(storedByPartition.sorted { $0.key < $1.key }.map { "p\($0.key)@\($0.value)" }.joined(separator: " "))"
        )

        let more = try await kafka.produce(topic, count: 60) { "ord-new-\($0)" }
        let continued = more.allSatisfy { record in
            record.offset >= (sent.filter { $0.partition == record.partition }.map(\.offset).max() ?? -1) + 1
        }
        let resumed = try kafka.consumer(group: group) { $0.fetchWaitMax = Self.fetchWait }
        try resumed.subscribe([topic])
        let after = try await kafka.read(resumed, count: 160)
        await resumed.close()
        let reread = after.filter { record in record.offset < committed[record.topicPartition.partition, default: 0] }.count
        kafka.say(
            "60 more records continue each partition's offsets; the group resumes and reads \(after.count) (\(reread) it had committed)")

        let keptCount = read.intersection(landed).count
        let ok = partitions == 3 && read == landed && storedByPartition == committed && continued && after.count == 160 && reread == 0
        return ScenarioVerdict(
            passed: ok,
            evidence:
                "after the restart: \(partitions) of 3 partitions, \(keptCount) of the 300 acknowledged records at their offsets (\(read.subtracting(landed).count) unexpected), committed offsets \(storedByPartition == committed ? "kept" : "changed"), new records \(continued ? "after" : "not after") the old, the group resumed with \(after.count) of 160 read and \(reread) read twice"
        )
    }

    /// On S3 storage Tansu answers a fetch whose wait runs out before its reads from the bucket
    /// finish with no records at all, so these consumers wait as long as Kafka's default.
    private static let fetchWait = Duration.milliseconds(500)

    private static func seconds(_ duration: Duration) -> String {
        String(format: "%.1f s", Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
    }
}
