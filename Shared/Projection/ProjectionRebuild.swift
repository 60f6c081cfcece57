import Foundation
public import Kafka
public import Logging
import OrderEvents
public import ServiceAPI
import Synchronization

/// Rebuilds a read model from the log into a database of its own: reads each partition from a
/// start offset up to a target offset (exclusive). It reads by assignment, not as a group member,
/// so the live group never notices.
///
/// A rebuild loads rather than upserts: it folds consumer batch after consumer batch in memory
/// (deduplicated exactly as the live runner's), and writes the rows only when the fold holds
/// `foldBudget` orders or the log is read up to the targets: each row once per flush, in key
/// order, with the offsets read so far, in one transaction. Into an empty read model, the
/// secondary indexes are dropped first and created again once the load is done (a rebuild that
/// fails leaves a database to discard, as the replay does with its shadow).
///
/// Records that cannot be decoded or applied are skipped and counted, not dead-lettered again:
/// the live projection already dead-lettered them when it met them.
public final class ProjectionRebuild: Sendable {
    public let database: ProjectionDatabase
    public let topic: String
    private let consumer: KafkaConsumer
    private let sequenceCheck: ProjectionDatabase.SequenceCheck
    private let progress = Mutex(Progress())
    private let foldBudget: Int

    public typealias Progress = RebuildProgress

    /// `midLog`: the rebuild starts after the log's beginning, so orders may be met mid-life.
    /// `foldBudget`: how many orders a fold holds before it is written (its memory grows with them).
    public init(
        database: ProjectionDatabase, kafka: KafkaConfiguration, topic: String, midLog: Bool, foldBudget: Int = 100_000, logger: Logger
    ) throws {
        self.database = database
        self.foldBudget = foldBudget
        self.topic = topic
        sequenceCheck = midLog ? .acceptFirstSeen : .strict
        var settings = KafkaConsumerConfiguration(
            common: kafka, groupID: "\(database.projection.name)-rebuild-\(UUID().uuidString.lowercased())")
        settings.partitionEOF = true
        settings.boundPrefetchForProjection()
        consumer = try KafkaConsumer.make(configuration: settings, logger: logger)
    }

    public var current: Progress { progress.withLock { $0 } }

