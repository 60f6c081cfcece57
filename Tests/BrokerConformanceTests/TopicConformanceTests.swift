import Kafka
import TestSupport
import Testing

@Suite("Topics", .timeLimit(.minutes(2)))
struct TopicConformanceTests {
    @Test("CreateTopics makes a topic with N partitions; creating it again says it exists")
    func createTopicWithPartitions() async throws {
        let kit = try await KafkaTestKit.make("topics")
        let name = try await kit.createTopic(partitions: 6)
        let metadata = try #require(try await kit.admin.metadata(topic: name).topic(name))
        #expect(metadata.partitions.map(\.id) == Array(0..<6))
        #expect(metadata.partitions.allSatisfy { $0.leader >= 0 && $0.error == nil })

        let created = try await kit.admin.ensureTopic(NewTopic(name: name, partitions: 6))
        #expect(created == false)
        await #expect(throws: KafkaError.self) { try await kit.admin.createTopic(NewTopic(name: name, partitions: 6)) }
    }

    @Test("CreatePartitions grows a topic (Kafka) / is unsupported (Tansu)")
    func createPartitions() async throws {
        let kit = try await KafkaTestKit.make("partitions")
        let expectations = BrokerExpectations(kind: kit.kind)
        let name = try await kit.createTopic(partitions: 2)
        if expectations.createPartitionsSupported {
            try await kit.admin.createPartitions(name, totalCount: 4)
            try await eventually("topic has 4 partitions") { try await kit.admin.metadata(topic: name).topic(name)?.partitions.count == 4 }
        } else {
            let error = await #expect(throws: KafkaError.self) { try await kit.admin.createPartitions(name, totalCount: 4) }
            // librdkafka refuses locally: Tansu's ApiVersions answer does not list CreatePartitions.
            #expect(error?.brokerCodeName == "_UNSUPPORTED_FEATURE", "\(String(describing: error))")
            #expect(try await kit.admin.metadata(topic: name).topic(name)?.partitions.count == 2)
        }
    }

    @Test("Metadata for a missing topic reports an error instead of inventing one")
    func missingTopic() async throws {
        let kit = try await KafkaTestKit.make("missing")
        let name = TestNames.unique("never-created")
        let metadata = try await kit.admin.metadata(topic: name)
        let topic = metadata.topic(name)
        #expect(topic == nil || topic?.error != nil || topic?.partitions.isEmpty == true)
    }
}
