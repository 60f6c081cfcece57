import Foundation
package import Kafka

/// What a producer's settings promise when the broker stalls: numbered records are sent while the
/// partition's leader is frozen for longer than the request timeout, then thawed. Requests that
/// timed out are retried; the frozen broker still reads the originals from its socket afterwards,
/// so a broker that does not recognise a retried batch appends it twice. The idempotent producer
/// (sequence numbers per partition, acks=all) is the one setting that must neither lose,
/// duplicate nor reorder.
package struct ProducerScenario: Scenario {
    package let name = "producer"
    package let concept: KafkaConcept? = .producer
    package let summary =
        "acks=0, acks=1, acks=all and idempotence, each sending while the broker is frozen and thawed: what is lost, what is duplicated"

    package struct Setting: Sendable {
        package var label: String
        package var acks: KafkaProducerConfiguration.Acks
        package var idempotent: Bool
        /// What the setting risks, said when it loses or duplicates (that is no failure).
        package var risk: String
    }

    package static let settings = [
        Setting(
            label: "acks=0", acks: .unacknowledged, idempotent: false,
            risk: "no acknowledgement: whatever the broker drops is gone unnoticed"),
        Setting(label: "acks=1", acks: .leader, idempotent: false, risk: "retries without sequence numbers can duplicate and reorder"),
        Setting(label: "acks=all", acks: .all, idempotent: false, risk: "all replicas ack, but retries can still duplicate and reorder"),
        Setting(label: "acks=all+idempotence", acks: .all, idempotent: true, risk: "none: the broker drops a batch it already has"),
    ]
    /// Longer than `requestTimeout`, so in-flight requests time out and are retried.
    static let pause = Duration.seconds(5)
    static let requestTimeout = Duration.seconds(2)

    /// What one setting did.
    package struct Outcome: Sendable {
        package var setting: Setting
        package var sent: Int
        package var reportedOK: Int
        package var logged: Int
        package var lost: [Int]
        package var duplicated: [Int]
        package var inOrderPerKey: Bool

        var line: String {
            "\(setting.label): \(sent) sent, delivery reports OK for \(reportedOK), log holds \(logged), lost \(Self.list(lost)), duplicated \(Self.list(duplicated)), order per key \(inOrderPerKey ? "kept" : "BROKEN")"
        }

        static func list(_ numbers: [Int]) -> String {
            numbers.isEmpty
                ? "0" : "\(numbers.count) (\(numbers.prefix(8).map(String.init).joined(separator: ","))\(numbers.count > 8 ? ",…" : ""))"
        }
    }

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        if let missing = kafka.brokerControl.missing([.pause, .resume]) { return .unsupported(missing) }
        var outcomes: [Outcome] = []
        for setting in Self.settings {
            let outcome = try await send(setting, kafka)
            kafka.say(outcome.line)
            if !outcome.lost.isEmpty || !outcome.duplicated.isEmpty || !outcome.inOrderPerKey {
                kafka.say("  → what \(setting.label) risks: \(setting.risk)")
            }
            outcomes.append(outcome)
        }
        let safe = outcomes.last!
        let others = outcomes.dropLast().map { "\($0.setting.label) lost \($0.lost.count)/duplicated \($0.duplicated.count)" }
        let evidence = "\(safe.line); \(others.joined(separator: ", "))"
        if safe.lost.isEmpty && safe.duplicated.isEmpty && safe.inOrderPerKey {
            return ScenarioVerdict(passed: true, evidence: evidence)
        }
        return ScenarioVerdict(passed: false, evidence: evidence)
    }

    /// Sends numbered records for a second, through the pause, and for a second after; then reads
    /// the topic back.
    func send(_ setting: Setting, _ kafka: ScenarioKafka) async throws -> Outcome {
        let topic = try await kafka.freshTopic("scenario-producer", partitions: 1)
        try await kafka.waitForLeaders(topic, partitions: 1)
        let metadata = try await kafka.waitForMetadata(topic) { _ in true }
        guard let leader = metadata?.partitions.first?.leader, leader >= 0 else {
            throw BrokerControlError("\(topic)[0] has no leader to pause")
        }
        let producer = try kafka.producer(
            acks: setting.acks, idempotent: setting.idempotent, deliveryTimeout: .seconds(30), requestTimeout: Self.requestTimeout)
        let keys = 5
        var ids: [UInt64: Int] = [:]
        var paused = false
        let start = ContinuousClock.now
        do {
            while ContinuousClock.now - start < Self.pause + .seconds(2) {
                let elapsed = ContinuousClock.now - start
                if !paused && elapsed >= .seconds(1) && elapsed < .seconds(1) + Self.pause {
                    try await kafka.brokerControl.perform(.pause, broker: leader)
                    paused = true
                }
                if paused && elapsed >= .seconds(1) + Self.pause {
                    try await kafka.brokerControl.perform(.resume, broker: leader)
                    paused = false
                }
                let number = ids.count
                let id = try await producer.enqueue(KafkaProducerMessage(topic: topic, key: "ord-\(number % keys)", value: String(number)))
                ids[id] = number
                try await Task.sleep(for: .milliseconds(10))
            }
        } catch {
            if paused { try? await kafka.brokerControl.perform(.resume, broker: leader) }
            await producer.close(timeout: .seconds(5))
            throw error
        }
        // Closing waits for every report (purging what is still undelivered) and ends the stream.
        await producer.close(timeout: .seconds(40))
        var reportedOK = 0
        for await report in producer.deliveryReports where report.isDelivered { reportedOK += 1 }

        let reader = try kafka.consumer(group: kafka.freshName("scenario-producer"))
        try await reader.loadMetadata(topic: topic)
        try reader.assign([TopicPartitionOffset(TopicPartition(topic, 0), .beginning)])
        let records = try await kafka.read(reader, count: ids.count * 3, idle: .seconds(3))
        await reader.close()
        let numbers = records.compactMap { Int($0.valueString) }
        let counts = Dictionary(numbers.map { ($0, 1) }, uniquingKeysWith: +)
        let byKey = Dictionary(grouping: numbers, by: { $0 % keys })
        return Outcome(
            setting: setting, sent: ids.count, reportedOK: reportedOK, logged: records.count,
            lost: (0..<ids.count).filter { counts[$0] == nil }, duplicated: counts.filter { $0.value > 1 }.keys.sorted(),
            inOrderPerKey: byKey.values.allSatisfy { $0 == $0.sorted() && Set($0).count == $0.count })
    }
}
