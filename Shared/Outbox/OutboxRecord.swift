public import Foundation
public import GRDB

/// A row of a transactional outbox: one encoded record for one topic, published once its delivery
/// report says so. A service writes it in the same SQLite transaction as the state change it
/// reports, so a crash at any instant leaves both or neither.
public struct OutboxRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"
    public var id: Int64?
    public var eventId: String
    /// The topic's plain name (`Topics.orderEvents`, `Topics.kitchenOrders`, …); the relay
    /// publishes it beside the service's order-event topic (`Topics.named(_:beside:)`).
    public var topic: String
    public var key: String
    public var orderId: String
    /// The record's place among this topic's records about this order, from 1.
    public var sequence: Int
    public var type: String
    public var schemaVersion: Int
    public var payload: Data
    public var traceparent: String
    public var createdAt: Double
    public var sentAt: Double?
    public var partition: Int32?
    public var offset: Int64?

    public init(
        eventId: String, topic: String, key: String, orderId: String, sequence: Int, type: String, schemaVersion: Int, payload: Data,
        traceparent: String, createdAt: Double
    ) {
        self.eventId = eventId
        self.topic = topic
        self.key = key
        self.orderId = orderId
        self.sequence = sequence
        self.type = type
        self.schemaVersion = schemaVersion
        self.payload = payload
        self.traceparent = traceparent
        self.createdAt = createdAt
    }

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let topic = Column(CodingKeys.topic)
        public static let sentAt = Column(CodingKeys.sentAt)
        public static let orderId = Column(CodingKeys.orderId)
        public static let sequence = Column(CodingKeys.sequence)
        public static let type = Column(CodingKeys.type)
        public static let createdAt = Column(CodingKeys.createdAt)
    }

    /// The next sequence for a record about `orderID` on `topic`, inside the caller's transaction.
    public static func nextSequence(topic: String, orderID: String, in db: Database) throws -> Int {
        let last = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT MAX(sequence) FROM outbox WHERE topic = ? AND orderId = ?"), arguments: [topic, orderID])
        return (last ?? 0) + 1
    }
}

/// The outbox's table, for each service's migrator.
public enum OutboxTable {
    /// Registers the outbox's migrations.
    public static func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("outbox v2") { db in try createV2(in: db) }
    }

    /// The table of version 2: any topic, any key. Frozen: migrations that ran it must find the
    /// same table on every machine, so a new shape is a new migration, not an edit here.
    public static func createV2(in db: Database) throws {
        try db.create(table: "outbox") { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("eventId", .text).notNull().unique()
            table.column("topic", .text).notNull()
            table.column("key", .text).notNull()
            table.column("orderId", .text).notNull()
            table.column("sequence", .integer).notNull()
            table.column("type", .text).notNull()
            table.column("schemaVersion", .integer).notNull()
            table.column("payload", .blob).notNull()
            table.column("traceparent", .text).notNull()
            table.column("createdAt", .double).notNull()
            table.column("sentAt", .double)
            table.column("partition", .integer)
            table.column("offset", .integer)
            table.uniqueKey(["topic", "orderId", "sequence"])
        }
        try db.create(index: "outbox_pending", on: "outbox", columns: ["id"], condition: Column("sentAt") == nil)
    }

    /// From the first shape (order events only, keyed by order id) to the current one, keeping
    /// every row, sent or not.
    public static func upgradeFromOrderEventsOnly(orderEventTopic: String, schemaVersion: Int, in db: Database) throws {
        try db.rename(table: "outbox", to: "outbox_v1")
        try db.execute(sql: "DROP INDEX IF EXISTS outbox_pending")
        try createV2(in: db)
        try db.execute(
            sql: """
                INSERT INTO outbox (id, eventId, topic, key, orderId, sequence, type, schemaVersion, payload, traceparent, createdAt,
                  sentAt, partition, offset)
                SELECT id, eventId, ?, orderId, orderId, sequence, type, ?, payload, traceparent, createdAt, sentAt, partition, offset
                FROM outbox_v1
                """, arguments: [orderEventTopic, schemaVersion])
        try db.drop(table: "outbox_v1")
    }
}
