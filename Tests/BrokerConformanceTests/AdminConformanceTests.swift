import Kafka
import Testing
import TestSupport

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
}
