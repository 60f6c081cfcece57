import Foundation
public import Logging

extension KafkaConsumer {
    /// Runs `body` with a consumer outside any consumer group (a group id of its own, which it
    /// never joins: it reads partitions it is `assign`ed, commits nothing, and reports the end of
    /// each partition), and closes it afterwards, whether `body` returns or throws. For short
    /// looks at the log: a record's timestamp, a partition's log end.
    public static func withStandalone<T: Sendable>(
        configuration: KafkaConfiguration, logger: Logger, adjust: (inout KafkaConsumerConfiguration) -> Void = { _ in },
        _ body: (KafkaConsumer) async throws -> T
    ) async throws -> T {
        var settings = KafkaConsumerConfiguration(common: configuration, groupID: "standalone-\(UUID().uuidString.lowercased())")
        settings.partitionEOF = true
        adjust(&settings)
        let consumer = try KafkaConsumer.make(configuration: settings, logger: logger)
        do {
            let result = try await body(consumer)
            await consumer.close()
            return result
        } catch {
            await consumer.close()
            throw error
        }
    }
}

extension KafkaConsumer {
    /// Every record of `topic` from the beginning of each partition to its end as the first fetch
    /// finds it (each partition's end-of-partition event), read outside any group: for tools that
    /// look at a whole topic after the fact (a scenario's verdict, a benchmark's report).
    public static func readToEnd(
        topic: String, configuration: KafkaConfiguration, logger: Logger, timeout: Duration = .seconds(60)
    ) async throws -> [KafkaConsumerMessage] {
        try await withStandalone(configuration: configuration, logger: logger) { consumer in
            try await consumer.readToEnd(topic: topic, from: .beginning, timeout: timeout)
        }
    }

    /// How many partitions `topic` has (0: no such topic).
    public func partitionCount(of topic: String) async throws(KafkaError) -> Int {
        let metadata = try await client.metadata(topic: topic, timeout: .seconds(10)).topic(topic)
        return metadata?.error == nil ? metadata?.partitions.count ?? 0 : 0
    }

    /// Assigns every partition of `topic` at `start` (e.g. `.committed`: where this consumer's
    /// group left off) and reads each to its end as the first fetch finds it. The consumer must
    /// report the end of each partition (`partitionEOF`).
    public func readToEnd(topic: String, from start: KafkaOffset, timeout: Duration = .seconds(60)) async throws
        -> [KafkaConsumerMessage]
    {
        let partitions = try await partitionCount(of: topic)
        return try await readToEnd((0..<partitions).map { TopicPartition(topic, Int32($0)) }, from: start, timeout: timeout)
    }

    /// Assigns `partitions` at `start` and reads each to its end as the first fetch finds it (a
    /// `read_committed` consumer: to the last stable offset). The consumer must report the end of
    /// each partition (`partitionEOF`). `timeout` bounds a wait without any record, not the whole
    /// read: a long log takes as long as it takes.
    public func readToEnd(_ partitions: [TopicPartition], from start: KafkaOffset, timeout: Duration = .seconds(60)) async throws
        -> [KafkaConsumerMessage]
    {
        try assign(partitions.map { TopicPartitionOffset($0, start) })
        var records: [KafkaConsumerMessage] = []
        var ended: Set<TopicPartition> = []
        var deadline = ContinuousClock.now + timeout
        while ended.count < partitions.count {
            guard ContinuousClock.now < deadline else {
                let left = Set(partitions).subtracting(ended).sorted().map(\.description).joined(separator: ", ")
                throw KafkaError(.timeout, "\(left) not read to their end: no record for \(timeout)")
            }
            guard let batch = try await nextBatch(maxMessages: 5_000, idleTimeout: .milliseconds(200)) else { continue }
            if !batch.messages.isEmpty { deadline = ContinuousClock.now + timeout }
            records += batch.messages
            ended.formUnion(batch.endOfPartition.map(\.topicPartition))
        }
        return records
    }
}
