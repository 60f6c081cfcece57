import Foundation
public import OrderEvents

/// The orders service's HTTP API: place an order, look at one, cancel one, and the producer's
/// own counts.
public enum OrdersEndpoints {
    /// `PlaceOrder` in, `OrderView` out (201, with its location).
    public static let placeOrder = Route(.post, "/orders")
    /// `OrderView`.
    public static let order = Route(.get, "/orders/{id}")
    /// `CancelOrder` in (an empty body is fine), `OrderView` out.
    public static let cancelOrder = Route(.post, "/orders/{id}/cancel")
    /// `Stats`.
    public static let stats = Route(.get, "/stats")

    public struct PlaceOrder: Codable, Sendable {
        public struct Item: Codable, Sendable {
            public var sku: String
            public var quantity: Int

            public init(sku: String, quantity: Int) {
                self.sku = sku
                self.quantity = quantity
            }
        }
        public var customerId: String
        public var restaurantId: String
        public var items: [Item]

        public init(customerId: String, restaurantId: String, items: [Item]) {
            self.customerId = customerId
            self.restaurantId = restaurantId
            self.items = items
        }
    }

    public struct CancelOrder: Codable, Sendable {
        public var reason: String?

        public init(reason: String?) { self.reason = reason }
    }

    /// One order as `orders` holds it, with each of its events and where it was published.
    public struct OrderView: Codable, Sendable {
        public struct Event: Codable, Sendable {
            public var sequence: Int
            public var type: String
            public var published: Bool
            public var partition: Int32?
            public var offset: Int64?

            public init(sequence: Int, type: String, published: Bool, partition: Int32?, offset: Int64?) {
                self.sequence = sequence
                self.type = type
                self.published = published
                self.partition = partition
                self.offset = offset
            }
        }
        public var orderId: String
        public var status: OrderStatus
        public var sequence: Int
        public var order: OrderSnapshot
        public var events: [Event]

        public init(orderId: String, status: OrderStatus, sequence: Int, order: OrderSnapshot, events: [Event]) {
            self.orderId = orderId
            self.status = status
            self.sequence = sequence
            self.order = order
            self.events = events
        }
    }

    /// The producer's own counts, for live views.
    public struct Stats: Codable, Sendable {
        public var orders: Int
        public var events: Int
        public var published: Int
        /// Published events per type (wire names).
        public var publishedByType: [String: Int]
        /// Per partition, the offset after the last event this producer published there: the
        /// topic's log end as the producer's delivery reports saw it.
        public var partitionEnds: [String: Int64]
        /// Unfinished orders per status (`placed`: waiting for a kitchen's decision,
        /// `ready_for_pickup`: waiting for a courier, …): where orders pile up when a service
        /// that decides is down.
        public var waiting: [String: Int]

        public init(
            orders: Int, events: Int, published: Int, publishedByType: [String: Int], partitionEnds: [String: Int64],
            waiting: [String: Int] = [:]
        ) {
            self.waiting = waiting
            self.orders = orders
            self.events = events
            self.published = published
            self.publishedByType = publishedByType
            self.partitionEnds = partitionEnds
        }

        /// The stages an unfinished order waits in, in lifecycle order, with who moves it on.
        public static let stages: [(status: String, waitingFor: String)] = [
            ("created", "the customer"), ("placed", "a kitchen's decision"), ("accepted", "the kitchen"),
            ("preparing", "the kitchen"), ("ready_for_pickup", "a courier"), ("courier_assigned", "the courier"),
            ("picked_up", "the courier"), ("out_for_delivery", "the courier"),
        ]
    }
}
