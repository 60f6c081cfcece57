public import Foundation

/// One step of one order, as published on the `order-events` topic (key: `orderID`).
///
/// Wire format (JSON, schema version 2, documented in docs/EVENTS.md and pinned by golden files):
/// `schemaVersion`, `eventId`, `type`, `orderId`, `sequence` (1, 2, 3… per order, no gaps),
/// `occurredAt` (ISO 8601, UTC, milliseconds; see `Timestamp`), `producer`, `order` (the full `OrderSnapshot`
/// after this event) and `reason` (rejections, cancellations and failed deliveries only).
public struct OrderEvent: Sendable, Hashable {
    public static let currentSchemaVersion = 2

    public var eventID: UUID
    public var type: OrderEventType
    public var orderID: String
    public var sequence: Int
    public var occurredAt: Date
    public var producer: String
    public var order: OrderSnapshot
    public var reason: String?

    public init(
        eventID: UUID, type: OrderEventType, orderID: String, sequence: Int, occurredAt: Date, producer: String,
        order: OrderSnapshot, reason: String? = nil
    ) {
        self.eventID = eventID
        self.type = type
        self.orderID = orderID
        self.sequence = sequence
        self.occurredAt = Timestamp.normalized(occurredAt)
        self.producer = producer
        self.order = order
        self.reason = reason
    }
}
