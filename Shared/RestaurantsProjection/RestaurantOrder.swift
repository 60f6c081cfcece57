public import GRDB
public import OrderEvents
public import Projection

/// An order as a restaurant sees it: where it is in the kitchen, and when it was placed,
/// accepted, rejected, ready and finished (ms since 1970; the first time wins).
public struct RestaurantOrder: OrderRow, Codable, Equatable {
    public static let databaseTableName = "restaurant_order"

    public enum Columns {
        public static let orderId = Column(CodingKeys.orderId)
        public static let partition = Column(CodingKeys.partition)
        public static let restaurantId = Column(CodingKeys.restaurantId)
        public static let status = Column(CodingKeys.status)
        public static let placedAt = Column(CodingKeys.placedAt)
        public static let acceptedAt = Column(CodingKeys.acceptedAt)
        public static let rejectedAt = Column(CodingKeys.rejectedAt)
        public static let readyAt = Column(CodingKeys.readyAt)
        public static let finishedAt = Column(CodingKeys.finishedAt)
    }

    enum CodingKeys: String, CodingKey {
        case orderId, partition, restaurantId, restaurantName, status, itemCount, totalCents, placedAt, acceptedAt, rejectedAt, readyAt
        case finishedAt
    }

    public var orderId: String
    public var partition: Int32
    public var restaurantId: String
    public var restaurantName: String
    public var status: String
    public var itemCount: Int
    public var totalCents: Int
    public var placedAt: Int64?
    public var acceptedAt: Int64?
    public var rejectedAt: Int64?
    public var readyAt: Int64?
    public var finishedAt: Int64?

    public static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) -> Self {
        let order = event.order
        var row =
            current
            ?? RestaurantOrder(
                orderId: event.orderID, partition: position.partition, restaurantId: order.restaurant.id,
                restaurantName: order.restaurant.name, status: order.status.rawValue, itemCount: order.items.reduce(0) { $0 + $1.quantity },
                totalCents: order.totalCents)
        row.status = order.status.rawValue
        row.placedAt = row.placedAt ?? event.milliseconds(ifType: .placedWithRestaurant)
        row.acceptedAt = row.acceptedAt ?? event.milliseconds(ifType: .acceptedByRestaurant)
        row.rejectedAt = row.rejectedAt ?? event.milliseconds(ifType: .rejectedByRestaurant)
        row.readyAt = row.readyAt ?? event.milliseconds(ifType: .readyForPickup)
        row.finishedAt = row.finishedAt ?? event.finishedAt
        return row
    }

    public init(
        orderId: String, partition: Int32, restaurantId: String, restaurantName: String, status: String, itemCount: Int, totalCents: Int
    ) {
        self.orderId = orderId
        self.partition = partition
        self.restaurantId = restaurantId
        self.restaurantName = restaurantName
        self.status = status
        self.itemCount = itemCount
        self.totalCents = totalCents
    }
}
