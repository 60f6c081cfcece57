import Kafka
import TestSupport
import Testing

@Suite("Producing", .timeLimit(.minutes(2)))
struct ProduceConformanceTests {
    @Test("Keyed produce puts all of a key's records on one partition, in send order")
    func keyedOrdering() async throws {
        let kit = try await KafkaTestKit.make("keyed")
        let topic = try await kit.createTopic(partitions: 6)
        let reports = try await kit.produce(topic, count: 1000, keys: 50)
        #expect(reports.count == 1000)

        // Delivery reports: one partition per key, offsets rising in send order.
        var partitionOfKey: [Int: Int32] = [:]
        var lastOffsetOfKey: [Int: Int64] = [:]
        for (index, report) in reports.enumerated() {
            let key = index % 50
            #expect(partitionOfKey[key, default: report.topicPartition.partition] == report.topicPartition.partition)
            partitionOfKey[key] = report.topicPartition.partition
            let offset = try #require(report.offset)
            #expect(offset > lastOffsetOfKey[key, default: -1])
            lastOffsetOfKey[key] = offset
        }
        #expect(Set(partitionOfKey.values).count > 1, "50 keys should spread over several of 6 partitions")

        // Reading back: per key, values arrive in the order they were sent.
        let consumer = try await kit.makeConsumer(group: TestNames.unique("keyed"), topic: topic)
        let messages = try await consumer.collect(1000)
        await consumer.close()
        var valuesOfKey: [String: [Int]] = [:]
        for message in messages { valuesOfKey[message.keyString!, default: []].append(Int(message.valueString)!) }
        for (key, values) in valuesOfKey {
            #expect(values == values.sorted(), "records of \(key) out of order")
        }
        #expect(messages.count == 1000)
    }

    @Test("Idempotent acks=all produce: 10,000 records, 0 errors, 0 duplicates, 0 gaps")
    func idempotentProduce() async throws {
        let kit = try await KafkaTestKit.make("idempotent")
        let topic = try await kit.createTopic(partitions: 3)
        let producer = try await kit.makeProducer("idempotent-producer")
        #expect(producer.configuration.idempotent)
        let reports = try await kit.produce(topic, count: 10_000, keys: 100, producer: producer)
        #expect(reports.allSatisfy { $0.isDelivered })
        // Offsets per partition are exactly 0..<n: nothing written twice, nothing skipped.
        let byPartition = Dictionary(grouping: reports, by: \.topicPartition.partition)
        for (partition, partitionReports) in byPartition {
            let offsets = partitionReports.compactMap(\.offset).sorted()
            #expect(offsets == Array(0..<Int64(offsets.count)), "partition \(partition)")
        }
        let consumer = try await kit.makeConsumer(group: TestNames.unique("idempotent"), topic: topic)
        let values = try await consumer.collect(10_000).map(\.valueString)
        let extra = try await consumer.drain(for: .milliseconds(500))
        await consumer.close()
        #expect(Set(values).count == 10_000)
        #expect(extra.isEmpty)
        await producer.close()
    }

    @Test("Headers and null keys travel unchanged")
    func headersRoundTrip() async throws {
        let kit = try await KafkaTestKit.make("headers")
        let topic = try await kit.createTopic(partitions: 1)
        let producer = try await kit.makeProducer()
        let headers = [
            KafkaHeader(key: "event-type", string: "OrderPlaced"), KafkaHeader(key: "schema-version", string: "2"),
            KafkaHeader(key: "traceparent", string: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
            KafkaHeader(key: "empty", value: nil),
        ]
        let report = try await producer.send(KafkaProducerMessage(topic: topic, key: nil, value: Array("hello".utf8), headers: headers))
        #expect(report.offset == 0)
        await producer.close()
        let consumer = try await kit.makeConsumer(group: TestNames.unique("headers"), topic: topic)
        let message = try #require(try await consumer.collect(1).first)
        await consumer.close()
        #expect(message.key == nil)
        #expect(message.valueString == "hello")
        #expect(message.headers == headers)
        #expect(message.timestampMilliseconds != nil)
    }

    @Test("send to a topic that does not exist fails with a clear error instead of hanging")
    func sendToMissingTopicFails() async throws {
        let kit = try await KafkaTestKit.make("missing-topic")
        var configuration = KafkaProducerConfiguration(common: try await TestBroker.configuration(clientID: "missing-topic"))
        configuration.deliveryTimeout = .seconds(5)
        configuration.common.overrides["allow.auto.create.topics"] = "false"
        let producer = try KafkaProducer.make(configuration: configuration, logger: TestLogging.logger("missing-topic"))
        _ = kit
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: TestNames.unique("absent"), key: "k", value: "v"))
        }
        #expect(error?.message.isEmpty == false)
        await producer.close()
    }
}
