import Foundation
import Kafka

/// Retention: Kafka deletes whole old segments once they are older than `retention.ms`, or once
/// the partition is larger than `retention.bytes`; the log then starts later (the low watermark
/// moves up) and a reader from the beginning starts there. Consumers that fall further behind
/// than retention lose records, which is why the projections here keep their offsets and the
/// topics keep events forever (`retention.ms=-1`).
package struct RetentionScenario: Scenario {
    package let name = "retention"
    package let concept: KafkaConcept? = .retention
    package let summary =
        "a topic keeps records for retention.ms or up to retention.bytes; older segments are deleted and the log's start (low watermark) moves up"
    /// How long to watch for the deletion: Kafka checks every log.retention.check.interval.ms
    /// (5 min by default; 5 s in this repository's docker-compose.yml).
    package static let watch = Duration.seconds(40)
    /// Small, so a few MiB fill several segments: retention by size deletes whole segments, and
    /// never the active one.
    static let segmentBytes = 1_048_576

    /// One topic whose log should shrink, and how.
    struct Watched {
        let rule: String
        let topic: String
        var low: Int64 = 0
        var after: Duration?
    }

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let admin = try kafka.admin()
        var byTime = Watched(rule: "by time", topic: kafka.freshName("scenario-retention-time"))
        var bySize = Watched(rule: "by size", topic: kafka.freshName("scenario-retention-size"))
        try await admin.createTopic(NewTopic(name: byTime.topic, partitions: 1, configs: ["retention.ms": "3000", "segment.ms": "1000"]))
        try await admin.createTopic(
            NewTopic(
                name: bySize.topic, partitions: 1,
                configs: ["retention.bytes": String(Self.segmentBytes), "segment.bytes": String(Self.segmentBytes)]))
        kafka.say("created \(byTime.topic): retention.ms=3000 (keep 3 s), segment.ms=1000 (start a new segment every second)")
        kafka.say("created \(bySize.topic): retention.bytes=1 MiB, segment.bytes=1 MiB (keep about one segment)")
        _ = try await kafka.produce(byTime.topic, count: 50) { "ord-\($0)" }
        let kilobyte = String(repeating: "x", count: 1024)
        // Uncompressed, so 4 MiB sent is 4 MiB of log.
        let producer = try KafkaProducer.make(
            configuration: KafkaProducerConfiguration(common: kafka.configuration, compression: "none"), logger: kafka.logger)
        do {
            for index in 0..<4_000 {
                _ = try await producer.enqueue(KafkaProducerMessage(topic: bySize.topic, key: "ord-\(index)", value: kilobyte))
            }
            try await producer.flush()
            await producer.close()
        } catch {
            await producer.close(timeout: .seconds(5))
            throw error
        }
        try await Task.sleep(for: .seconds(2))
        _ = try await kafka.produce(byTime.topic, count: 50) { "ord-\($0 + 50)" }
        kafka.say("by time: 100 records in two halves 2 s apart; by size: 4,000 records of 1 KiB (about 4 segments)")

        let start = ContinuousClock.now
        while ContinuousClock.now - start < Self.watch && (byTime.after == nil || bySize.after == nil) {
            // A record now and then rolls the active segment, which is never deleted itself.
            for topic in [byTime.topic, bySize.topic] { _ = try await kafka.produce(topic, count: 1) { _ in "tick" } }
            byTime.low = try await admin.queryWatermarks(TopicPartition(byTime.topic, 0)).low
            bySize.low = try await admin.queryWatermarks(TopicPartition(bySize.topic, 0)).low
            if byTime.after == nil && byTime.low > 0 { byTime.after = ContinuousClock.now - start }
            if bySize.after == nil && bySize.low > 0 { bySize.after = ContinuousClock.now - start }
            try await Task.sleep(for: .seconds(2))
        }
        var results: [String] = []
        var ok = true
        for watched in [byTime, bySize] {
            guard let after = watched.after else {
                kafka.say("\(watched.rule): after \(Self.watch.components.seconds) s the log still starts at 0: nothing was deleted")
                results.append("\(watched.rule): nothing deleted")
                ok = false
                continue
            }
            let first = try await firstOffset(watched.topic, kafka)
            kafka.say(
                "\(watched.rule): after \(after.components.seconds) s the log starts at offset \(watched.low); a new reader from the beginning starts at \(first.map(String.init) ?? "none")"
            )
            results.append("\(watched.rule): log starts at \(watched.low) after \(after.components.seconds) s, a reader starts there")
            ok = ok && first == watched.low
        }
        if byTime.after == nil && bySize.after == nil {
            return .unsupported(
                "no segment was deleted within \(Self.watch.components.seconds) s, by time or by size (Tansu 0.6.0 keeps every record whatever retention.ms and retention.bytes say; on Apache Kafka set log.retention.check.interval.ms low, as docker-compose.yml does)"
            )
        }
        return ScenarioVerdict(passed: ok, evidence: results.joined(separator: "; "))
    }

    /// Where a reader from the beginning starts now.
    private func firstOffset(_ topic: String, _ kafka: ScenarioKafka) async throws -> Int64? {
        let reader = try kafka.consumer(group: kafka.freshName("scenario-retention"))
        try await reader.loadMetadata(topic: topic)
        try reader.assign([TopicPartitionOffset(TopicPartition(topic, 0), .beginning)])
        let first = try await kafka.read(reader, count: 1).first?.offset
        await reader.close()
        return first
    }
}
