import Foundation
import Kafka
import SimulationControl

/// A member that dies without a word (SIGKILL: no LeaveGroup) keeps its partitions until the group
/// coordinator misses its heartbeats for a session timeout; then a survivor gets them and resumes
/// at the dead member's committed offsets, so nothing is lost (and what it read but had not
/// committed is read again: at-least-once).
package struct MemberCrashScenario: Scenario {
    package let name = "member-crash"
    package let concept: KafkaConcept? = nil
    package let summary =
        "a member SIGKILLed mid-stream says no goodbye: after its session timeout the group hands its partitions to a survivor, which resumes at the committed offsets"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-crash", partitions: 6)
        let group = kafka.freshName("scenario-crash")
        let survivor = try kafka.consumer(group: group)
        try survivor.subscribe([topic])
        var survivorRead: [KafkaConsumerMessage] = []
        /// The survivor keeps polling (a group only rebalances through its members' polls) until `done`.
        func poll(until done: () -> Bool, within limit: Duration) async throws -> Duration? {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < limit {
                if let batch = try await survivor.nextBatch(maxMessages: 500, idleTimeout: .milliseconds(100)) {
                    survivorRead += batch.messages
                }
                if done() { return ContinuousClock.now - start }
            }
            return nil
        }
        kafka.say("member A (this process) joins group \(group) on \(topic) (6 partitions)")
        guard try await poll(until: { survivor.assignment.count == 6 }, within: .seconds(40)) != nil else {
            return ScenarioVerdict(passed: false, evidence: "member A was never assigned the topic's partitions")
        }

        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(group)-member-b.jsonl")
        defer { try? FileManager.default.removeItem(at: log) }
        let memberB = try ServiceLauncher.launch(
            executable: "fooddelivery",
            arguments: [
                "consume", "--brokers", kafka.configuration.bootstrapServers.joined(separator: ","), "--topic", topic, "--group", group,
                "--json",
                "--log-level", "critical",
            ], log: log.path)
        func killMemberB() {
            kill(memberB, SIGKILL)
            var status: Int32 = 0
            _ = waitpid(memberB, &status, 0)
        }
        defer { if SimulationRun.isAlive(memberB) { killMemberB() } }
        kafka.say("member B joins: another process (`fooddelivery consume`, pid \(memberB)), committing after every batch")
        guard try await poll(until: { survivor.assignment.count == 3 }, within: .seconds(40)) != nil else {
            return ScenarioVerdict(passed: false, evidence: "the group never split the partitions between A and B")
        }
        let ownedByB = Set(Int32(0)..<6).subtracting(survivor.assignment.map(\.partition))
        kafka.say(
            "rebalanced: A owns \(survivor.assignment.map { String($0.partition) }.joined(separator: ",")), B owns \(ownedByB.sorted().map(String.init).joined(separator: ","))"
        )

        let first = try await kafka.produce(topic, count: 60) { "ord-\($0)" }
        let forB = first.filter { ownedByB.contains($0.partition) }
        func readByB() -> [(partition: Int32, offset: Int64)] {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            return text.split(separator: "\n").compactMap { line in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["event"] as? String == "message",
                    let partition = object["partition"] as? Int, let offset = object["offset"] as? Int
                else { return nil }
                return (Int32(partition), Int64(offset))
            }
        }
        _ = try await poll(until: { survivorRead.count >= first.count - forB.count && readByB().count >= forB.count }, within: .seconds(30))
        kafka.say("60 records sent: A read \(survivorRead.count), B read \(readByB().count) (its partitions' share)")

        killMemberB()
        kafka.say(
            "B is SIGKILLed: it cannot say goodbye, so its partitions stay assigned to it until the broker misses its heartbeats for session.timeout.ms (6 s)"
        )
        guard let takeover = try await poll(until: { survivor.assignment.count == 6 }, within: .seconds(60)) else {
            return ScenarioVerdict(passed: false, evidence: "A never got B's partitions back within 60 s")
        }
        kafka.say("after \(String(format: "%.1f", takeover.seconds)) s the group rebalanced: A owns all 6 partitions")

        let readBeforeKill = survivorRead.count
        let second = try await kafka.produce(topic, count: 60) { "ord-\($0 + 60)" }
        _ = try await poll(
            until: {
                Set(survivorRead.dropFirst(readBeforeKill).map { "\($0.topicPartition.partition)@\($0.offset)" }).isSuperset(
                    of: second.map { "\($0.partition)@\($0.offset)" })
            }, within: .seconds(30))
        let afterKill = survivorRead.dropFirst(readBeforeKill)
        let reread = afterKill.filter { message in
            first.contains { $0.partition == message.topicPartition.partition && $0.offset == message.offset }
        }.count
        let everyOffset = Set(first.map { "\($0.partition)@\($0.offset)" } + second.map { "\($0.partition)@\($0.offset)" })
        let seen = Set(
            survivorRead.map { "\($0.topicPartition.partition)@\($0.offset)" } + readByB().map { "\($0.partition)@\($0.offset)" })
        let lost = everyOffset.subtracting(seen).count
        kafka.say(
            "60 more records sent: A read \(afterKill.count) after the takeover (\(reread) of them B had read but not committed, read again)"
        )
        await survivor.close()
        return ScenarioVerdict(
            passed: lost == 0,
            evidence:
                "all 120 records were read by A or B (0 lost); B's partitions moved to A \(takeover.components.seconds) s after the kill; \(reread) re-read (at-least-once; the services make that exactly-once in effect)"
        )
    }
}
