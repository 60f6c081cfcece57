public import Contract
public import GRDB
public import OrderEvents
public import Projection

/// The delivery read model: each order from the moment the kitchen has it ready — its courier,
/// when it was assigned, picked up and finished — from which come couriers and their current
/// assignments, orders awaiting pickup, deliveries in flight, and delivery durations.
public struct DeliveryProjection: Projection {
    public let name: String

    public init(name: String = ServiceNames.delivery) { self.name = name }

    public static let awaitingPickup: [OrderStatus] = [.readyForPickup, .courierAssigned]
    public static let inFlight: [OrderStatus] = [.pickedUp, .outForDelivery]
    /// Statuses in which a courier is busy with the order.
    public static let assigned: [OrderStatus] = [.courierAssigned, .pickedUp, .outForDelivery]

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("delivery v1") { db in
            try db.create(table: "delivery_order") { table in
                table.primaryKey("orderId", .text)
                table.column("partition", .integer).notNull()
                table.column("region", .text).notNull()
                table.column("restaurantName", .text).notNull()
                table.column("customerName", .text).notNull()
                table.column("status", .text).notNull().indexed()
                table.column("courierId", .text).indexed()
                table.column("courierName", .text)
                table.column("readyAt", .integer)
                table.column("assignedAt", .integer)
                table.column("pickedUpAt", .integer)
                table.column("deliveredAt", .integer)
                table.column("failedAt", .integer)
            }
        }
    }

    public func makeFold() -> any ProjectionFold { OrderRowFold<DeliveryOrder>() }

    public var checksumTables: [String] { ["delivery_order"] }
}
