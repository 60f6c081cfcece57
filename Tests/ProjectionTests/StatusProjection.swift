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

    func makeFold() -> any ProjectionFold { OrderRowFold<OrderStatusRow>() }

    var checksumTables: [String] { ["order_status"] }
}

/// StatusProjection's row; a refused customer's events are rejected before anything changes.
struct OrderStatusRow: OrderRow, Codable {
    static let databaseTableName = "order_status"

    var orderId: String
    var status: String
    var applications: Int
    var lastPartition: Int32
    var lastOffset: Int64

    static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) throws -> Self {
        if event.order.customer.id == "cus-refused" { throw ProjectionError.rejected("this projection refuses cus-refused") }
        return OrderStatusRow(
            orderId: event.orderID, status: event.order.status.rawValue, applications: (current?.applications ?? 0) + 1,
            lastPartition: position.partition, lastOffset: position.offset)
    }
}
