import Contract

/// Every kind of message of the choreography, and the topic each travels on.
public enum FlowMessageType: String, Codable, Sendable, Hashable, CaseIterable {
    // orders → kitchen-orders
    case kitchenOrderPlaced = "kitchen.order_placed"
    case kitchenOrderCancelled = "kitchen.order_cancelled"
    // restaurants → restaurant-events
    case orderAccepted = "restaurant.order_accepted"
    case orderRejected = "restaurant.order_rejected"
    case preparing = "restaurant.preparing"
    case readyForPickup = "restaurant.ready_for_pickup"
    // orders → courier-requests
    case courierRequested = "courier.requested"
    case courierRequestCancelled = "courier.request_cancelled"
    // delivery → delivery-events
    case courierAssigned = "delivery.courier_assigned"
    case courierDropped = "delivery.courier_dropped"
    case pickedUp = "delivery.picked_up"
    case outForDelivery = "delivery.out_for_delivery"
    case delivered = "delivery.delivered"
    case deliveryFailed = "delivery.failed"

    /// The choreography's topics.
    public enum Topic: String, Sendable, CaseIterable {
        case kitchenOrders, restaurantEvents, courierRequests, deliveryEvents

        /// The topic's name beside the order-event topic `orderTopic` (`Topics.named`).
        public func name(beside orderTopic: String) -> String {
            let plain =
                switch self {
                case .kitchenOrders: Topics.kitchenOrders
                case .restaurantEvents: Topics.restaurantEvents
                case .courierRequests: Topics.courierRequests
                case .deliveryEvents: Topics.deliveryEvents
                }
            return Topics.named(plain, beside: orderTopic)
        }
    }

    public var topic: Topic {
        switch self {
        case .kitchenOrderPlaced, .kitchenOrderCancelled: .kitchenOrders
        case .orderAccepted, .orderRejected, .preparing, .readyForPickup: .restaurantEvents
        case .courierRequested, .courierRequestCancelled: .courierRequests
        case .courierAssigned, .courierDropped, .pickedUp, .outForDelivery, .delivered, .deliveryFailed: .deliveryEvents
        }
    }
}
