public import GRDB
public import OrderEvents
public import Projection

/// An order as support sees it now: who ordered what from where, its status and courier, what
/// was promised and when the order last moved (ms since 1970).
public struct SupportOrder: OrderRow, Codable, Equatable {
    public static let databaseTableName = "support_order"

    public enum Columns {
        public static let orderId = Column(CodingKeys.orderId)
        public static let partition = Column(CodingKeys.partition)
        public static let customerId = Column(CodingKeys.customerId)
        public static let status = Column(CodingKeys.status)
        public static let promisedBy = Column(CodingKeys.promisedBy)
        public static let lastEventAt = Column(CodingKeys.lastEventAt)
        public static let finished = Column(CodingKeys.finished)
    }

    enum CodingKeys: String, CodingKey {
        case orderId, partition, customerId, customerName, restaurantName, region, status, courierName, totalCents, promisedBy
        case lastEventAt, finished
    }

    public var orderId: String
    public var partition: Int32
    public var customerId: String
    public var customerName: String
    public var restaurantName: String
    public var region: String
    public var status: String
    public var courierName: String?
    public var totalCents: Int
    public var promisedBy: Int64
    public var lastEventAt: Int64
    public var finished: Bool

    public static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) -> Self {
        let order = event.order
        var row =
            current
            ?? SupportOrder(
                orderId: event.orderID, partition: position.partition, customerId: order.customer.id, customerName: order.customer.name,
                restaurantName: order.restaurant.name, region: order.region, status: order.status.rawValue, courierName: nil,
                totalCents: order.totalCents, promisedBy: Timestamp.milliseconds(order.promisedBy), lastEventAt: 0, finished: false)
        row.status = order.status.rawValue
        row.courierName = order.courier?.name
        row.lastEventAt = event.occurredAtMilliseconds
        row.finished = order.status.isTerminal
        return row
    }
}

/// One event of an order's timeline, with where it was read from.
public struct SupportTimelineEntry: Codable, Equatable, FetchableRecord, PersistableRecord, Sendable {
    public static let databaseTableName = "support_timeline"

    public enum Columns {
        public static let orderId = Column(CodingKeys.orderId)
        public static let sequence = Column(CodingKeys.sequence)
        public static let offset = Column(CodingKeys.offset)
    }

    enum CodingKeys: String, CodingKey {
        case orderId, sequence, eventId, type, occurredAt, reason, partition, offset
    }

    public var orderId: String
    public var sequence: Int
    public var eventId: String
    public var type: String
    public var occurredAt: Int64
    public var reason: String?
    public var partition: Int32
    public var offset: Int64

    public init(_ event: OrderEvent, at position: EventPosition) {
        orderId = event.orderID
        sequence = event.sequence
        eventId = event.eventID.uuidString.lowercased()
        type = event.type.rawValue
        occurredAt = event.occurredAtMilliseconds
        reason = event.reason
        partition = position.partition
        offset = position.offset
    }
}

/// Support's fold: the order rows fold as every projection's do; the timeline cannot fold (each
/// event is a row of its own), so its rows are appended in bulk, in key order.
struct SupportFold: ProjectionFold {
    private var orders = OrderRowFold<SupportOrder>()
    private var timeline: [SupportTimelineEntry] = []

    mutating func load(orders ids: [String], from db: Database) throws { try orders.load(orders: ids, from: db) }

    mutating func fold(_ event: OrderEvent, at position: EventPosition) throws {
        try orders.fold(event, at: position)
        timeline.append(SupportTimelineEntry(event, at: position))
    }

    func write(to db: Database) throws {
        try orders.write(to: db)
        // One prepared statement with its values bound directly: a timeline row per event is most
        // of what a catch-up writes, and a record's `insert` encodes each through a container.
        let insert = try db.cachedStatement(
            sql:
                "INSERT INTO support_timeline (orderId, sequence, eventId, type, occurredAt, reason, partition, offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        )
        for entry in timeline.sorted(by: { ($0.orderId, $0.sequence) < ($1.orderId, $1.sequence) }) {
            try insert.bind(
                entry.orderId, entry.sequence, entry.eventId, entry.type, entry.occurredAt, entry.reason, entry.partition, entry.offset
            ).execute()
        }
    }
}
