import GRDB
public import Projection
public import ProjectionServer

/// Support's read model, as its queries see it: the only place that knows its tables.
public struct SupportReadModel: Sendable {
    private let reader: any DatabaseReader

    public init(_ database: ProjectionDatabase) { reader = database.writer }

    private typealias Columns = SupportOrder.Columns

    /// Orders past their promised time (open, or delivered after it), most overdue first.
    public func lateOrders(now: Int64, scope: PartitionScope, limit: Int, offset: Int) async throws -> [SupportOrder] {
        let open = Columns.finished == false && Columns.promisedBy < now
        let deliveredLate = Columns.status == "delivered" && Columns.lastEventAt > Columns.promisedBy
        return try await reader.read { db in
            try SupportOrder.filter(open || deliveredLate).filter(scope.includes(Columns.partition))
                .order(Columns.promisedBy, Columns.orderId).limit(limit, offset: offset).fetchAll(db)
        }
    }

    /// A customer's orders, latest moved first.
    public func customerOrders(customerID: String, scope: PartitionScope, limit: Int, offset: Int) async throws -> [SupportOrder] {
        try await reader.read { db in
            try SupportOrder.filter(Columns.customerId == customerID).filter(scope.includes(Columns.partition))
                .order(Columns.lastEventAt.desc, Columns.orderId.desc).limit(limit, offset: offset).fetchAll(db)
        }
    }

    /// An order and its events in sequence (those read from before `offset` of its partition,
    /// when given), from one read transaction; nil for an order this model has not met.
    public func timeline(orderID: String, before offset: Int64? = nil) async throws -> (
        order: SupportOrder, events: [SupportTimelineEntry]
    )? {
        try await reader.read { db in
            guard let order = try SupportOrder.fetchOne(db, key: orderID) else { return nil }
            let events = try SupportTimelineEntry.filter(SupportTimelineEntry.Columns.orderId == orderID)
                .filter(SupportTimelineEntry.Columns.offset < (offset ?? Int64.max)).order(SupportTimelineEntry.Columns.sequence)
                .fetchAll(db)
            return (order, events)
        }
    }
}