    /// Reads every partition in `targets` from its start (`.beginning` when missing from `starts`)
    /// until its next offset reaches the target. Returns when all have. Call again with later
    /// targets to read on: partitions restart from the positions stored in the database, which
    /// are exactly what was applied.
    public func run(from starts: [Int32: KafkaOffset], to targets: [Int32: Int64]) async throws {
        var remaining = try await database.storedOffsets(topic: topic).merging(starts.compactMapValues(\.exact)) { stored, _ in stored }
        let pending = targets.filter { partition, target in (remaining[partition] ?? 0) < target }
        guard !pending.isEmpty else { return }
        // From the beginning, the log may start past 0 (retention): then fewer records than this.
        progress.withLock { $0.expected += pending.reduce(0) { $0 + $1.value - (remaining[$1.key] ?? 0) } }
        try await consumer.loadMetadata(topic: topic)
        try consumer.assign(
            pending.keys.sorted().map { partition in
                TopicPartitionOffset(
                    TopicPartition(topic, partition), remaining[partition].map { KafkaOffset($0) } ?? starts[partition] ?? .beginning)
            })
        // A partition paused when an earlier run finished stays paused through a new assignment.
        try consumer.resume(pending.keys.map { TopicPartition(topic, $0) })
        var open = Set(pending.keys)
        let writer = database.writer
        // The sync database calls below block this task's thread while SQLite works: the fold
        // lives in this frame (a value, never copied), and the next batch is fetched and decoded
        // on other threads meanwhile.
        let indexes = try writer.writeBlocking { db in try database.isEmpty(db) ? database.dropIndexes(db) : [] }
        var fold = FoldingBatch(projection: database.projection, sequenceCheck: sequenceCheck)
        func flush() throws {
            let writing = ContinuousClock.now
            let result = try writer.writeBlocking { db in try fold.write(to: db) }
            let wrote = (ContinuousClock.now - writing).seconds
            progress.withLock {
                $0.writingSeconds += wrote
                $0.applied += result.applied
                $0.duplicates += result.duplicates
                $0.skipped += result.rejected.count
            }
            fold = FoldingBatch(projection: database.projection, sequenceCheck: sequenceCheck)
        }
        // Fetching and decoding the next batch overlaps applying this one (no group here, so no
        // rebalance can come between them).
        let consumer = self.consumer
        func fetch() -> Task<(ConsumerBatch, [Result<OrderEvent, OrderEventDecodingError>])?, any Error> {
            Task {
                guard
                    let batch = try await consumer.nextBatch(maxMessages: 5_000, maxWait: .milliseconds(5), idleTimeout: .milliseconds(200))
                else { return nil }
                return (batch, await BatchDecoder.decode(batch.messages))
            }
        }
        // One fetch ahead, awaited in turn; on an early exit (a failed apply) it is cancelled.
        var next: Task? = fetch()
        defer { next?.cancel() }
        var lastRecord = ContinuousClock.now
        var waitStarted = ContinuousClock.now
        while let fetching = next, let (batch, decoded) = try await fetching.value {
            let waited = (ContinuousClock.now - waitStarted).seconds
            progress.withLock { $0.waitingSeconds += waited }
            defer { waitStarted = .now }
            if let error = batch.errors.first { throw error }
            if batch.messages.isEmpty {
                if ContinuousClock.now - lastRecord > .seconds(30) {
                    throw RebuildStalled(open: open.sorted(), positions: remaining, targets: targets)
                }
                next = fetch()
                continue
            }
            lastRecord = .now
            var events: [(OrderEvent, EventPosition)] = []
            var offsets: [Int32: Int64] = [:]
            var skipped = 0
            var read = 0
            for (message, result) in zip(batch.messages, decoded) {
                let partition = message.topicPartition.partition
                guard let target = targets[partition], message.offset < target else { continue }
                offsets[partition] = message.offset + 1
                read += 1
                switch result {
                case .success(let event): events.append((event, EventPosition(partition: partition, offset: message.offset)))
                case .failure: skipped += 1
                }
            }
            // Partitions this batch completes are paused before the next fetch starts, and none
            // starts once all are done: a fetch with nothing left to read only ends at its idle
            // timeout, which would add 200 ms to every rebuild.
            let done = open.filter { (offsets[$0] ?? remaining[$0] ?? 0) >= targets[$0]! }
            if !done.isEmpty {
                try consumer.pause(done.map { TopicPartition(topic, $0) })
                open.subtract(done)
            }
            next = open.isEmpty ? nil : fetch()
            let folding = ContinuousClock.now
            try writer.readBlocking { db in try fold.add(events, in: db) }
            fold.store(offsets.map { TopicPartitionOffset(TopicPartition(topic, $0.key), KafkaOffset($0.value)) })
            let folded = (ContinuousClock.now - folding).seconds
            progress.withLock {
                $0.writingSeconds += folded
                $0.recordsRead += read
                $0.skipped += skipped
            }
            remaining.merge(offsets) { _, new in new }
            if fold.changedOrders >= foldBudget { try flush() }
        }
        try flush()
        if !indexes.isEmpty {
            let indexing = ContinuousClock.now
            try writer.writeBlocking { db in for sql in indexes { try db.execute(sql: sql) } }
            progress.withLock { $0.writingSeconds += (ContinuousClock.now - indexing).seconds }
        }
    }

    public func close() async { await consumer.close() }
}

/// The log ended (or stopped answering) before the rebuild reached the live model's offsets.
public struct RebuildStalled: Error, CustomStringConvertible {
    public var open: [Int32]
    public var positions: [Int32: Int64]
    public var targets: [Int32: Int64]

    public var description: String {
        let detail = open.map { "partition \($0) at \(positions[$0].map(String.init) ?? "start"), needs \(targets[$0] ?? 0)" }
        return
            "the rebuild read nothing for 30 s before reaching the live offsets (\(detail.joined(separator: "; "))): is the broker reachable, and does the log still hold those records?"
    }
}
