import Contract
public import Foundation
public import GRDB
public import OrderEvents
import Outbox
import Projection

/// The `orders` service's own SQLite database: each order's current state, the transactional
/// outbox of what it publishes (order events, kitchen orders, courier requests), and the offsets
/// of the kitchens' and couriers' messages it has reacted to. The one `DatabaseWriter` of the
/// process for this file.
///
/// Invariant: an order's row, the outbox rows of the step that changed it and (for a reaction) the
/// consumed offset are written in the same transaction (`OrderLedger`, `DecisionRunner`), so a
/// crash at any instant leaves all or none.
public final class OrdersDatabase: Sendable {
    public let writer: any DatabaseWriter

    /// Opens (creating if needed) the database at `path`, in WAL mode, and migrates it.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // WAL + synchronous=NORMAL: a commit survives a crash of this process (SIGKILL, the case
        // the outbox guards against) without an fsync per transaction; only a power loss or OS
        // crash can drop the last commits. FULL would fsync every event (~1.5k events/s here).
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        writer = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(writer)
    }

    /// An in-memory database, for tests of pure logic.
    public init(inMemory: Void = ()) throws {
        writer = try DatabaseQueue()
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: orders and outbox") { db in
            try db.create(table: "order") { table in
                table.primaryKey("id", .text)
                table.column("status", .text).notNull()
                table.column("sequence", .integer).notNull()
                table.column("snapshot", .blob).notNull()  // OrderSnapshot as JSON
                table.column("updatedAt", .double).notNull()
            }
            try db.create(table: "outbox") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("eventId", .text).notNull().unique()
                table.column("orderId", .text).notNull()
                table.column("sequence", .integer).notNull()
                table.column("type", .text).notNull()
                table.column("payload", .blob).notNull()
                table.column("traceparent", .text).notNull()
                table.column("createdAt", .double).notNull()
                table.column("sentAt", .double)
                table.column("partition", .integer)
                table.column("offset", .integer)
                table.uniqueKey(["orderId", "sequence"])
            }
            try db.create(index: "outbox_pending", on: "outbox", columns: ["id"], condition: Column("sentAt") == nil)
        }
        migrator.registerMigration("v2: outbox of any topic") { db in
            try OutboxTable.upgradeFromOrderEventsOnly(
                orderEventTopic: Topics.orderEvents, schemaVersion: OrderEvent.currentSchemaVersion, in: db)
        }
        // The offsets and message progress of its reactions to the kitchens and the couriers.
        DecisionTables.registerMigrations(in: &migrator)
        migrator.registerMigration("v3: one trace per order") { db in
            try db.alter(table: OrderRecord.databaseTableName) { table in table.add(column: "traceId", .text) }
            // An order from before: the trace of its first event (traceparent: 00-<trace id>-…).
            try db.execute(
                sql: """
                    UPDATE "order" SET traceId = (
                        SELECT substr(traceparent, 4, 32) FROM outbox
                        WHERE outbox.topic = ? AND outbox.orderId = "order".id AND outbox.sequence = 1)
                    """, arguments: [Topics.orderEvents])
        }
        return migrator
    }
}

/// An order's current state, as the producer sees it.
public struct OrderRecord: Codable, Sendable, Hashable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "order"
    public var id: String
    public var status: String
    public var sequence: Int
    public var snapshot: Data
    public var updatedAt: Double
    /// The W3C trace id every event of the order carries (nil: an order from before traces were kept).
    public var traceId: String?

    public func decodedSnapshot() throws -> OrderSnapshot { try JSONDecoder.orders.decode(OrderSnapshot.self, from: snapshot) }
}

extension JSONDecoder {
    static let orders: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return decoder
    }()
}

extension JSONEncoder {
    static let orders: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}
