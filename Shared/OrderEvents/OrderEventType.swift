/// What happened to an order. The raw values are the wire names (JSON `type` and the
/// `event-type` Kafka header); they never change once published.
public enum OrderEventType: String, Sendable, Hashable, CaseIterable, Codable {
    case created = "order.created"
    case placedWithRestaurant = "order.placed"
    case acceptedByRestaurant = "order.accepted"
    case rejectedByRestaurant = "order.rejected"
    case preparing = "order.preparing"
    case readyForPickup = "order.ready_for_pickup"
    case courierAssigned = "order.courier_assigned"
    case pickedUp = "order.picked_up"
    case outForDelivery = "order.out_for_delivery"
    case delivered = "order.delivered"
    case deliveryFailed = "order.delivery_failed"
    case cancelledByCustomer = "order.cancelled"

    /// The status an order has after this event.
    public var resultingStatus: OrderStatus {
        switch self {
        case .created: .created
        case .placedWithRestaurant: .placed
        case .acceptedByRestaurant: .accepted
        case .rejectedByRestaurant: .rejected
        case .preparing: .preparing
        case .readyForPickup: .readyForPickup
        case .courierAssigned: .courierAssigned
        case .pickedUp: .pickedUp
        case .outForDelivery: .outForDelivery
        case .delivered: .delivered
        case .deliveryFailed: .deliveryFailed
        case .cancelledByCustomer: .cancelled
        }
    }

    /// Events that must say why (rejection, cancellation, failed delivery).
    public var requiresReason: Bool {
        self == .rejectedByRestaurant || self == .cancelledByCustomer || self == .deliveryFailed
    }
}

/// Where an order is in its life.
public enum OrderStatus: String, Sendable, Hashable, CaseIterable, Codable {
    case created, placed, accepted, rejected, preparing
    case readyForPickup = "ready_for_pickup"
    case courierAssigned = "courier_assigned"
    case pickedUp = "picked_up"
    case outForDelivery = "out_for_delivery"
    case delivered
    case deliveryFailed = "delivery_failed"
    case cancelled

    public var isTerminal: Bool { OrderLifecycle.next(after: self).isEmpty }
}
