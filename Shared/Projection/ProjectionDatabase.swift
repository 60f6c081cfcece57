import Foundation
public import GRDB
public import Kafka
public import OrderEvents

/// One consumer group's SQLite database: its read model, and the Kafka offsets that model reflects.
///
/// Invariants: the offsets stored here are exactly the records applied to the read model (they
/// change in the same transaction), and each order's events are applied once, in sequence
/// (`order_progress` remembers the last sequence applied per order).
public final class ProjectionDatabase: Sendable {
    public let writer: any DatabaseWriter
    public let projection: any Projection

    public init(path: String, projection: any Projection) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        writer = try DatabasePool(path: path, configuration: configuration)
        self.projection = projection
        try migrator(for: projection).migrate(writer)
    }

    public init(inMemoryFor projection: any Projection) throws {
        writer = try DatabaseQueue()
        self.projection = projection
        try migrator(for: projection).migrate(writer)
    }

    private func migrator(for projection: any Projection) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("runtime v1: offsets and order progress") { db in
            try db.create(table: "kafka_offset") { table in
                table.column("topic", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("nextOffset", .integer).notNull()
                table.column("updatedAt", .double).notNull()
                table.primaryKey(["topic", "partition"])
            }
            try db.create(table: "order_progress") { table in
                table.primaryKey("orderId", .text)
                table.column("lastSequence", .integer).notNull()
            }
        }
        projection.registerMigrations(in: &migrator)
        return migrator
    }

    /// The next offset to read per partition, as stored with the read model.
    public func storedOffsets(topic: String) async throws -> [Int32: Int64] {
        try await writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT partition, nextOffset FROM kafka_offset WHERE topic = ?", arguments: [topic])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["partition"] as Int32, $0["nextOffset"] as Int64) })
        }
    }

    public struct BatchResult: Sendable, Equatable {
        public var applied = 0
        /// Repeats of events already applied (the topic may carry copies after a producer crash).
        public var duplicates = 0
        /// Events that came out of sequence (a gap): not applied, returned for the dead-letter topic.
        public var rejected: [(event: OrderEvent, reason: String)] = []

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.applied == rhs.applied && lhs.duplicates == rhs.duplicates && lhs.rejected.map(\.event) == rhs.rejected.map(\.event)
        }
    }

    /// Applies a batch and stores `nextOffsets`, in one transaction: all or nothing.
    public func apply(_ events: [(OrderEvent, EventPosition)], storing nextOffsets: [TopicPartitionOffset]) async throws -> BatchResult {
        let projection = self.projection
        return try await writer.write { db in
            var result = BatchResult()
            for (event, position) in events {
                let last = try Int.fetchOne(db, sql: "SELECT lastSequence FROM order_progress WHERE orderId = ?", arguments: [event.orderID]) ?? 0
                if event.sequence <= last {
                    result.duplicates += 1
                    continue
                }
                guard event.sequence == last + 1 else {
                    result.rejected.append((event, "sequence \(event.sequence) after \(last): events of this order are missing"))
                    continue
                }
                do {
                    try projection.apply(event, at: position, in: db)
                } catch ProjectionError.rejected(let reason) {
                    result.rejected.append((event, reason))
                    continue
                }
                try db.execute(
                    sql: "INSERT INTO order_progress (orderId, lastSequence) VALUES (?, ?) ON CONFLICT(orderId) DO UPDATE SET lastSequence = excluded.lastSequence",
                    arguments: [event.orderID, event.sequence])
                result.applied += 1
            }
            let now = Date().timeIntervalSince1970
            for offset in nextOffsets {
                guard let next = offset.offset.exact else { continue }
                try db.execute(
                    sql: """
                        INSERT INTO kafka_offset (topic, partition, nextOffset, updatedAt) VALUES (?, ?, ?, ?)
                        ON CONFLICT(topic, partition) DO UPDATE SET nextOffset = excluded.nextOffset, updatedAt = excluded.updatedAt
                        """,
                    arguments: [offset.topicPartition.topic, offset.topicPartition.partition, next, now])
            }
            return result
        }
    }

    /// A digest of the read model: every row of `checksumTables`, in primary-key order. A full
    /// replay must reproduce it exactly.
    public func checksum() async throws -> String {
        let tables = projection.checksumTables.sorted()
        return try await writer.read { db in
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
            func mix(_ text: String) {
                for byte in text.utf8 {
                    hash ^= UInt64(byte)
                    hash = hash &* 0x0000_0100_0000_01B3
                }
            }
            for table in tables {
                mix("table:\(table)\n")
                let columns = try db.columns(in: table).map(\.name)
                let order = try db.primaryKey(table).columns
                let rows = try Row.fetchCursor(db, sql: "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY \(order.map(\.quotedDatabaseIdentifier).joined(separator: ", "))")
                while let row = try rows.next() {
                    mix(columns.map { "\(row[$0] as DatabaseValue)" }.joined(separator: "\u{1F}") + "\n")
                }
            }
            return String(hash, radix: 16)
        }
    }
}
