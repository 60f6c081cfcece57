public import Contract
public import GRDB
public import OrderEvents
public import Projection

/// The analytics read model: one fact row per order — region, the minute it was created, how far
/// through the lifecycle it got, how it ended, and when — from which come orders per region per
/// minute, the lifecycle funnel, time-to-deliver (average and p95) and the cancellation rate.
public struct AnalyticsProjection: Projection {
    public let name: String

    public init(name: String = ServiceNames.analytics) { self.name = name }

    /// The funnel's stages, in lifecycle order; an order's `stage` is the furthest it reached.
    public static let funnel: [OrderEventType] = [
        .created, .placedWithRestaurant, .acceptedByRestaurant, .preparing, .readyForPickup, .courierAssigned, .pickedUp, .outForDelivery,
        .delivered,
    ]

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("analytics v1") { db in
            try db.create(table: "analytics_order") { table in
                table.primaryKey("orderId", .text)
                table.column("partition", .integer).notNull()
                table.column("region", .text).notNull()
                table.column("createdAt", .integer).notNull()
                table.column("createdMinute", .integer).notNull()
                table.column("stage", .integer).notNull()
                table.column("status", .text).notNull()
                table.column("deliveredAt", .integer)
            }
            try db.create(index: "analytics_order_minute", on: "analytics_order", columns: ["region", "createdMinute"])
        }
    }

    public func makeFold() -> any ProjectionFold { OrderRowFold<AnalyticsOrder>() }

    public var checksumTables: [String] { ["analytics_order"] }
}
