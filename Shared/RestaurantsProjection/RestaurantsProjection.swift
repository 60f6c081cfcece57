public import Contract
public import GRDB
public import OrderEvents
public import Projection

/// The restaurants' read model: each order as a restaurant sees it — where it is in the kitchen,
/// when it was placed, accepted and ready — from which come each restaurant's queue of open
/// orders, its acceptance and rejection counts, and its preparation times.
public struct RestaurantsProjection: Projection {
    public let name: String

    public init(name: String = ServiceNames.restaurants) { self.name = name }

    /// The statuses in which an order is still on a restaurant's queue.
    public static let openStatuses: [OrderStatus] = [.placed, .accepted, .preparing, .readyForPickup, .courierAssigned]

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("restaurants v1") { db in
            try db.create(table: "restaurant_order") { table in
                table.primaryKey("orderId", .text)
                table.column("partition", .integer).notNull()
                table.column("restaurantId", .text).notNull()
                table.column("restaurantName", .text).notNull()
                table.column("status", .text).notNull()
                table.column("itemCount", .integer).notNull()
                table.column("totalCents", .integer).notNull()
                table.column("placedAt", .integer)
                table.column("acceptedAt", .integer)
                table.column("rejectedAt", .integer)
                table.column("readyAt", .integer)
                table.column("finishedAt", .integer)
            }
            try db.create(index: "restaurant_order_queue", on: "restaurant_order", columns: ["restaurantId", "status", "placedAt"])
        }
    }

    public func makeFold() -> any ProjectionFold { OrderRowFold<RestaurantOrder>() }

    public var checksumTables: [String] { ["restaurant_order"] }
}
