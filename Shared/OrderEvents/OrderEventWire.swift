import Foundation

/// Schema version 2: the current wire format.
struct WireV2: Codable {
    var schemaVersion: Int
    var eventId: String
    var type: OrderEventType
    var orderId: String
    var sequence: Int
    var occurredAt: Date
    var producer: String
    var order: OrderSnapshot
    var reason: String?

    init(_ event: OrderEvent) {
        schemaVersion = 2
        eventId = event.eventID.uuidString.lowercased()
        type = event.type
        orderId = event.orderID
        sequence = event.sequence
        occurredAt = event.occurredAt
        producer = event.producer
        order = event.order
        reason = event.reason
    }

    func event() throws(OrderEventDecodingError) -> OrderEvent {
        OrderEvent(
            eventID: try parseEventID(eventId), type: type, orderID: orderId, sequence: sequence, occurredAt: occurredAt, producer: producer,
            order: order, reason: reason)
    }
}

func parseEventID(_ text: String) throws(OrderEventDecodingError) -> UUID {
    guard let id = UUID(uuidString: text) else { throw .invalidField("eventId", "'\(text)' is not a UUID") }
    return id
}

/// Schema version 1, still readable: no top-level `region` (only the restaurant's), and the total
/// as a decimal amount in euros (`total`) instead of `totalCents` + `currency`.
struct WireV1: Decodable {
    struct SnapshotV1: Decodable {
        var status: OrderStatus
        var customer: OrderSnapshot.Customer
        var restaurant: OrderSnapshot.Restaurant
        var items: [OrderSnapshot.Item]
        var total: Decimal
        var courier: OrderSnapshot.Courier?
        var promisedBy: Date
    }

    var schemaVersion: Int
    var eventId: String
    var type: OrderEventType
    var orderId: String
    var sequence: Int
    var occurredAt: Date
    var producer: String
    var order: SnapshotV1
    var reason: String?

    /// v1 → current: the delivery region was the restaurant's; amounts were euros.
    func upcast() throws(OrderEventDecodingError) -> OrderEvent {
        var cents = order.total * 100
        var rounded = Decimal()
        NSDecimalRound(&rounded, &cents, 0, .plain)
        let snapshot = OrderSnapshot(
            status: order.status, customer: order.customer, restaurant: order.restaurant, region: order.restaurant.region,
            items: order.items, totalCents: NSDecimalNumber(decimal: rounded).intValue, currency: "EUR", courier: order.courier,
            promisedBy: order.promisedBy)
        return OrderEvent(
            eventID: try parseEventID(eventId), type: type, orderID: orderId, sequence: sequence, occurredAt: occurredAt, producer: producer,
            order: snapshot, reason: reason)
    }
}
