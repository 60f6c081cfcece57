public import Contract
public import GRDB
import OrderEvents
public import Projection

/// Support's read model: every order's full timeline (each event with its partition and offset),
/// its current status, and what was promised, so late orders and a customer's orders are one
/// query away.
public struct SupportProjection: Projection {
    public let name: String

    public init(name: String = ServiceNames.support) { self.name = name }

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("support v1") { db in
            try db.create(table: "support_order") { table in
                table.primaryKey("orderId", .text)
                table.column("customerId", .text).notNull().indexed()
                table.column("customerName", .text).notNull()
                table.column("restaurantName", .text).notNull()
                table.column("region", .text).notNull()
                table.column("status", .text).notNull()
                table.column("courierName", .text)
                table.column("totalCents", .integer).notNull()
                table.column("promisedBy", .integer).notNull()  // ms since 1970
                table.column("lastEventAt", .integer).notNull()
                table.column("finished", .boolean).notNull()
            }
            try db.create(table: "support_timeline") { table in
                table.column("orderId", .text).notNull()
                table.column("sequence", .integer).notNull()
                table.column("eventId", .text).notNull()
                table.column("type", .text).notNull()
                table.column("occurredAt", .integer).notNull()
                table.column("reason", .text)
                table.column("partition", .integer).notNull()
                table.column("offset", .integer).notNull()
                table.primaryKey(["orderId", "sequence"])
            }
        }
        // Scale-out: each instance answers for the partitions it owns, so rows say where they came from.
        migrator.registerMigration("support v2: partition of each order") { db in
            try db.alter(table: "support_order") { table in table.add(column: "partition", .integer).notNull().defaults(to: -1) }
            try db.execute(
                sql:
                    "UPDATE support_order SET partition = (SELECT MAX(partition) FROM support_timeline t WHERE t.orderId = support_order.orderId)"
            )
        }
    }

    public func makeFold() -> any ProjectionFold { SupportFold() }

    public var checksumTables: [String] { ["support_order", "support_timeline"] }
}
