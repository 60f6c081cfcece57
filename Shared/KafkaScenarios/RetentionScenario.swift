import Foundation
import Kafka

/// Retention: Kafka deletes whole old segments once they are older than `retention.ms`; the log
/// then starts later (the low watermark moves up) and a reader from the beginning starts there.
/// Consumers that fall further behind than retention lose records, which is why the projections
/// here keep their offsets and the topics keep events forever (`retention.ms=-1`).
package struct RetentionScenario: Scenario {
    package let name = "retention"
    package let summary = "a topic keeps records for retention.ms; older segments are deleted and the log's start (low watermark) moves up"
    /// How long to watch for the deletion: Kafka checks every log.retention.check.interval.ms
    /// (5 min by default; 5 s in this repository's docker-compose.yml).
    package static let watch = Duration.seconds(40)

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = kafka.freshName("scenario-retention")
        let admin = try kafka.admin()
        try await admin.createTopic(NewTopic(name: topic, partitions: 1, configs: ["retention.ms": "3000", "segment.ms": "1000"]))
        kafka.say("created \(topic): retention.ms=3000 (keep 3 s), segment.ms=1000 (start a new segment every second)")
        _ = try await kafka.produce(topic, count: 50) { "ord-\($0)" }
        try await Task.sleep(for: .seconds(2))
        _ = try await kafka.produce(topic, count: 50) { "ord-\($0 + 50)" }
        let partition = TopicPartition(topic, 0)
        kafka.say("100 records sent, 2 s apart in two halves; the log now starts at \(try await admin.queryWatermarks(partition).low)")

        let start = ContinuousClock.now
        var low: Int64 = 0
        while ContinuousClock.now - start < Self.watch {
            // A record now and then rolls the active segment, which is never deleted itself.
            _ = try await kafka.produce(topic, count: 1) { _ in "tick" }
            low = try await admin.queryWatermarks(partition).low
            if low > 0 { break }
            try await Task.sleep(for: .seconds(2))
        }
        guard low > 0 else {
            kafka.say("after \(Self.watch.components.seconds) s the log still starts at 0: this broker has not deleted anything")
            return ScenarioVerdict(
                passed: false,
                evidence:
                    "no segment was deleted within \(Self.watch.components.seconds) s (Tansu 0.6.0 keeps every record whatever retention.ms says; on Apache Kafka set log.retention.check.interval.ms low, as docker-compose.yml does)",
                brokerLimitation: true)
        }
        let seconds = (ContinuousClock.now - start).components.seconds
        kafka.say("after \(seconds) s the broker deleted the expired segments: the log now starts at offset \(low)")
        let reader = try kafka.consumer(group: kafka.freshName("scenario-retention"))
        try await reader.loadMetadata(topic: topic)
        try reader.assign([TopicPartitionOffset(partition, .beginning)])
        let first = try await kafka.read(reader, count: 1).first?.offset
        await reader.close()
        kafka.say(
            "a new reader from the beginning starts at offset \(first.map(String.init) ?? "none"); records before it are gone for good")
        return ScenarioVerdict(
            passed: first == low,
            evidence: "expired segments deleted after \(seconds) s; the log starts at \(low), and reading from the beginning starts there")
    }
}
