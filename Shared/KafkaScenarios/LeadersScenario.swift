import Foundation
import Kafka

/// Leaders and in-sync replicas under broker failure: each partition has one leader that takes
/// all reads and writes. When a broker stops, the controller moves its leaderships to in-sync
/// followers and drops it from every ISR. With two of three brokers down the ISR is one replica,
/// below `min.insync.replicas=2`, so acks=all writes are refused (NOT_ENOUGH_REPLICAS) rather
/// than acknowledged by a single copy. Started again, the brokers catch up and rejoin the ISR.
package struct LeadersScenario: Scenario {
    package let name = "leaders"
    package let concept: KafkaConcept? = .leaders
    package let summary =
        "stop a broker: its leaderships move and the ISR shrinks; stop a second: acks=all with min ISR 2 is refused; start them: the ISR recovers"

    static let partitions = 6
    /// How long leadership and ISR changes may take to show in the metadata.
    static let changeLimit = Duration.seconds(90)

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        if let short = try await kafka.brokersShort(of: 3) {
            let control = kafka.brokerControl.missing([.stop, .start]).map { "; it also stops and starts brokers: \($0)" } ?? ""
            return .unsupported(short.reason + control)
        }
        if let missing = kafka.brokerControl.missing([.stop, .start]) { return .unsupported(missing) }
        let admin = try kafka.admin()
        let topic = kafka.freshName("scenario-leaders")
        try await admin.createTopic(
            NewTopic(name: topic, partitions: Self.partitions, replicationFactor: 3, configs: ["min.insync.replicas": "2"]))
        guard
            let initial = try await kafka.waitForMetadata(
                topic, within: Self.changeLimit, until: { $0.partitions.allSatisfy { $0.inSyncReplicas.count == 3 } })
        else { return ScenarioVerdict(passed: false, evidence: "\(topic) never had all 3 replicas in sync") }
        kafka.say("\(topic): " + describe(initial))
        let brokers = try await admin.describeCluster().brokers.map(\.id)
        let first = initial.partitions[0].leader
        let second = brokers.first { $0 != first }!
        let remaining = brokers.first { $0 != first && $0 != second }!
        var stopped: [Int32] = []
        do {
            let result = try await failAndRecover(
                topic, initial: initial, first: first, second: second, remaining: remaining, stopped: &stopped, kafka)
            return result
        } catch {
            for broker in stopped.reversed() { try? await kafka.brokerControl.perform(.start, broker: broker) }
            throw error
        }
    }

    private func failAndRecover(
        _ topic: String, initial: TopicMetadata, first: Int32, second: Int32, remaining: Int32, stopped: inout [Int32],
        _ kafka: ScenarioKafka
    ) async throws -> ScenarioVerdict {
        let ledByFirst = initial.partitions.filter { $0.leader == first }.map(\.id)
        kafka.say("stopping broker \(first), leader of partition(s) \(ledByFirst.map(String.init).joined(separator: ","))")
        try await kafka.brokerControl.perform(.stop, broker: first)
        stopped.append(first)
        let afterFirst = try await kafka.waitForMetadata(topic, within: Self.changeLimit) { topic in
            topic.partitions.allSatisfy { $0.leader >= 0 && $0.leader != first && !$0.inSyncReplicas.contains(first) }
        }
        let moved = afterFirst != nil
        if let afterFirst { kafka.say("broker \(first) down: " + describe(afterFirst)) }

        kafka.say("stopping broker \(second) as well: only broker \(remaining) is left")
        try await kafka.brokerControl.perform(.stop, broker: second)
        stopped.append(second)
        let afterSecond = try await kafka.waitForMetadata(topic, within: Self.changeLimit) { topic in
            topic.partitions.allSatisfy { !$0.inSyncReplicas.contains(second) }
        }
        if let afterSecond { kafka.say("brokers \(first) and \(second) down: " + describe(afterSecond)) }
        let target = (afterSecond ?? initial).partitions.first { $0.leader == remaining }?.id ?? 0
        let refusal = try await write(topic, partition: target, acks: .all, kafka)
        let leaderOnly = try await write(topic, partition: target, acks: .leader, kafka)
        kafka.say("acks=all to partition \(target): \(refusal ?? "acknowledged"); acks=1: \(leaderOnly ?? "acknowledged")")

        for broker in [second, first] {
            kafka.say("starting broker \(broker)")
            try await kafka.brokerControl.perform(.start, broker: broker)
            stopped.removeAll { $0 == broker }
        }
        let recovered = try await kafka.waitForMetadata(topic, within: Self.changeLimit * 2) { topic in
            topic.partitions.allSatisfy { Set($0.inSyncReplicas) == Set($0.replicas) && $0.replicas.count == 3 }
        }
        if let recovered { kafka.say("both back: " + describe(recovered)) }
        let refused = refusal != nil
        return ScenarioVerdict(
            passed: moved && afterSecond != nil && refused && recovered != nil,
            evidence:
                "leaders moved off broker \(first) and the ISR shrank (\(moved)); with two down acks=all was \(refusal.map { "refused: \($0)" } ?? "ACKNOWLEDGED") and acks=1 \(leaderOnly.map { "failed: \($0)" } ?? "acknowledged"); ISR back to 3 after the restart (\(recovered != nil))"
        )
    }

    /// Writes one record without retries; nil when acknowledged, else the broker's refusal.
    private func write(_ topic: String, partition: Int32, acks: KafkaProducerConfiguration.Acks, _ kafka: ScenarioKafka) async throws
        -> String?
    {
        let producer = try kafka.producer(acks: acks, idempotent: false, deliveryTimeout: .seconds(15), retries: false)
        let refusal: String?
        do {
            _ = try await producer.send(
                KafkaProducerMessage(topic: topic, partition: partition, key: "probe", value: "acks=\(acks.rawValue)"))
            refusal = nil
        } catch {
            refusal = error.brokerCodeName ?? error.message
        }
        await producer.close(timeout: .seconds(5))
        return refusal
    }

    private func describe(_ topic: TopicMetadata) -> String {
        topic.partitions.map { "p\($0.id) leader \($0.leader) isr \($0.inSyncReplicas.map(String.init).joined(separator: ","))" }
            .joined(separator: "; ")
    }
}
