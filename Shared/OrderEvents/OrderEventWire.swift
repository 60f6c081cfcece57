import Foundation

/// The JSON envelope, the same in every schema version; versions differ in the order snapshot.
struct WireEnvelope<Order: Codable>: Codable {
    var schemaVersion: Int
    var eventId: String
    var type: OrderEventType
    var orderId: String
    var sequence: Int
    var occurredAt: Date
    var producer: String
    var order: Order
    var reason: String?

    /// The event, with the snapshot converted to the current model.
    func event(_ convert: (Order) -> OrderSnapshot) throws(OrderEventDecodingError) -> OrderEvent {
        guard let id = UUID(uuidString: eventId) else { throw .invalidField("eventId", "'\(eventId)' is not a UUID") }
        return OrderEvent(
            eventID: id, type: type, orderID: orderId, sequence: sequence, occurredAt: occurredAt, producer: producer,
            order: convert(order),
            reason: reason)
    }
}

/// Schema version 2: the current wire format.
typealias WireV2 = WireEnvelope<OrderSnapshot>

extension WireEnvelope<OrderSnapshot> {
    init(_ event: OrderEvent) {
        self.init(
            schemaVersion: 2, eventId: event.eventID.uuidString.lowercased(), type: event.type, orderId: event.orderID,
            sequence: event.sequence, occurredAt: event.occurredAt, producer: event.producer, order: event.order, reason: event.reason)
    }
}

/// Schema version 1, still readable: no top-level `region` (only the restaurant's), and the total
/// as a decimal amount in euros (`total`) instead of `totalCents` + `currency`.
typealias WireV1 = WireEnvelope<SnapshotV1>

struct SnapshotV1: Codable {
    var status: OrderStatus
    var customer: OrderSnapshot.Customer
    var restaurant: OrderSnapshot.Restaurant
    var items: [OrderSnapshot.Item]
    var total: Decimal
    var courier: OrderSnapshot.Courier?
    var promisedBy: Date

    /// v1 → current: the delivery region was the restaurant's; amounts were euros.
    var upcast: OrderSnapshot {
        var cents = total * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        return OrderSnapshot(
            status: status, customer: customer, restaurant: restaurant, region: restaurant.region, items: items,
            totalCents: NSDecimalNumber(decimal: rounded).intValue, currency: "EUR", courier: courier, promisedBy: promisedBy)
    }
}
