import Choreography
import Foundation
import GRDB
import Logging
import OrderEvents
import Projection

/// How `orders` reacts to the kitchens' and the couriers' decisions: each advances the order one
/// canonical step (`order-events`), and some trigger compensation — a rejected order is cancelled
/// with a refund, a dropped courier is replaced up to `OrderCommands.courierAttempts` times and the
/// order is then cancelled with a refund.
///
/// A decision that no longer fits the order (the kitchen accepted an order the customer has just
/// cancelled; an old courier's news after a replacement) is stale: the order has moved on and the
/// cancel is already on its way to whoever decided, so it is dropped, not dead-lettered.
struct OrderReactions: Decider {
    let ledger: OrderLedger
    let logger: Logger

    var producer: String { ledger.producerName }
    var inputs: [FlowMessageType.Topic] { [.restaurantEvents, .deliveryEvents] }

    func registerMigrations(in migrator: inout DatabaseMigrator) {}

    func decide(_ message: FlowMessage, in context: DecisionContext) throws {
        let db = context.db
        guard let (order, _) = try ledger.order(message.orderId, in: db) else {
            throw DecisionError.rejected("no order \(message.orderId) here")
        }
        let trace = context.traceparent.flatMap(TraceContext.init(traceparent:)) ?? Self.newTrace()
        func step(_ type: OrderEventType, reason: String? = nil, change: (inout OrderSnapshot) -> Void = { _ in }) throws {
            do {
                try ledger.advance(
                    orderID: message.orderId, to: type, reason: reason, at: context.now, trace: trace, in: db, change: change)
            } catch OrderLedger.Failure.illegal(let transition) {
                logger.debug("stale \(message.type.rawValue) for \(message.orderId): \(transition)")
            }
        }
        switch message.type {
        case .orderAccepted: try step(.acceptedByRestaurant)
        case .orderRejected: try step(.rejectedByRestaurant, reason: Self.refunded(message.reason ?? "rejected", order))
        case .preparing: try step(.preparing)
        case .readyForPickup: try step(.readyForPickup)
        case .courierAssigned:
            guard try isCurrent(message, db) else { return }
            try step(.courierAssigned) { $0.courier = message.courier }
        case .courierDropped:
            guard try isCurrent(message, db), order.status == .courierAssigned || order.status == .readyForPickup else { return }
            let attempt = message.attempt ?? 1
            if attempt < OrderCommands.courierAttempts {
                try context.send(
                    OrderCommands.reassign(order, orderID: message.orderId, attempt: attempt, at: context.now, producer: producer))
            } else {
                // `order.cancelled` is the lifecycle's one cancel before pickup, whoever cancels;
                // the reason says it was for want of a courier.
                try step(
                    .cancelledByCustomer,
                    reason: Self.refunded("no courier could collect it after \(attempt) attempts (\(message.reason ?? "dropped"))", order))
            }
        case .pickedUp: try step(.pickedUp)
        case .outForDelivery: try step(.outForDelivery)
        case .delivered: try step(.delivered)
        case .deliveryFailed: try step(.deliveryFailed, reason: Self.refunded(message.reason ?? "delivery failed", order))
        case .kitchenOrderPlaced, .kitchenOrderCancelled, .courierRequested, .courierRequestCancelled:
            throw DecisionError.rejected("\(message.type.rawValue) is not for orders")
        }
    }

    /// News about the courier request in force, not an earlier one.
    private func isCurrent(_ message: FlowMessage, _ db: Database) throws -> Bool {
        message.attempt == (try OrderCommands.courierAttempt(of: message.orderId, in: db))
    }

    /// The reason of a step that returns the customer's money.
    static func refunded(_ reason: String, _ order: OrderSnapshot) -> String {
        "\(reason); \(order.totalCents / 100).\(String(format: "%02d", order.totalCents % 100)) \(order.currency) refunded"
    }

    private static func newTrace() -> TraceContext {
        var random = SystemRandomNumberGenerator()
        return TraceContext.random(using: &random)
    }
}
