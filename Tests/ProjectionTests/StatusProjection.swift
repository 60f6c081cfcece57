import GRDB
import OrderEvents
import Projection

/// A minimal read model for the runtime's tests: each order's status and where its last event
/// was read, plus a count of applications (which would show a double apply).
struct StatusProjection: Projection {
    let name: String

    func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("status v1") { db in
            try db.create(table: "order_status") { table in
                table.primaryKey("orderId", .text)
                table.column("status", .text).notNull()
                table.column("applications", .integer).notNull()
                table.column("lastPartition", .integer).notNull()
                table.column("lastOffset", .integer).notNull()
            }
        }
    }

    func apply(_ event: OrderEvent, at position: EventPosition, in db: Database) throws {
        if event.order.customer.id == "cus-refused" { throw ProjectionError.rejected("this projection refuses cus-refused") }
        try db.execute(
            sql: """
                INSERT INTO order_status (orderId, status, applications, lastPartition, lastOffset) VALUES (?, ?, 1, ?, ?)
                ON CONFLICT(orderId) DO UPDATE SET status = excluded.status, applications = applications + 1,
                  lastPartition = excluded.lastPartition, lastOffset = excluded.lastOffset
                """,
            arguments: [event.orderID, event.order.status.rawValue, position.partition, position.offset])
    }

    var checksumTables: [String] { ["order_status"] }
}
