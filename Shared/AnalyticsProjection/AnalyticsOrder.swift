public import GRDB
public import OrderEvents
public import Projection

/// One fact row per order: its region, the minute it was created, the furthest stage of the
/// funnel it reached, how it stands, and when it was delivered.
public struct AnalyticsOrder: OrderRow, Codable, Equatable {
    public static let databaseTableName = "analytics_order"

    public enum Columns {
        public static let orderId = Column(CodingKeys.orderId)
        public static let partition = Column(CodingKeys.partition)
        public static let region = Column(CodingKeys.region)
        public static let createdAt = Column(CodingKeys.createdAt)
        public static let createdMinute = Column(CodingKeys.createdMinute)
        public static let stage = Column(CodingKeys.stage)
        public static let status = Column(CodingKeys.status)
        public static let deliveredAt = Column(CodingKeys.deliveredAt)
    }

    enum CodingKeys: String, CodingKey {
        case orderId, partition, region, createdAt, createdMinute, stage, status, deliveredAt
    }

    public var orderId: String
    public var partition: Int32
    public var region: String
    /// ms since 1970, of the order's first event (`order.created`, or the first a mid-log replay meets).
    public var createdAt: Int64
    public var createdMinute: Int64
    /// Index in `AnalyticsProjection.funnel`; it only ever moves forward.
    public var stage: Int
    public var status: String
    public var deliveredAt: Int64?

    public static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) -> Self {
        let at = event.occurredAtMilliseconds
        let stage = max(AnalyticsProjection.funnel.firstIndex(of: event.type) ?? -1, 0)
        guard var row = current else {
            return AnalyticsOrder(
                orderId: event.orderID, partition: position.partition, region: event.order.region, createdAt: at,
                createdMinute: at / 60_000, stage: stage, status: event.order.status.rawValue,
                deliveredAt: event.milliseconds(ifType: .delivered))
        }
        row.stage = max(row.stage, stage)
        row.status = event.order.status.rawValue
        row.deliveredAt = row.deliveredAt ?? event.milliseconds(ifType: .delivered)
        return row
    }
}
