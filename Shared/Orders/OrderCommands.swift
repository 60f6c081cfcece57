import Choreography
import Contract
import Foundation
import GRDB
import OrderEvents

/// What `orders` tells the kitchens and the couriers after a step of an order, in a choreographed
/// run: the kitchen gets the placed order and a customer's cancel; the region's couriers get a
/// request once the meal is ready, another after a courier dropped out, and a cancel.
enum OrderCommands {
    /// Couriers asked per order before it is cancelled with a refund.
    static let courierAttempts = 3

    static func after(_ event: OrderEvent, previous: OrderStatus?, in db: Database) throws -> [FlowMessage] {
        let order = event.order
        func message(_ type: FlowMessageType, attempt: Int? = nil, items: [OrderSnapshot.Item]? = nil) -> FlowMessage {
            FlowMessage(
                type: type, orderId: event.orderID, producer: event.producer, occurredAt: event.occurredAt, restaurant: order.restaurant,
                region: type.topic == .courierRequests ? order.region : nil, items: items, attempt: attempt, reason: event.reason)
        }
        switch event.type {
        case .placedWithRestaurant:
            return [message(.kitchenOrderPlaced, items: order.items)]
        case .readyForPickup:
            return [message(.courierRequested, attempt: 1)]
        case .cancelledByCustomer:
            var commands: [FlowMessage] = []
            if previous != .created { commands.append(message(.kitchenOrderCancelled)) }
            if previous == .readyForPickup || previous == .courierAssigned {
                commands.append(message(.courierRequestCancelled, attempt: try courierAttempt(of: event.orderID, in: db)))
            }
            return commands
        default:
            return []
        }
    }

    /// The courier request after `attempt` dropped out.
    static func reassign(_ order: OrderSnapshot, orderID: String, attempt: Int, at time: Date, producer: String) -> FlowMessage {
        FlowMessage(
            type: .courierRequested, orderId: orderID, producer: producer, occurredAt: time, restaurant: order.restaurant,
            region: order.region, attempt: attempt + 1)
    }

    /// How many couriers were requested for this order so far (the current attempt).
    static func courierAttempt(of orderID: String, in db: Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM outbox WHERE topic = ? AND orderId = ? AND type = ?",
            arguments: [Topics.courierRequests, orderID, FlowMessageType.courierRequested.rawValue]) ?? 0
    }
}
