import AnalyticsProjection
import Contract
import DeliveryProjection
import Foundation
import GRDB
import Kafka
import Logging
import OrderEvents
import Projection
import RestaurantsProjection
import SupportProjection
import Synchronization

/// The consumer side's measurements, each on the same events in one run: raw consume with our
/// binding, decoding alone on every core, a projection's fold and writes alone, the projection
/// runtime catching up (decode + dedupe + fold + write + offsets in the same transaction),
/// end-to-end latency at a steady rate, and a full rebuild.
struct ProjectionBench {
    let configuration: KafkaConfiguration
    let logger: Logger
    let directory: URL

    static let projections: [any Projection] = [
        RestaurantsProjection(), DeliveryProjection(), SupportProjection(), AnalyticsProjection(),
    ]

    struct FilledTopic {
        var topic: String
        var ends: [Int32: Int64]
        var events: Int { Int(ends.values.reduce(0, +)) }
    }

    /// A fresh 6-partition topic holding at least `events` order events (whole orders, keyed by order id).
    func fill(events: Int) async throws -> FilledTopic {
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
        let topic = "bench-events-\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.createTopic(NewTopic(name: topic, partitions: 6))
        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: quiet), logger: logger)
        let stream = SyntheticOrderStream(prefix: "ord-\(topic.suffix(8))", start: Date())
        var ends: [Int32: Int64] = [:]
        let reports = Task {
            var ends: [Int32: Int64] = [:]
            var delivered = 0
            for await report in producer.deliveryReports {
                if let error = report.error { throw error }
                if let offset = report.offset {
                    let partition = report.topicPartition.partition
                    ends[partition] = max(ends[partition] ?? 0, offset + 1)
                }
                delivered += 1
                if delivered == events { break }
            }
            return ends
        }
        var produced = 0
        var index = 0
        while produced < events {
            var chunk: [KafkaProducerMessage] = []
            while chunk.count < 5_000 && produced + chunk.count < events {
                for event in stream.events(ofOrder: index) where produced + chunk.count < events {
                    chunk.append(KafkaProducerMessage(topic: topic, key: Array(event.orderID.utf8), value: OrderEventCodec.encode(event)))
                }
                index += 1
            }
            try await producer.enqueue(contentsOf: chunk)
            produced += chunk.count
        }
        ends = try await reports.value
        try await producer.flush()
        await producer.close()
        return FilledTopic(topic: topic, ends: ends)
    }

    /// Our binding reading every partition from the beginning to its end: events/s (timed like
    /// the catch-up: from learning the partition leaders to the last record).
    func rawConsume(_ filled: FilledTopic) async throws -> Double {
        var received = 0
        let elapsed = try await readAll(filled, group: "bench-raw") { received += $0.count }
        return Double(received) / elapsed.seconds
    }

    /// Every record of the topic, from the beginning, batch by batch into `each`. Returns the time
    /// from learning the partition leaders to the last record.
    @discardableResult
    private func readAll(_ filled: FilledTopic, group: String, _ each: ([KafkaConsumerMessage]) async throws -> Void) async throws
        -> Duration
    {
        let consumer = try KafkaConsumer.make(
            configuration: KafkaConsumerConfiguration(common: quiet, groupID: "\(group)-\(UUID().uuidString.prefix(6))"), logger: logger)
        let start = ContinuousClock.now
        try await consumer.loadMetadata(topic: filled.topic)
        try consumer.assign(filled.ends.keys.map { TopicPartitionOffset(TopicPartition(filled.topic, $0), .beginning) })
        var received = 0
        while received < filled.events {
            guard let batch = try await consumer.nextBatch(maxMessages: 5_000, maxWait: .milliseconds(1), idleTimeout: .seconds(30)) else {
                break
            }
            if batch.messages.isEmpty { throw BenchError("\(group): nothing for 30 s after \(received) records") }
            received += batch.messages.count
            try await each(batch.messages)
        }
        let elapsed = ContinuousClock.now - start
        await consumer.close()
        return elapsed
    }

    /// The topic's events decoded (read untimed; the decoding alone timed, on one core), for the
    /// SQLite-only measurement; and its records, for `decodeOnAllCores`.
    func decodedEvents(_ filled: FilledTopic) async throws -> (
        events: [(OrderEvent, EventPosition)], decodeRate: Double, records: [KafkaConsumerMessage]
    ) {
        var messages: [KafkaConsumerMessage] = []
        try await readAll(filled, group: "bench-read") { messages += $0 }
        let start = ContinuousClock.now
        let events = try Self.decode(messages)
        return (events, Double(events.count) / (ContinuousClock.now - start).seconds, messages)
    }

    /// Decoding alone, on every core as the runtime decodes (`BatchDecoder`, 5,000-record
    /// batches), of records already read: events/s. Reading and decoding are the work no
    /// projection design can skip, so this and raw consume bound every catch-up.
    func decodeOnAllCores(_ records: [KafkaConsumerMessage]) async -> Double {
        let start = ContinuousClock.now
        var decoded = 0
        for first in stride(from: 0, to: records.count, by: 5_000) {
            decoded += await BatchDecoder.decode(Array(records[first..<min(first + 5_000, records.count)])).count
        }
        return Double(decoded) / (ContinuousClock.now - start).seconds
    }

    /// Reading every record from the beginning and decoding it on every core, batch by batch:
    /// seconds. What bounds a rebuild of the topic.
    func readAndDecodeSeconds(_ filled: FilledTopic) async throws -> Double {
        try await readAll(filled, group: "bench-read-decode") { _ = await BatchDecoder.decode($0) }.seconds
    }

    /// Strictly, as the runtime does: a record that does not decode stops the benchmark.
    private static func decode(_ messages: [KafkaConsumerMessage]) throws -> [(OrderEvent, EventPosition)] {
        try messages.map { message in
            (try OrderEventCodec.decode(message.value), EventPosition(partition: message.topicPartition.partition, offset: message.offset))
        }
    }

    /// Only the projection's own fold and writes, 2,000 events per transaction, with nothing else
    /// (no decoding, no dedupe, no offsets). Events/s.
    func rawSQLite(_ projection: any Projection, _ events: [(OrderEvent, EventPosition)]) async throws -> Double {
        let database = try ProjectionDatabase(path: freshPath(projection.name + "-raw"), projection: projection)
        return Double(events.count) / (try await foldAndWriteOnly(projection, events[...], into: database)).seconds
    }

    /// Folds and writes `events` with the projection's fold alone, 2,000 per transaction. Returns the time it took.
    private func foldAndWriteOnly(
        _ projection: any Projection, _ events: ArraySlice<(OrderEvent, EventPosition)>, into database: ProjectionDatabase
    ) async throws -> Duration {
        let start = ContinuousClock.now
        var index = events.startIndex
        while index < events.endIndex {
            let batch = events[index..<min(index + 2_000, events.endIndex)]
            try await database.writer.write { db in
                var fold = projection.makeFold()
                try fold.load(orders: Array(Set(batch.map(\.0.orderID))), from: db)
                for (event, position) in batch { try fold.fold(event, at: position) }
                try fold.write(to: db)
            }
            index = batch.endIndex
        }
        return ContinuousClock.now - start
    }

    /// The runtime rebuilding the projection from the topic (the replay path: assign, decode,
    /// dedupe, upsert, offsets in the same transaction). Seconds, events/s, and the shares of
    /// that time its SQLite writer spent writing and spent waiting for the next decoded batch.
    func catchUp(_ projection: any Projection, _ filled: FilledTopic) async throws -> (
        seconds: Double, rate: Double, writing: Double, waiting: Double
    ) {
        let database = try ProjectionDatabase(path: freshPath(projection.name + "-catch-up"), projection: projection)
        let rebuild = try ProjectionRebuild(database: database, kafka: quiet, topic: filled.topic, midLog: false, logger: logger)
        let start = ContinuousClock.now
        try await rebuild.run(from: [:], to: filled.ends)
        let seconds = (ContinuousClock.now - start).seconds
        await rebuild.close()
        guard rebuild.current.applied == filled.events else {
            throw BenchError("\(projection.name) applied \(rebuild.current.applied) of \(filled.events) events")
        }
        let progress = rebuild.current
        return (seconds, Double(filled.events) / seconds, progress.writingSeconds / seconds, progress.waitingSeconds / seconds)
    }

    /// Produce → projection commit, at a steady `rate` events/s for `seconds`, through a real
    /// group member (`ProjectionRunner`): latencies in milliseconds, sorted.
    func latency(_ projection: any Projection, rate: Int, seconds: Int) async throws -> [Double] {
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
        let topic = "bench-latency-\(UUID().uuidString.prefix(8).lowercased())"
        try await admin.createTopic(NewTopic(name: topic, partitions: 6))
        _ = try await admin.ensureTopic(NewTopic(name: Topics.deadLetters(of: topic), partitions: 1))
        let samples = Mutex<[Double]>([])
        let database = try ProjectionDatabase(path: freshPath(projection.name + "-latency"), projection: projection)
        let group = "bench-latency-\(UUID().uuidString.prefix(6))"
        let deadLetters = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: quiet), logger: logger)
        // The runner's join, assignment and shutdown lines are not part of the report.
        var runnerLogger = logger
        runnerLogger.logLevel = max(logger.logLevel, .warning)
        let runner = try ProjectionRunner(
            database: database, consumer: KafkaConsumerConfiguration.localBroker(common: quiet, groupID: group), topic: topic,
            deadLetters: deadLetters, logger: runnerLogger
        ) { events in
            let now = Date()
            samples.withLock { $0 += events.map { now.timeIntervalSince($0.occurredAt) * 1000 } }
        }
        let running = Task { try await runner.run() }
        while runner.assignment.count < 6 { try await Task.sleep(for: .milliseconds(50)) }
        try await Task.sleep(for: .milliseconds(500))

        let start = ContinuousClock.now
        let sent = try await produceSteadily(to: topic, rate: rate, seconds: seconds)
        while samples.withLock({ $0.count }) < sent && ContinuousClock.now - start < .seconds(seconds + 30) {
            try await Task.sleep(for: .milliseconds(20))
        }
        running.cancel()
        _ = await running.result
        await deadLetters.close()
        // The first second is warm-up (connections, first fetches).
        return Array(samples.withLock { $0 }.dropFirst(rate)).sorted()
    }

    /// Produces whole orders' events to `topic` at a steady `rate` events/s for `seconds`, each
    /// stamped with its send time. Returns how many were sent.
    func produceSteadily(to topic: String, rate: Int, seconds: Int) async throws -> Int {
        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: quiet), logger: logger)
        let stream = SyntheticOrderStream(prefix: "ord-\(UUID().uuidString.prefix(8).lowercased())", start: Date())
        let start = ContinuousClock.now
        var sent = 0
        var pending: [OrderEvent] = []
        var order = 0
        while ContinuousClock.now - start < .seconds(seconds) {
            let due = Int((ContinuousClock.now - start).seconds * Double(rate))
            while sent < due {
                if pending.isEmpty {
                    pending = stream.events(ofOrder: order).reversed()
                    order += 1
                }
                var event = pending.removeLast()
                event.occurredAt = Date()
                try await producer.enqueue(
                    KafkaProducerMessage(topic: topic, key: Array(event.orderID.utf8), value: OrderEventCodec.encode(event)))
                sent += 1
            }
            try await Task.sleep(for: .milliseconds(1))
        }
        try await producer.flush()
        await producer.close()
        return sent
    }

    /// The Python peer (`bench/peer_projection.py`: confluent-kafka + json + sqlite3, support's
    /// tables, batches with their offsets in one transaction) on the same events: events/s.
    func pythonPeer(python: String, _ filled: FilledTopic) throws -> Double {
        let ends = filled.ends.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try MeasuringTool(name: "the Python peer", executable: python).rate(
            ["bench/peer_projection.py", configuration.bootstrapServers.joined(separator: ","), filled.topic, ends, try freshPath("peer")],
            pattern: /: (\d+) events\/s/)
    }

    private var quiet: KafkaConfiguration {
        var common = configuration
        common.statisticsInterval = nil
        return common
    }

    private func freshPath(_ name: String) throws -> String {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("\(name)-\(UUID().uuidString.prefix(6)).sqlite").path
    }
}
