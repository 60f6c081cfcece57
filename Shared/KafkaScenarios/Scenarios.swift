import Foundation
import Kafka

/// Keys choose partitions: every record of a key lands on the same partition, in order, where
/// murmur2(key) says.
package struct KeysAndPartitionsScenario: Scenario {
    package let name = "partitions"
    package let concept: KafkaConcept? = .partitionsAndKeys
    package let summary = "a topic is split into partitions; a record's key chooses its partition, so one key's records stay in order"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-partitions", partitions: 6)
        kafka.say("created topic \(topic) with 6 partitions; sending 60 records for 10 order ids (6 steps each)")
        let landed = try await kafka.produce(topic, count: 60) { "ord-\($0 % 10)" }
        var ok = true
        for key in Set(landed.map(\.key)).sorted() {
            let records = landed.filter { $0.key == key }
            let partitions = Set(records.map(\.partition))
            let predicted = KafkaPartitioner.partition(forKey: key, partitions: 6)
            let inOrder = records.map(\.offset) == records.map(\.offset).sorted()
            kafka.say(
                "\(key) → partition \(partitions.map(String.init).joined(separator: ",")) (murmur2 predicts \(predicted)), offsets \(records.map { String($0.offset) }.joined(separator: " "))"
            )
            ok = ok && partitions == [predicted] && inOrder
        }
        return ScenarioVerdict(passed: ok, evidence: "each key on exactly one partition, the one murmur2 predicts, at increasing offsets")
    }
}

/// A consumer group splits the partitions among its members; joins and leaves rebalance them.
package struct ConsumerGroupScenario: Scenario {
    package let name = "consumer-group"
    package let concept: KafkaConcept? = .consumerGroup
    package let summary = "members of one consumer group share the partitions; when one joins or leaves, the group rebalances"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-group", partitions: 6)
        let group = kafka.freshName("scenario-group")
        _ = try await kafka.produce(topic, count: 30) { "ord-\($0)" }
        var members: [KafkaConsumer] = []
        var ok = true
        func settle(_ expected: Int) async throws -> Bool {
            let owned = { members.map { $0.assignment.map(\.partition) } }
            let settled = try await kafka.pollTogether(members, within: .seconds(40)) {
                owned().allSatisfy { !$0.isEmpty } && owned().flatMap { $0 }.count == 6 && Set(owned().flatMap { $0 }) == Set(0..<6)
            }.settled
            guard settled else {
                kafka.say("\(expected) member(s): the partitions did not settle in 40 s")
                return false
            }
            kafka.say(
                "\(expected) member(s): "
                    + owned().enumerated().map {
                        "member \($0.offset + 1) owns \($0.element.sorted().map(String.init).joined(separator: ","))"
                    }.joined(separator: "; "))
            return true
        }
        for count in 1...3 {
            kafka.say("member \(count) joins group \(group)")
            let member = try kafka.consumer(group: group)
            try member.subscribe([topic])
            members.append(member)
            ok = try await settle(count) && ok
        }
        kafka.say("member 3 leaves (closes cleanly)")
        await members.removeLast().close()
        ok = try await settle(2) && ok
        for member in members { await member.close() }
        return ScenarioVerdict(passed: ok, evidence: "after every join and leave, each partition had exactly one owner")
    }
}

/// Offsets: a group resumes from its committed offset; a consumer can seek back and replay.
package struct OffsetsAndReplayScenario: Scenario {
    package let name = "replay"
    package let concept: KafkaConcept? = .offsetsAndReplay
    package let summary = "a group's committed offset is where it resumes; seeking back replays the log, which Kafka keeps"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-replay", partitions: 1)
        let group = kafka.freshName("scenario-replay")
        _ = try await kafka.produce(topic, count: 100) { "ord-\($0)" }
        kafka.say("100 records on \(topic); a member of \(group) reads 40 and commits offset 40")
        let first = try kafka.consumer(group: group)
        try first.assign([TopicPartitionOffset(TopicPartition(topic, 0), .beginning)])
        let read = try await kafka.read(first, count: 40)
        try await first.commit([TopicPartitionOffset(TopicPartition(topic, 0), KafkaOffset(40))])
        await first.close()
        let second = try kafka.consumer(group: group)
        try second.assign([TopicPartitionOffset(TopicPartition(topic, 0), .committed)])
        let rest = try await kafka.read(second, count: 60)
        kafka.say("a new member resumes at offset \(rest.first?.offset ?? -1) and reads \(rest.count) more")
        try await second.seek([TopicPartitionOffset(TopicPartition(topic, 0), KafkaOffset(0))])
        let replayed = try await kafka.read(second, count: 100)
        kafka.say("it seeks to offset 0 and replays \(replayed.count) records")
        await second.close()
        let ok = read.count >= 40 && rest.first?.offset == 40 && rest.count == 60 && replayed.map(\.offset) == Array(0..<100)
        return ScenarioVerdict(passed: ok, evidence: "resumed at the committed offset 40, read 60 more, replayed all 100 from offset 0")
    }
}

/// Decoupling: the producer does not wait for consumers; a dead consumer does not slow it down.
package struct DecouplingScenario: Scenario {
    package let name = "decoupling"
    package let concept: KafkaConcept? = .decoupling
    package let summary = "producers and consumers never wait for each other: with the consumer gone, the producer goes on as fast"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-decoupling", partitions: 3)
        let consumer = try kafka.consumer(group: kafka.freshName("scenario-decoupling"))
        try consumer.subscribe([topic])
        // The consumer reads alongside; closing it ends its loop.
        async let reading: Void = { while (try await consumer.nextBatch(maxMessages: 1_000, idleTimeout: .milliseconds(200))) != nil {} }()
        func rate() async throws -> Double {
            let producer = try KafkaProducer.make(
                configuration: KafkaProducerConfiguration(common: kafka.configuration), logger: kafka.logger)
            let start = ContinuousClock.now
            var sent = 0
            while ContinuousClock.now - start < .seconds(2) {
                _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "ord-\(sent)", value: "x"))
                sent += 1
            }
            await producer.close()
            return Double(sent) / 2
        }
        let withConsumer = try await rate()
        kafka.say("with a consumer reading: \(Int(withConsumer)) acknowledged sends/s (each waits for the broker's ack)")
        await consumer.close()
        try await reading
        let without = try await rate()
        kafka.say("with the consumer gone: \(Int(without)) sends/s")
        return ScenarioVerdict(
            passed: without >= 0.7 * withConsumer,
            evidence: "the producer was not slower without its consumer (\(String(format: "%.2f", without / withConsumer))×)")
    }
}
