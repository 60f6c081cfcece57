/// The system's topics, named once. Every process imports this module, so a topic's name and the
/// rule that derives its dead-letter topic are spelled in one place.
public enum Topics {
    /// Every step of every order, keyed by order id (docs/EVENTS.md). Written by `orders` only.
    public static let orderEvents = "order-events"
    /// Orders for the kitchens (`kitchen.order_placed`, `kitchen.order_cancelled`), keyed by
    /// restaurant id so that one restaurant's orders are decided in one place. Written by `orders`.
    public static let kitchenOrders = "kitchen-orders"
    /// What the kitchens decided (accepted, rejected, preparing, ready), keyed by order id.
    /// Written by `restaurants`.
    public static let restaurantEvents = "restaurant-events"
    /// Requests for a courier (`courier.requested`, `courier.request_cancelled`), keyed by delivery
    /// region so that one region's courier pool is dispatched in one place. Written by `orders`.
    public static let courierRequests = "courier-requests"
    /// What the couriers did (assigned, dropped, picked up, out, delivered, failed), keyed by
    /// order id. Written by `delivery`.
    public static let deliveryEvents = "delivery-events"
    /// Per-minute, per-region statistics of the orders created in that minute, keyed by
    /// `region/minute/partition` (one record per order-event partition, compacted: the latest value
    /// of a key is its statistics). Written by `analytics` in Kafka transactions.
    public static let orderStats = "order-stats"

    /// Which topics each service reads and writes, in a choreographed run (docs/EVENTS.md).
    public static let flow: [(service: String, reads: [String], writes: [String])] = [
        (ServiceNames.orders, [restaurantEvents, deliveryEvents], [orderEvents, kitchenOrders, courierRequests]),
        (ServiceNames.restaurants, [kitchenOrders, orderEvents], [restaurantEvents]),
        (ServiceNames.delivery, [courierRequests, orderEvents], [deliveryEvents]),
        (ServiceNames.support, [orderEvents], []),
        (ServiceNames.analytics, [orderEvents], [orderStats]),
    ]

    /// Where a consumer sends the records of `topic` it cannot read or apply, with the reason in
    /// `DeadLetterHeaders`.
    public static func deadLetters(of topic: String) -> String { topic + ".dlq" }

    /// The compacted topic that keeps `store`, the state of consumer group `group`, one partition
    /// per input partition, written in the same transactions as the group's output and offsets
    /// (`analytics.order-stats` → `analytics.order-stats-orders-changelog`).
    public static func changelog(ofGroup group: String, store: String) -> String { "\(group)-\(store)-changelog" }

    /// The changelog of analytics' order statistics (`order-stats`): where each order stands, per
    /// order id, in the group `group` (`ConsumerGroups.orderStats(of:)`).
    public static func orderStatsChangelog(ofGroup group: String) -> String { changelog(ofGroup: group, store: "orders") }

    /// The name of one of the system's topics (`kitchenOrders`, …) next to the order-event
    /// topic `orderTopic`: the plain name beside `order-events`, and the same prefix beside a
    /// prefixed one (`t1.order-events` → `t1.kitchen-orders`), so that a run on its own order
    /// topic (every test does this) gets its own choreography topics as well.
    public static func named(_ topic: String, beside orderTopic: String) -> String {
        if topic == orderEvents { return orderTopic }
        if orderTopic == orderEvents { return topic }
        if orderTopic.hasSuffix(orderEvents) { return orderTopic.dropLast(orderEvents.count) + topic }
        return orderTopic + "." + topic
    }
}
