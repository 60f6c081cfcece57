public import GRDB
public import OrderEvents
public import Projection

/// An order as the couriers see it: its courier (the latest assigned), and when it was ready,
/// assigned, picked up, delivered or failed (ms since 1970; the first time wins).
public struct DeliveryOrder: OrderRow, Codable, Equatable {
    public static let databaseTableName = "delivery_order"

    public enum Columns {
        public static let orderId = Column(CodingKeys.orderId)
        public static let partition = Column(CodingKeys.partition)
        public static let region = Column(CodingKeys.region)
        public static let status = Column(CodingKeys.status)
        public static let courierId = Column(CodingKeys.courierId)
        public static let courierName = Column(CodingKeys.courierName)
        public static let readyAt = Column(CodingKeys.readyAt)
        public static let assignedAt = Column(CodingKeys.assignedAt)
        public static let pickedUpAt = Column(CodingKeys.pickedUpAt)
        public static let deliveredAt = Column(CodingKeys.deliveredAt)
    }

    enum CodingKeys: String, CodingKey {
        case orderId, partition, region, restaurantName, customerName, status, courierId, courierName, readyAt, assignedAt, pickedUpAt
        case deliveredAt, failedAt
    }

    public var orderId: String
    public var partition: Int32
    public var region: String
    public var restaurantName: String
    public var customerName: String
    public var status: String
    public var courierId: String?
    public var courierName: String?
    public var readyAt: Int64?
    public var assignedAt: Int64?
    public var pickedUpAt: Int64?
    public var deliveredAt: Int64?
    public var failedAt: Int64?

    public static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) -> Self {
        let order = event.order
        var row =
            current
            ?? DeliveryOrder(
                orderId: event.orderID, partition: position.partition, region: order.region, restaurantName: order.restaurant.name,
                customerName: order.customer.name, status: order.status.rawValue)
        row.status = order.status.rawValue
        row.courierId = order.courier?.id ?? row.courierId
        row.courierName = order.courier?.name ?? row.courierName
        row.readyAt = row.readyAt ?? event.milliseconds(ifType: .readyForPickup)
        row.assignedAt = row.assignedAt ?? event.milliseconds(ifType: .courierAssigned)
        row.pickedUpAt = row.pickedUpAt ?? event.milliseconds(ifType: .pickedUp)
        row.deliveredAt = row.deliveredAt ?? event.milliseconds(ifType: .delivered)
        row.failedAt = row.failedAt ?? event.milliseconds(ifType: .deliveryFailed)
        return row
    }

    public init(
        orderId: String, partition: Int32, region: String, restaurantName: String, customerName: String, status: String
    ) {
        self.orderId = orderId
        self.partition = partition
        self.region = region
        self.restaurantName = restaurantName
        self.customerName = customerName
        self.status = status
    }
}
