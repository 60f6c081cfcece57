import Foundation
public import Logging

/// "Which offset was the log at, at time T?" — per partition, the earliest offset whose record
/// timestamp is at or after T (Kafka's ListOffsets-by-time contract).
///
/// The broker's answer is asked first and then checked against the records themselves (the record
/// before it must be older than T, the record at it not older). Where the check fails — the local
/// Tansu broker answers at batch granularity, and 0 after the last record — the offset is found by
/// reading the records' own timestamps instead. The result says which way was used.
public struct TimestampOffsetLookup: Sendable {
    public enum Method: String, Sendable, Codable {
        /// The broker's time index answered, and the records agree.
        case brokerVerified = "broker-offsets-for-times"
        /// The broker's answer was wrong; the records' timestamps were scanned.
        case recordScan = "record-timestamp-scan"
    }

    public struct Answer: Sendable, Equatable, Codable {
        /// nil: no record at or after the time (start at the log end).
        public var offset: Int64?
        public var method: Method
        /// Records read to verify or find the offset.
        public var recordsRead: Int
    }

    public let configuration: KafkaConfiguration
    public let logger: Logger

    public init(configuration: KafkaConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func offsets(topic: String, partitions: [Int32], atOrAfter milliseconds: Int64, admin: KafkaAdmin) async throws -> [Int32:
        Answer]
    {
        let brokerAnswers = try await admin.offsetsForTimes(partitions.map { TopicPartition(topic, $0) }, milliseconds: milliseconds)
        var answers: [Int32: Answer] = [:]
        for partition in partitions {
            let tp = TopicPartition(topic, partition)
            guard let claimed = brokerAnswers[tp] ?? nil else {
                // Kafka's "no record that late". Not verified: it would take reading the whole log.
                answers[partition] = Answer(offset: nil, method: .brokerVerified, recordsRead: 0)
                continue
            }
            let low = try await admin.queryWatermarks(tp).low
            let from = max(claimed - 1, max(low, 0))
            var scan = try await firstRecord(in: tp, from: from, atOrAfter: milliseconds)
            if scan.offset == claimed {
                answers[partition] = Answer(offset: claimed, method: .brokerVerified, recordsRead: scan.read)
                continue
            }
            if scan.offset == from && from < claimed && from > max(low, 0) {
                // Even the record before the answer is new enough: the answer was too late.
                let read = scan.read
                scan = try await firstRecord(in: tp, from: max(low, 0), atOrAfter: milliseconds)
                scan.read += read
            }
            logger.info(
                "offsetsForTimes(\(milliseconds)) on \(tp) answered \(claimed); the records say \(scan.offset.map(String.init) ?? "log end")"
            )
            answers[partition] = Answer(offset: scan.offset, method: .recordScan, recordsRead: scan.read)
        }
        return answers
    }

    /// Reads `partition` from `from` until a record at or after `milliseconds`, or the log end.
    private func firstRecord(in partition: TopicPartition, from: Int64, atOrAfter milliseconds: Int64) async throws -> (
        offset: Int64?, read: Int
    ) {
        try await KafkaConsumer.withStandalone(configuration: configuration, logger: logger) { consumer in
            try await consumer.loadMetadata(topic: partition.topic)
            try consumer.assign([TopicPartitionOffset(partition, KafkaOffset(from))])
            var read = 0
            while let batch = try await consumer.nextBatch(maxMessages: 1_000, maxWait: .milliseconds(20), idleTimeout: .seconds(10)) {
                for message in batch.messages {
                    read += 1
                    if (message.timestampMilliseconds ?? .min) >= milliseconds { return (message.offset, read) }
                }
                if let error = batch.errors.first { throw error }
                if !batch.endOfPartition.isEmpty || batch.isEmpty { break }
            }
            return (nil, read)
        }
    }
}
