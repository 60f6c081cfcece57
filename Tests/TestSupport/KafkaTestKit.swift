import Foundation
public import Kafka
import LocalBroker
import Logging

/// Small building blocks for tests that talk to the real broker.
public struct KafkaTestKit: Sendable {
    public let connection: TestBroker.Connection
    public let admin: KafkaAdmin

    public static func make(_ name: String = "test", connection: TestBroker.Connection? = nil) async throws -> KafkaTestKit {
        let connection = if let connection { connection } else { try await TestBroker.connection() }
        var configuration = connection.configuration
        configuration.clientID = "\(name)-admin"
        let admin = try KafkaAdmin.make(configuration: configuration, logger: TestLogging.logger("admin"))
        return KafkaTestKit(connection: connection, admin: admin)
    }

    /// Runs `body` against a local broker of the test's own, which it may freeze (SIGSTOP to the
    /// pid it is given) without disturbing other tests; the broker is stopped afterwards.
    public static func withDedicatedBroker<T: Sendable>(_ name: String, _ body: (KafkaTestKit, _ brokerPID: Int32) async throws -> T)
        async throws -> T
    {
        let broker = try await LocalBroker.start(logger: TestLogging.logger("\(name)-broker"))
        do {
            guard let pid = broker.brokerPID else { throw TestTimeout(description: "the dedicated broker \(name) has no process id") }
            let result = try await body(try await make(name, connection: .init(dedicated: broker)), pid)
            await broker.stop()
            return result
        } catch {
            await broker.stop()
            throw error
        }
    }

    /// This kit's cluster, with a client id.
    public func configuration(clientID: String) -> KafkaConfiguration {
        var configuration = connection.configuration
        configuration.clientID = clientID
        configuration.statisticsInterval = .seconds(1)
        return configuration
    }

    public var kind: TestBroker.Kind { connection.kind }

    /// Creates a fresh topic and waits until its metadata shows every partition with a leader.
    public func createTopic(_ prefix: String = "topic", partitions: Int = 6, configs: [String: String] = [:]) async throws -> String {
        let name = TestNames.unique(prefix)
        try await admin.createTopic(NewTopic(name: name, partitions: partitions, configs: configs))
        try await eventually("topic \(name) has \(partitions) partitions with leaders", timeout: .seconds(20)) {
            let topic = try await admin.metadata(topic: name).topic(name)
            return topic?.error == nil && topic?.partitions.count == partitions && topic!.partitions.allSatisfy { $0.leader >= 0 }
        }
        return name
    }

    public func makeProducer(_ clientID: String = "test-producer") async throws -> KafkaProducer {
        try KafkaProducer.make(
            configuration: KafkaProducerConfiguration(common: configuration(clientID: clientID)),
            logger: TestLogging.logger(clientID)
        )
    }

