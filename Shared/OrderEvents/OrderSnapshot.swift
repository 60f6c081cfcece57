public import Foundation

/// The full state of an order, carried by every event (consumers never need to look anything up).
public struct OrderSnapshot: Sendable, Hashable, Codable {
    public struct Customer: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct Restaurant: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var region: String
        public init(id: String, name: String, region: String) {
            self.id = id
            self.name = name
            self.region = region
        }
    }

    public struct Courier: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public init(id: String, name: String) {
            self.id = id
            self.name = name
        }
    }

    public struct Item: Sendable, Hashable, Codable {
        public var sku: String
        public var name: String
        public var quantity: Int
        public var unitPriceCents: Int
        public init(sku: String, name: String, quantity: Int, unitPriceCents: Int) {
            self.sku = sku
            self.name = name
            self.quantity = quantity
            self.unitPriceCents = unitPriceCents
        }
    }

    public var status: OrderStatus
    public var customer: Customer
    public var restaurant: Restaurant
    /// The delivery region (analytics groups by it).
    public var region: String
    public var items: [Item]
    public var totalCents: Int
    /// ISO 4217 code.
    public var currency: String
    /// Set from `order.courier_assigned` on.
    public var courier: Courier?
    /// When the customer was promised the delivery (support flags orders late against it).
    public var promisedBy: Date

    public init(
        status: OrderStatus, customer: Customer, restaurant: Restaurant, region: String, items: [Item], totalCents: Int,
        currency: String, courier: Courier?, promisedBy: Date
    ) {
        self.status = status
        self.customer = customer
        self.restaurant = restaurant
        self.region = region
        self.items = items
        self.totalCents = totalCents
        self.currency = currency
        self.courier = courier
        self.promisedBy = Timestamp.normalized(promisedBy)
    }

    /// Items' total, which `totalCents` must equal.
    public var itemsTotalCents: Int { items.reduce(0) { $0 + $1.quantity * $1.unitPriceCents } }
}
