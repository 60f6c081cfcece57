import Foundation
public import GRDB

/// The tables `DecisionRunner` keeps next to a decider's own: the consumed offsets (the same
/// `kafka_offset` table a read model keeps, read with `ProjectionDatabase.storedOffsets`), and per
/// topic, producer and order the last message sequence taken, which drops repeats.
public enum DecisionTables {
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("decisions v1: offsets and message progress") { db in
            try db.create(table: "kafka_offset", ifNotExists: true) { table in
                table.column("topic", .text).notNull()
                table.column("partition", .integer).notNull()
                table.column("nextOffset", .integer).notNull()
                table.column("updatedAt", .double).notNull()
                table.primaryKey(["topic", "partition"])
            }
            try db.create(table: "message_progress") { table in
                table.column("topic", .text).notNull()
                table.column("producer", .text).notNull()
                table.column("orderId", .text).notNull()
                table.column("lastSequence", .integer).notNull()
                table.primaryKey(["topic", "producer", "orderId"])
            }
        }
        migrator.registerMigration("decisions v2: the instance's identity") { db in
            try db.create(table: "decider_instance") { table in table.primaryKey("id", .text) }
            try db.execute(sql: "INSERT INTO decider_instance (id) VALUES (?)", arguments: [UUID().uuidString.prefix(8).lowercased()])
        }
    }

    /// This database's instance id: with the service's name, who signs its messages. Two
    /// instances of one service number their messages about an order each on their own (a
    /// partition moved between them), so each needs its own sequence space at the consumer.
    static func instanceID(in db: Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT id FROM decider_instance") ?? "0"
    }

    /// True when a message with this sequence (or a later one) was taken already; otherwise
    /// records it as taken. Inside the batch's transaction.
    static func isRepeat(topic: String, producer: String, orderID: String, sequence: Int, in db: Database) throws -> Bool {
        let last = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT lastSequence FROM message_progress WHERE topic = ? AND producer = ? AND orderId = ?"),
            arguments: [topic, producer, orderID])
        if let last, sequence <= last { return true }
        try db.cachedStatement(
            sql: """
                INSERT INTO message_progress (topic, producer, orderId, lastSequence) VALUES (?, ?, ?, ?)
                ON CONFLICT(topic, producer, orderId) DO UPDATE SET lastSequence = excluded.lastSequence
                """
        ).execute(arguments: [topic, producer, orderID, sequence])
        return false
    }

    static func store(_ offsets: [(topic: String, partition: Int32, next: Int64)], in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO kafka_offset (topic, partition, nextOffset, updatedAt) VALUES (?, ?, ?, ?)
                ON CONFLICT(topic, partition) DO UPDATE SET nextOffset = excluded.nextOffset, updatedAt = excluded.updatedAt
                """)
        let now = Date().timeIntervalSince1970
        for offset in offsets { try statement.execute(arguments: [offset.topic, offset.partition, offset.next, now]) }
    }
}