    /// A group consumer with the local-broker client settings (docs/LOCAL-BROKER.md).
    public func makeConsumer(
        group: String, topic: String?, listener: (any KafkaRebalanceListener)? = nil, clientID: String = "test-consumer",
        configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }
    ) async throws -> KafkaConsumer {
        var configuration = KafkaConsumerConfiguration.localBroker(common: self.configuration(clientID: clientID), groupID: group)
        configuration.autoOffsetReset = .earliest
        configure(&configuration)
        let consumer = try KafkaConsumer.make(
            configuration: configuration, rebalanceListener: listener, logger: TestLogging.logger(clientID))
        if let topic { try consumer.subscribe([topic]) }
        return consumer
    }

    /// Every record of `topic`, read from the beginning of each partition until nothing new
    /// arrives for `idle`.
    public func readAll(_ topic: String, partitions: Int, idle: Duration = .seconds(2), timeout: Duration = .seconds(60)) async throws
        -> [KafkaConsumerMessage]
    {
        let consumer = try await makeConsumer(group: TestNames.unique("reader"), topic: nil, clientID: "reader")
        try consumer.assign((0..<partitions).map { TopicPartitionOffset(TopicPartition(topic, Int32($0)), .beginning) })
        var messages: [KafkaConsumerMessage] = []
        var lastNew = ContinuousClock.now
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now - lastNew < idle && ContinuousClock.now < deadline {
            guard let batch = try await consumer.nextBatch(maxMessages: 5_000, maxWait: .milliseconds(20), idleTimeout: .milliseconds(200))
            else { break }
            if !batch.messages.isEmpty { lastNew = .now }
            messages += batch.messages
        }
        await consumer.close()
        return messages
    }

    /// Sends `count` records keyed `key-<i % keys>` with value `<i>`, awaiting every report.
    @discardableResult
    public func produce(_ topic: String, count: Int, keys: Int = 20, startingAt first: Int = 0, producer: KafkaProducer? = nil) async throws
        -> [DeliveryReport]
    {
        let producer = if let producer { producer } else { try await makeProducer() }
        var ids: [UInt64] = []
        for index in first..<(first + count) {
            ids.append(try await producer.enqueue(KafkaProducerMessage(topic: topic, key: "key-\(index % keys)", value: String(index))))
        }
        var reports: [UInt64: DeliveryReport] = [:]
        var iterator = producer.deliveryReports.makeAsyncIterator()
        while reports.count < ids.count, let report = await iterator.next() { reports[report.messageID] = report }
        for report in reports.values { if let error = report.error { throw error } }
        return ids.compactMap { reports[$0] }
    }
}

/// Polls `condition` until it holds, failing with `what` after `timeout`.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(100),
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: interval)
    }
    throw TestTimeout(description: "timed out after \(timeout) waiting until \(what)")
}

/// Polls every consumer in turn (each serves its own rebalance callbacks only while it polls)
/// until `condition` holds.
public func pollTogether(
    _ consumers: [KafkaConsumer], until what: String, timeout: Duration = .seconds(40), _ condition: () async throws -> Bool
) async throws {
    try await eventually(what, timeout: timeout) {
        for consumer in consumers { _ = try await consumer.nextBatch(idleTimeout: .milliseconds(50)) }
        return try await condition()
    }
}

public struct TestTimeout: Error, CustomStringConvertible {
    public let description: String
}

extension KafkaConsumer {
    /// Reads until `count` records arrived (or `timeout`), storing nothing.
    public func collect(_ count: Int, timeout: Duration = .seconds(30), commit: Bool = false) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + timeout
        while messages.count < count {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(description: "received \(messages.count) of \(count) records within \(timeout)")
            }
            guard let batch = try await nextBatch(maxMessages: 1000, maxWait: .milliseconds(50), idleTimeout: .milliseconds(200)) else {
                break
            }
            messages += batch.messages
            if commit { try await self.commit(batch.nextOffsets) }
        }
        return messages
    }

    /// Reads for `duration` and returns whatever arrived.
    public func drain(for duration: Duration, commit: Bool = false) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            guard let batch = try await nextBatch(maxMessages: 1000, maxWait: .milliseconds(50), idleTimeout: .milliseconds(200)) else {
                break
            }
            messages += batch.messages
            if commit { try await self.commit(batch.nextOffsets) }
        }
        return messages
    }

    /// Polls (serving rebalances) until the assignment satisfies `condition`.
    public func pollUntilAssignment(
        _ what: String, timeout: Duration = .seconds(30), _ condition: ([TopicPartition]) -> Bool
    ) async throws -> [KafkaConsumerMessage] {
        var messages: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + timeout
        while !condition(assignment) {
            guard ContinuousClock.now < deadline else {
                throw TestTimeout(description: "assignment \(assignment) never satisfied \(what) within \(timeout)")
            }
            guard let batch = try await nextBatch(maxMessages: 1000, maxWait: .milliseconds(20), idleTimeout: .milliseconds(100)) else {
                break
            }
            messages += batch.messages
        }
        return messages
    }
}
