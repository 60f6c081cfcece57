import Foundation
import Kafka
import TestSupport
import Testing

@Suite("Admin: groups and offsets", .timeLimit(.minutes(2)))
struct AdminConformanceTests {
    @Test("List and describe a live group: members, client ids and assignments")
    func listAndDescribeGroup() async throws {
        let kit = try await KafkaTestKit.make("describe")
        let topic = try await kit.createTopic(partitions: 4)
        let group = TestNames.unique("describe")
        let consumer = try await kit.makeConsumer(group: group, topic: topic, clientID: "describe-member")
        _ = try await consumer.pollUntilAssignment("all 4") { $0.count == 4 }

        let expectations = BrokerExpectations(kind: kit.kind)
        let groups = try await kit.admin.listGroups()
        #expect(groups.contains { $0.groupID == group } == expectations.listsGroups)
        let description = try await kit.admin.describeGroup(group)
        #expect(description.state == "Stable")
        #expect(description.members.count == 1)
        let member = try #require(description.members.first)
        #expect(member.memberID == consumer.memberID)
        if expectations.describesMembersFully {
            #expect(member.clientID == "describe-member")
            #expect(description.partitionAssignor == "range")
            #expect(Set(member.assignment) == Set((0..<4).map { TopicPartition(topic, $0) }))
        } else {
            // Pinned so a fixed Tansu shows up here: these fields arrive empty.
            #expect(member.clientID.isEmpty && member.assignment.isEmpty && description.partitionAssignor.isEmpty)
        }
        await consumer.close()
    }

    @Test("Committed offsets can be read and reset while the group is empty")
    func committedAndReset() async throws {
        let kit = try await KafkaTestKit.make("reset")
        let topic = try await kit.createTopic(partitions: 1)
        let group = TestNames.unique("reset")
        let partition = TopicPartition(topic, 0)
        try await kit.produce(topic, count: 40)
        let consumer = try await kit.makeConsumer(group: group, topic: topic)
        _ = try await consumer.collect(40, commit: true)
        await consumer.close()
        #expect(try await kit.admin.committedOffsets(group: group) == [TopicPartitionOffset(partition, KafkaOffset(40))])

        let reset = try await kit.admin.resetGroupOffsets(group: group, partitions: [partition], to: .offset(25))
        #expect(reset == [TopicPartitionOffset(partition, KafkaOffset(25))])
        let again = try await kit.makeConsumer(group: group, topic: topic)
        let replayed = try await again.collect(15)
        await again.close()
        #expect(replayed.map(\.offset) == Array(25..<40))

        try await kit.admin.resetGroupOffsets(group: group, partitions: [partition], to: .earliest)
        #expect(try await kit.admin.committedOffsets(group: group, partitions: [partition]).first?.offset == KafkaOffset(0))
    }

    @Test("Reset to latest and by timestamp: right on Kafka; on Tansu they inherit its ListOffsets answers")
    func resetToLatestAndTimestamp() async throws {
        let kit = try await KafkaTestKit.make("reset-latest")
        let expectations = BrokerExpectations(kind: kit.kind)
        let topic = try await kit.createTopic(partitions: 1)
        let partition = TopicPartition(topic, 0)
        let group = TestNames.unique("reset-latest")
        // Three separate sends: three record batches, the newest based at offset 2.
        let producer = try await kit.makeProducer()
        for index in 0..<3 {
            try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: nil, value: Array(String(index).utf8)))
        }
        await producer.close()
        let latest = try await kit.admin.resetGroupOffsets(group: group, partitions: [partition], to: .latest)
        #expect(latest.first?.offset.rawValue == expectations.listOffsetsHighWatermark(logEnd: 3, newestBatchBaseOffset: 2))
        let future = Int64(Date().timeIntervalSince1970 * 1000) + 3_600_000
        let byTime = try await kit.admin.resetGroupOffsets(group: group, partitions: [partition], to: .timestamp(milliseconds: future))
        // No record that late: Kafka resets to the log end; Tansu answers 0 (BrokerExpectations).
        let expected =
            expectations.offsetForTimeAfterLastRecord == nil
            ? expectations.listOffsetsHighWatermark(logEnd: 3, newestBatchBaseOffset: 2) : expectations.offsetForTimeAfterLastRecord!
        #expect(byTime.first?.offset.rawValue == expected)
    }

    @Test("Topic configs given at creation are reported by DescribeConfigs")
    func topicConfigs() async throws {
        let kit = try await KafkaTestKit.make("configs")
        let topic = try await kit.createTopic(partitions: 1, configs: ["retention.ms": "-1", "cleanup.policy": "delete"])
        let configs = try await kit.admin.topicConfigs(topic)
        #expect(configs.first { $0.name == "retention.ms" }?.value == "-1")
    }

    @Test("commitAsync reaches the group coordinator")
    func commitAsync() async throws {
        let kit = try await KafkaTestKit.make("commit-async")
        let topic = try await kit.createTopic(partitions: 1)
        let group = TestNames.unique("commit-async")
        try await kit.produce(topic, count: 10)
        let consumer = try await kit.makeConsumer(group: group, topic: topic)
        let messages = try await consumer.collect(10)
        try consumer.commitAsync([messages.last!.nextOffset])
        try await eventually("the async commit is visible", timeout: .seconds(10)) {
            _ = try await consumer.nextBatch(idleTimeout: .milliseconds(50))
            return try await kit.admin.committedOffsets(group: group).first?.offset == KafkaOffset(10)
        }
        await consumer.close()
    }
}
