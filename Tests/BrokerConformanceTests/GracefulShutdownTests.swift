import Kafka
import ServiceLifecycle
import ServiceLifecycleTestKit
import TestSupport
import Testing

/// Producer and consumer as swift-service-lifecycle `Service`s: a graceful shutdown drains.
@Suite("Graceful shutdown", .timeLimit(.minutes(2)))
struct GracefulShutdownTests {
    @Test("Graceful shutdown flushes the producer: every queued record gets its delivery report")
    func producerFlushesOnShutdown() async throws {
        let kit = try await KafkaTestKit.make("shutdown-producer")
        let topic = try await kit.createTopic(partitions: 2)
        let producer = try await kit.makeProducer("shutdown-producer")
        let ids = try await producer.enqueue(
            contentsOf: (0..<2_000).map {
                KafkaProducerMessage(topic: topic, key: "key-\($0 % 10)", value: String($0))
            })
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await producer.run() }
                trigger.triggerGracefulShutdown()
                try await group.waitForAll()
            }
        }
        var delivered: Set<UInt64> = []
        for await report in producer.deliveryReports {
            #expect(report.isDelivered)
            delivered.insert(report.messageID)
        }
        #expect(delivered == Set(ids), "the report stream ends after close, with every record in it")
        await #expect(throws: KafkaError.self) { try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "late")) }
    }

    @Test("Graceful shutdown closes the consumer: it leaves the group and its batches end")
    func consumerClosesOnShutdown() async throws {
        let kit = try await KafkaTestKit.make("shutdown-consumer")
        let topic = try await kit.createTopic(partitions: 2)
        let listener = StoredOffsets([:])
        let consumer = try await kit.makeConsumer(group: TestNames.unique("shutdown"), topic: topic, listener: listener)
        _ = try await consumer.pollUntilAssignment("both partitions") { $0.count == 2 }
        try await testGracefulShutdown { trigger in
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var batches = 0
                    for try await _ in consumer.batches() { batches += 1 }
                    return batches  // the loop ends because the consumer closed
                }
                group.addTask {
                    try await consumer.run()
                    return 0
                }
                trigger.triggerGracefulShutdown()
                for try await _ in group {}
            }
        }
        #expect(consumer.isClosed)
        #expect(consumer.assignment.isEmpty)
        #expect(listener.revokedCalls.withLock { $0 } >= 1, "the final revoke ran through the listener")
        #expect(try await consumer.nextBatch() == nil)
    }
}
