import Contract
import Foundation
import GRDB
import Kafka
import Logging
import Orders
import Outbox
import ServiceRuntime

/// One side-by-side measurement each: our binding, and `rdkafka_performance` with the same
/// producer settings (idempotent, acks=all, linger 5 ms, no compression, one partition).
struct BenchRunner {
    let configuration: KafkaConfiguration
    let messages: Int
    let size: Int
    let tool: String
    let logger: Logger

    static let producerProperties = ["enable.idempotence=true", "acks=all", "linger.ms=5", "compression.codec=none"]

    func freshTopic() async throws -> String {
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
        let name = "bench-\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.createTopic(NewTopic(name: name, partitions: 1))
        for _ in 0..<100 {
            if try await admin.metadata(topic: name).topic(name)?.partitions.first?.leader ?? -1 >= 0 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        return name
    }

    /// Enqueue everything, then wait for the last delivery report: first enqueue → last report.
    func oursProduce(topic: String) async throws -> Double {
        var common = configuration
        common.statisticsInterval = nil
        let producer = try KafkaProducer.make(
            configuration: KafkaProducerConfiguration(common: common, linger: .milliseconds(5), compression: "none"), logger: logger)
        let payload = [UInt8](repeating: UInt8(ascii: "x"), count: size)
        let clock = ContinuousClock()
        let start = clock.now
        let reports = Task {
            var delivered = 0
            for await report in producer.deliveryReports {
                if let error = report.error { throw error }
                delivered += 1
                if delivered == messages { break }
            }
            return clock.now
        }
        // The batched path, as the outbox relay uses it: 1,000 records per call.
        let message = KafkaProducerMessage(topic: topic, partition: 0, key: nil, value: payload)
        for _ in 0..<(messages / 1000) { try await producer.enqueue(contentsOf: repeatElement(message, count: 1000)) }
        for _ in 0..<(messages % 1000) { try await producer.enqueue(message) }
        let end = try await reports.value
        await producer.close()
        return Double(messages) / (end - start).seconds
    }

    /// First record received → last record received, reading the partition from the beginning.
    func oursConsume(topic: String) async throws -> Double {
        var common = configuration
        common.statisticsInterval = nil
        let consumer = try KafkaConsumer.make(
            configuration: KafkaConsumerConfiguration(common: common, groupID: "bench-\(UUID().uuidString.prefix(6))"), logger: logger)
        try consumer.assign([TopicPartitionOffset(TopicPartition(topic, 0), .beginning)])
        var received = 0
        var start: ContinuousClock.Instant?
        while received < messages {
            guard let batch = try await consumer.nextBatch(maxMessages: 10_000, maxWait: .milliseconds(1), idleTimeout: .seconds(30)) else {
                break
            }
            if batch.messages.isEmpty { throw BenchError("no records for 30 s after \(received)") }
            if start == nil { start = .now }
            received += batch.messages.count
        }
        let elapsed = ContinuousClock.now - start!
        await consumer.close()
        return Double(received) / elapsed.seconds
    }

    /// The orders pipeline at full speed: simulator → SQLite (state + outbox, one transaction per
    /// event) → relay → Kafka, until every event is acknowledged and marked sent. Events per second.
    func ordersPipeline(topic: String, orders: Int) async throws -> Double {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bench-orders-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // The service itself, built in-process as its executable builds it.
        let launch = ServiceLaunch(
            service: "orders", brokers: configuration.bootstrapServers.joined(separator: ","), dataDir: directory.path, topic: topic,
            httpPort: 0,
            orders: .init(rate: 100_000, speed: 1_000_000, maxOrders: orders, output: "quiet", exitWhenPublished: true, steps: "simulated"))
        let service = try OrdersService.build(try OrdersServiceOptions.parse(launch.arguments), logger: logger)
        let start = ContinuousClock.now
        try await service.run()
        let elapsed = ContinuousClock.now - start
        let events = try await service.database.writer.read {
            try OutboxRecord.filter(OutboxRecord.Columns.topic == Topics.orderEvents).fetchCount($0)
        }
        return Double(events) / elapsed.seconds
    }

    func theirsProduce(topic: String) async throws -> Double {
        var arguments = ["-P", "-t", topic, "-p", "0", "-s", String(size), "-c", String(messages)]
        for property in Self.producerProperties { arguments += ["-X", property] }
        return try runTool(arguments, pattern: /messages produced .* in \d+ms: (\d+) msgs\/s/)
    }

    func theirsConsume(topic: String) async throws -> Double {
        try runTool(["-C", "-t", topic, "-p", "0", "-o", "beginning", "-c", String(messages)], pattern: /consumed in \d+ms: (\d+) msgs\/s/)
    }

    private func runTool(_ arguments: [String], pattern: Regex<(Substring, Substring)>) throws -> Double {
        try MeasuringTool(name: "rdkafka_performance", executable: tool).rate(
            arguments + ["-b", configuration.bootstrapServers.joined(separator: ",")], pattern: pattern)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
