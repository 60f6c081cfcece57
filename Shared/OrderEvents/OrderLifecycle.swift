/// The legal steps of an order's life, written down once.
///
/// Happy path: created → placed → accepted → preparing → ready for pickup → courier assigned →
/// picked up → out for delivery → delivered. Other endings: the restaurant rejects a placed order;
/// the customer cancels any time before pickup; a delivery out on the road can fail. A courier
/// who drops out before pickup is replaced: `courier assigned` follows `courier assigned`.
public enum OrderLifecycle {
    /// The event types allowed after an order reached `status`.
    public static func next(after status: OrderStatus) -> [OrderEventType] {
        switch status {
        case .created: [.placedWithRestaurant, .cancelledByCustomer]
        case .placed: [.acceptedByRestaurant, .rejectedByRestaurant, .cancelledByCustomer]
        case .accepted: [.preparing, .cancelledByCustomer]
        case .preparing: [.readyForPickup, .cancelledByCustomer]
        case .readyForPickup: [.courierAssigned, .cancelledByCustomer]
        // Again when the courier dropped out before pickup and another one took the order.
        case .courierAssigned: [.pickedUp, .courierAssigned, .cancelledByCustomer]
        case .pickedUp: [.outForDelivery]
        case .outForDelivery: [.delivered, .deliveryFailed]
        case .delivered, .rejected, .cancelled, .deliveryFailed: []
        }
    }

    /// The status after `event`, or why `event` cannot happen now. `nil` status = a new order,
    /// for which only `.created` is legal.
    public static func apply(_ event: OrderEventType, to status: OrderStatus?) throws(IllegalTransition) -> OrderStatus {
        guard let status else {
            guard event == .created else { throw IllegalTransition(from: nil, event: event) }
            return .created
        }
        guard next(after: status).contains(event) else { throw IllegalTransition(from: status, event: event) }
        return event.resultingStatus
    }
}

/// An event that the lifecycle does not allow at this point.
public struct IllegalTransition: Error, Sendable, Hashable, CustomStringConvertible {
    public let from: OrderStatus?
    public let event: OrderEventType

    public var description: String {
        guard let from else { return "an order must start with \(OrderEventType.created.rawValue), not \(event.rawValue)" }
        let allowed = OrderLifecycle.next(after: from).map(\.rawValue)
        return "an order that is \(from.rawValue) cannot take \(event.rawValue); "
            + (allowed.isEmpty ? "it is finished" : "allowed next: \(allowed.joined(separator: ", "))")
    }
}
