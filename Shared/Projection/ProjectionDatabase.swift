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
        // WAL + synchronous=NORMAL: no fsync per batch. A commit still survives this process
        // being killed; a power loss may drop the last commits, but the offsets live in the same
        // transactions, so they roll back with the rows and those records are read from Kafka
        // again: the log, not this file, is what must be durable.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
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
        migrator.registerMigration("runtime v2: last event time per partition") { db in
            try db.alter(table: "kafka_offset") { table in table.add(column: "lastEventAt", .integer) }
        }
        projection.registerMigrations(in: &migrator)
        return migrator
    }

    /// Per partition: the next offset to read and the time of the newest event applied from it.
    public struct StoredPosition: Sendable, Equatable {
        public var nextOffset: Int64
        public var lastEventAt: Int64?
    }

    public func storedPositions(topic: String) async throws -> [Int32: StoredPosition] {
        try await writer.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT partition, nextOffset, lastEventAt FROM kafka_offset WHERE topic = ?", arguments: [topic])
            return Dictionary(
                uniqueKeysWithValues: rows.map {
                    ($0["partition"] as Int32, StoredPosition(nextOffset: $0["nextOffset"], lastEventAt: $0["lastEventAt"]))
                })
        }
    }

    /// The next offset to read per partition, as stored with the read model.
    public func storedOffsets(topic: String) async throws -> [Int32: Int64] {
        try await writer.read { db in try Self.storedOffsets(topic: topic, in: db) }
    }

    /// The same, inside a transaction the caller already holds (also on a read-only connection).
    public static func storedOffsets(topic: String, in db: Database) throws -> [Int32: Int64] {
        let rows = try Row.fetchAll(db, sql: "SELECT partition, nextOffset FROM kafka_offset WHERE topic = ?", arguments: [topic])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["partition"] as Int32, $0["nextOffset"] as Int64) })
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

    /// How an order's first event is judged.
    public enum SequenceCheck: Sendable {
        /// Every order must start at sequence 1: a later first event means events are missing.
        case strict
        /// A replay that starts mid-log (from an offset or a time) meets orders mid-life: the
        /// first event seen of an order is where that order starts.
        case acceptFirstSeen
    }

    /// Folds a batch and stores `nextOffsets`, in one transaction: all or nothing.
    public func apply(
        _ events: [(OrderEvent, EventPosition)], storing nextOffsets: [TopicPartitionOffset], sequenceCheck: SequenceCheck = .strict
    ) async throws -> BatchResult {
        let projection = self.projection
        return try await writer.write { db in
            var batch = FoldingBatch(projection: projection, sequenceCheck: sequenceCheck)
            try batch.add(events, in: db)
            batch.store(nextOffsets)
            return try batch.write(to: db)
        }
    }

    /// Whether the read model has no rows yet (a fresh database, or one that only stores offsets).
    func isEmpty(_ db: Database) throws -> Bool {
        try projection.checksumTables.allSatisfy { table in
            try !Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM \(table.quotedDatabaseIdentifier))")!
        }
    }

    /// Drops the read model's secondary indexes, for a bulk load: returns the statements that
    /// create them again.
    func dropIndexes(_ db: Database) throws -> [String] {
        let tables = projection.checksumTables
        let indexes = try Row.fetchAll(
            db,
            sql:
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (\(databaseQuestionMarks(count: tables.count)))",
            arguments: StatementArguments(tables))
        for index in indexes { try db.execute(sql: "DROP INDEX \((index["name"] as String).quotedDatabaseIdentifier)") }
        return indexes.map { $0["sql"] }
    }

    /// The read model's position and digest, taken in one read transaction (so they agree even
    /// while batches keep being applied).
    public struct Snapshot: Sendable, Equatable, Codable {
        public var offsets: [Int32: Int64]
        public var checksum: String
    }

    public func snapshot(topic: String) async throws -> Snapshot {
        let tables = projection.checksumTables
        return try await writer.read { db in
            Snapshot(offsets: try Self.storedOffsets(topic: topic, in: db), checksum: try Self.checksum(of: tables, in: db))
        }
    }

    /// A digest of the read model: every row of `checksumTables`, in primary-key order. A full
    /// replay must reproduce it exactly.
    public func checksum() async throws -> String {
        let tables = projection.checksumTables
        return try await writer.read { db in try Self.checksum(of: tables, in: db) }
    }

    static func checksum(of tables: [String], in db: Database) throws -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a
        func mix(_ text: String) {
            for byte in text.utf8 {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01B3
            }
        }
        for table in tables.sorted() {
            mix("table:\(table)\n")
            let columns = try db.columns(in: table).map(\.name)
            let order = try db.primaryKey(table).columns
            let rows = try Row.fetchCursor(
                db,
                sql:
                    "SELECT * FROM \(table.quotedDatabaseIdentifier) ORDER BY \(order.map(\.quotedDatabaseIdentifier).joined(separator: ", "))"
            )
            while let row = try rows.next() {
                mix(columns.map { "\(row[$0] as DatabaseValue)" }.joined(separator: "\u{1F}") + "\n")
            }
        }
        return String(hash, radix: 16)
    }
}
