import Foundation
import Kafka

/// Replication: each partition is copied to `replication.factor` brokers; the in-sync replicas
/// (ISR) are the copies that are caught up, and `min.insync.replicas` is how many of them an
/// acks=all write needs.
package struct ReplicationScenario: Scenario {
    package let name = "replication"
    package let concept: KafkaConcept? = .replication
    package let summary =
        "a topic with replication factor 3: every partition has 3 replicas on different brokers, all in sync, and min.insync.replicas=2"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        if let short = try await kafka.brokersShort(of: 3) { return .unsupported(short.reason) }
        let admin = try kafka.admin()
        let topic = kafka.freshName("scenario-replication")
        try await admin.createTopic(NewTopic(name: topic, partitions: 3, replicationFactor: 3, configs: ["min.insync.replicas": "2"]))
        let fullySynced = try await kafka.waitForMetadata(topic) { topic in
            topic.partitions.count == 3
                && topic.partitions.allSatisfy {
                    Set($0.replicas).count == 3 && Set($0.inSyncReplicas) == Set($0.replicas) && $0.leader >= 0
                }
        }
        let partitions = try await kafka.waitForMetadata(topic) { _ in true }?.partitions ?? []
        for partition in partitions {
            kafka.say(
                "partition \(partition.id): leader \(partition.leader), replicas \(partition.replicas.map(String.init).joined(separator: ",")), in sync \(partition.inSyncReplicas.map(String.init).joined(separator: ","))"
            )
        }
        let minInSync = try await admin.topicConfigs(topic).first { $0.name == "min.insync.replicas" }?.value
        let producer = try kafka.producer(acks: .all, idempotent: true)
        var acknowledged = 0
        for index in 0..<10 {
            if (try? await producer.send(KafkaProducerMessage(topic: topic, key: "ord-\(index)", value: String(index)))) != nil {
                acknowledged += 1
            }
        }
        await producer.close()
        kafka.say(
            "min.insync.replicas=\(minInSync ?? "(absent)"); 10 acks=all records acknowledged by every in-sync replica: \(acknowledged)")
        return ScenarioVerdict(
            passed: fullySynced != nil && minInSync == "2" && acknowledged == 10,
            evidence:
                "every partition has 3 replicas, all in sync (\(fullySynced != nil)); min.insync.replicas=\(minInSync ?? "absent"); \(acknowledged)/10 acks=all writes acknowledged"
        )
    }
}
