/// Live order tracking for the customer, served by `support` (whose read model holds every
/// order's timeline): a page per order, and the order's updates as server-sent events, each an
/// `OrderUpdate` as JSON, pushed as the events are applied. The stream ends after the order's
/// terminal event. With several `support` instances, the instance that does not own the order's
/// partition redirects to the one that does.
public enum TrackingEndpoints {
    /// The tracking page of one order.
    public static let page = Route(.get, "/track/{id}")
    /// `OrderUpdate`s as server-sent events: the order's events so far, then each new one live.
    public static let updates = Route(.get, "/orders/{id}/updates")
}

/// One step of an order, as the customer's tracking sees it.
public struct OrderUpdate: Codable, Sendable, Equatable {
    public var orderId: String
    public var sequence: Int
    /// The event's wire name (`order.accepted`, …).
    public var type: String
    /// The order's status after it (`accepted`, …).
    public var status: String
    /// ISO 8601.
    public var occurredAt: String
    public var reason: String?
    /// The order is finished: no update follows.
    public var terminal: Bool

    public init(orderId: String, sequence: Int, type: String, status: String, occurredAt: String, reason: String?, terminal: Bool) {
        self.orderId = orderId
        self.sequence = sequence
        self.type = type
        self.status = status
        self.occurredAt = occurredAt
        self.reason = reason
        self.terminal = terminal
    }
}
