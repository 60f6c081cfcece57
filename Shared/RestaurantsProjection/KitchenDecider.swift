public import Choreography
import Contract
public import Foundation
public import GRDB
import OrderEvents
public import Projection

/// The kitchens' part in the choreography: each restaurant accepts or rejects the orders placed
/// with it, from its own state — whether it is open, and how many orders it is cooking against
/// its capacity — then starts preparing and, after the preparation time, has the meal ready for
/// pickup. `kitchen-orders` is keyed by restaurant id, so one restaurant's orders are all decided
/// by the instance that owns its partition, in the order they were placed.
///
/// Times are the decider's own: a step's due time is stored with the order (`nextStepAt`, wall
/// clock), so a meal that was cooking when the service died is ready on time after a restart.
/// With the same `seed` every draw is the same (`DecisionRandom`: missing ingredients,
/// preparation times, closing hours); what depends on timing — how many orders a kitchen cooks
/// when the next arrives — may differ between runs.
public struct KitchenDecider: Decider {
    public var seed: UInt64
    /// Simulated seconds per real second.
    public var speed: Double
    /// Orders a kitchen cooks at once; a kitchen at capacity turns new orders away.
    public var capacity = 3
    /// Orders rejected for a missing ingredient.
    public var shortageRate = 0.02

    public init(seed: UInt64, speed: Double) {
        self.seed = seed
        self.speed = speed
    }

    public var producer: String { ServiceNames.restaurants }
    public var inputs: [FlowMessageType.Topic] { [.kitchenOrders] }

    enum Status: String {
        case accepted, preparing, ready, rejected, cancelled
    }

    public func registerMigrations(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("kitchen v1: orders in the kitchens") { db in
            try db.create(table: "kitchen_order") { table in
                table.primaryKey("orderId", .text)
                table.column("restaurantId", .text).notNull()
                table.column("restaurant", .blob).notNull()  // OrderSnapshot.Restaurant as JSON
                table.column("partition", .integer).notNull()
                table.column("status", .text).notNull()
                table.column("nextStepAt", .double)
                table.column("traceparent", .text)
            }
            try db.create(index: "kitchen_order_due", on: "kitchen_order", columns: ["nextStepAt"], condition: Column("nextStepAt") != nil)
            try db.create(index: "kitchen_order_restaurant", on: "kitchen_order", columns: ["restaurantId", "status"])
        }
    }

    public func decide(_ message: FlowMessage, in context: DecisionContext) throws {
        let db = context.db
        guard let restaurant = message.restaurant else { throw DecisionError.rejected("\(message.type.rawValue) without a restaurant") }
        let known = try String.fetchOne(db, sql: "SELECT status FROM kitchen_order WHERE orderId = ?", arguments: [message.orderId])
        switch message.type {
        case .kitchenOrderPlaced:
            guard known == nil else { return }  // cancelled before it arrived
            let active =
                try Int.fetchOne(
                    db, sql: "SELECT COUNT(*) FROM kitchen_order WHERE restaurantId = ? AND status IN (?, ?)",
                    arguments: [restaurant.id, Status.accepted.rawValue, Status.preparing.rawValue]) ?? 0
            var random = DecisionRandom(seed: seed, orderID: message.orderId, step: "accept")
            let reason: String? =
                isClosed(restaurant.id, at: context.now)
                ? "kitchen closed"
                : active >= capacity
                    ? "too busy: \(active) orders cooking"
                    : random.chance(shortageRate) ? "out of ingredients" : nil
            let status = reason == nil ? Status.accepted : .rejected
            try db.execute(
                sql:
                    "INSERT INTO kitchen_order (orderId, restaurantId, restaurant, partition, status, nextStepAt, traceparent) VALUES (?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    message.orderId, restaurant.id, try JSONEncoder().encode(restaurant), context.partition ?? -1, status.rawValue,
                    reason == nil ? due(in: random.seconds(0.5...2), from: context.now).timeIntervalSince1970 : nil, context.traceparent,
                ])
            try context.send(
                FlowMessage(
                    type: reason == nil ? .orderAccepted : .orderRejected, orderId: message.orderId, producer: producer,
                    occurredAt: context.now, restaurant: restaurant, reason: reason))
        case .kitchenOrderCancelled:
            if known == nil {
                try db.execute(
                    sql: "INSERT INTO kitchen_order (orderId, restaurantId, restaurant, partition, status) VALUES (?, ?, ?, ?, ?)",
                    arguments: [
                        message.orderId, restaurant.id, try JSONEncoder().encode(restaurant), context.partition ?? -1,
                        Status.cancelled.rawValue,
                    ])
            } else if known == Status.accepted.rawValue || known == Status.preparing.rawValue {
                try db.execute(
                    sql: "UPDATE kitchen_order SET status = ?, nextStepAt = NULL WHERE orderId = ?",
                    arguments: [Status.cancelled.rawValue, message.orderId])
            }
        default:
            throw DecisionError.rejected("\(message.type.rawValue) is not for the kitchens")
        }
    }

    public func decideDue(in context: DecisionContext) throws -> Date? {
        let db = context.db
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT orderId, restaurant, status, traceparent FROM kitchen_order
                WHERE nextStepAt <= ? ORDER BY nextStepAt LIMIT 500
                """,
            arguments: [context.now.timeIntervalSince1970])
        for row in rows {
            let orderID: String = row["orderId"]
            let restaurant = try JSONDecoder().decode(OrderSnapshot.Restaurant.self, from: row["restaurant"] as Data)
            let (type, status, next): (FlowMessageType, Status, Date?) =
                (row["status"] as String) == Status.accepted.rawValue
                ? (.preparing, .preparing, due(in: preparationTime(orderID), from: context.now))
                : (.readyForPickup, .ready, nil)
            try db.execute(
                sql: "UPDATE kitchen_order SET status = ?, nextStepAt = ? WHERE orderId = ?",
                arguments: [status.rawValue, next?.timeIntervalSince1970, orderID])
            try context.send(
                FlowMessage(type: type, orderId: orderID, producer: producer, occurredAt: context.now, restaurant: restaurant),
                traceparent: row["traceparent"])
        }
        return try Double.fetchOne(db, sql: "SELECT MIN(nextStepAt) FROM kitchen_order WHERE nextStepAt IS NOT NULL")
            .map(Date.init(timeIntervalSince1970:))
    }

    /// Simulated seconds from preparing to ready.
    func preparationTime(_ orderID: String) -> Double {
        var random = DecisionRandom(seed: seed, orderID: orderID, step: "prepare")
        return random.seconds(5...15)
    }

    /// Each kitchen closes for two simulated minutes of every hour, at a time of its own.
    func isClosed(_ restaurantID: String, at time: Date) -> Bool {
        var random = DecisionRandom(seed: seed, orderID: restaurantID, step: "break")
        let offset = Int.random(in: 0..<60, using: &random)
        let minute = Int(time.timeIntervalSince1970 * speed / 60)
        return (minute + offset) % 60 < 2
    }

    /// `simulated` seconds after `now`, on the wall clock.
    func due(in simulated: Double, from now: Date) -> Date { now.addingTimeInterval(simulated / speed) }
}
