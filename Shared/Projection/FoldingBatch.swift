import Foundation
import GRDB
import Kafka
import OrderEvents

/// Events folded into a projection's rows in memory, then written in one transaction with the
/// offsets they were read up to. The live runner folds one consumer batch; a rebuild folds many,
/// up to a memory budget.
///
/// Deduplication happens here, before the fold: an event at or below its order's last sequence
/// is a repeat and is dropped; one that skips a sequence is rejected (events are missing).
struct FoldingBatch {
    typealias Result = ProjectionDatabase.BatchResult

    private var fold: any ProjectionFold
    private let sequenceCheck: ProjectionDatabase.SequenceCheck
    /// Orders this batch has read its rows and progress for.
    private var met: Set<String> = []
    /// Each met order's last sequence: as stored, then as folded.
    private var lastSequences: [String: Int] = [:]
    private var advanced: Set<String> = []
    private var lastEventAt: [Int32: Int64] = [:]
    private var nextOffsets: [TopicPartition: Int64] = [:]
    private(set) var result = Result()

    init(projection: any Projection, sequenceCheck: ProjectionDatabase.SequenceCheck) {
        fold = projection.makeFold()
        self.sequenceCheck = sequenceCheck
    }

    /// How many orders the batch changed: what its memory grows with.
    var changedOrders: Int { advanced.count }

    /// Reads what the batch has not met yet of these events' orders (their rows and last
    /// sequences, once), then folds each event that comes next in its order's sequence.
    mutating func add(_ events: [(OrderEvent, EventPosition)], in db: Database) throws {
        var new: [String] = []
        for (event, _) in events where met.insert(event.orderID).inserted { new.append(event.orderID) }
        for chunk in new.keyChunks() {
            let rows = try Row.fetchCursor(
                db, sql: "SELECT orderId, lastSequence FROM order_progress WHERE orderId IN (\(databaseQuestionMarks(count: chunk.count)))",
                arguments: StatementArguments(chunk))
            while let row = try rows.next() { lastSequences[row[0]] = row[1] }
        }
        try fold.load(orders: new, from: db)
        for (event, position) in events {
            let last = lastSequences[event.orderID]
            if let last, event.sequence <= last {
                result.duplicates += 1
                continue
            }
            guard event.sequence == (last ?? 0) + 1 || (last == nil && sequenceCheck == .acceptFirstSeen) else {
                result.rejected.append((event, "sequence \(event.sequence) after \(last ?? 0): events of this order are missing"))
                continue
            }
            do {
                try fold.fold(event, at: position)
            } catch ProjectionError.rejected(let reason) {
                result.rejected.append((event, reason))
                continue
            }
            lastSequences[event.orderID] = event.sequence
            advanced.insert(event.orderID)
            lastEventAt[position.partition] = max(lastEventAt[position.partition] ?? .min, event.occurredAtMilliseconds)
            result.applied += 1
        }
    }

    /// The offsets to store with the rows (a later call for the same partition wins).
    mutating func store(_ offsets: [TopicPartitionOffset]) {
        for offset in offsets {
            if let next = offset.offset.exact { nextOffsets[offset.topicPartition] = next }
        }
    }

    /// Writes the changed rows, the orders' last sequences and the offsets. Call inside a transaction.
    func write(to db: Database) throws -> Result {
        try fold.write(to: db)
        let progress = try db.cachedStatement(
            sql:
                "INSERT INTO order_progress (orderId, lastSequence) VALUES (?, ?) ON CONFLICT(orderId) DO UPDATE SET lastSequence = excluded.lastSequence"
        )
        for orderID in advanced.sorted() { try progress.bind(orderID, lastSequences[orderID]!).execute() }
        let now = Date().timeIntervalSince1970
        let store = try db.cachedStatement(
            sql: """
                INSERT INTO kafka_offset (topic, partition, nextOffset, updatedAt, lastEventAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(topic, partition) DO UPDATE SET nextOffset = excluded.nextOffset, updatedAt = excluded.updatedAt,
                  lastEventAt = MAX(COALESCE(lastEventAt, excluded.lastEventAt), COALESCE(excluded.lastEventAt, lastEventAt))
                """)
        for (topicPartition, next) in nextOffsets {
            try store.execute(arguments: [topicPartition.topic, topicPartition.partition, next, now, lastEventAt[topicPartition.partition]])
        }
        return result
    }
}
