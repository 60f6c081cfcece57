import GRDB
public import Projection
public import ProjectionServer

/// The delivery read model, as its queries see it: the only place that knows its table.
public struct DeliveryReadModel: Sendable {
    private let reader: any DatabaseReader

    public init(_ database: ProjectionDatabase) { reader = database.writer }

    private typealias Columns = DeliveryOrder.Columns

    /// One courier's deliveries, latest assigned first.
    public func deliveries(courierID: String, scope: PartitionScope, limit: Int, offset: Int) async throws -> [DeliveryOrder] {
        try await page(Columns.courierId == courierID, [Columns.assignedAt.desc, Columns.orderId.desc], scope, limit, offset)
    }

    /// Orders ready or assigned and not yet picked up, longest ready first.
    public func awaitingPickup(scope: PartitionScope, limit: Int, offset: Int) async throws -> [DeliveryOrder] {
        try await page(
            DeliveryProjection.awaitingPickup.map(\.rawValue).contains(Columns.status), [Columns.readyAt, Columns.orderId], scope, limit,
            offset)
    }

    /// Orders picked up and not yet delivered, longest on the road first.
    public func inFlight(scope: PartitionScope, limit: Int, offset: Int) async throws -> [DeliveryOrder] {
        try await page(
            DeliveryProjection.inFlight.map(\.rawValue).contains(Columns.status), [Columns.pickedUpAt, Columns.orderId], scope, limit,
            offset)
    }

    private func page(
        _ condition: SQLExpression, _ ordering: [any SQLOrderingTerm & Sendable], _ scope: PartitionScope, _ limit: Int, _ offset: Int
    ) async throws -> [DeliveryOrder] {
        try await reader.read { db in
            try DeliveryOrder.filter(condition).filter(scope.includes(Columns.partition)).order(ordering).limit(limit, offset: offset)
                .fetchAll(db)
        }
    }

    /// A courier's record: delivered and failed orders, and the ones it carries now.
    public struct CourierTally: Sendable {
        public var courierId: String
        public var courierName: String
        public var delivered: Int
        public var failed: Int
        public var currentOrders: [String] = []
    }

    public func couriers(scope: PartitionScope) async throws -> [CourierTally] {
        let busy = DeliveryProjection.assigned.map(\.rawValue)
        let inScope = scope.includes(Columns.partition)
        return try await reader.read { db in
            var couriers: [String: CourierTally] = [:]
            let rows = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT courierId, MAX(courierName) AS name, SUM(deliveredAt IS NOT NULL) AS delivered, SUM(failedAt IS NOT NULL) AS failed
                        FROM delivery_order WHERE courierId IS NOT NULL AND \(inScope) GROUP BY courierId
                        """))
            for row in rows {
                couriers[row["courierId"]] = CourierTally(
                    courierId: row["courierId"], courierName: row["name"], delivered: row["delivered"], failed: row["failed"])
            }
            let current = try DeliveryOrder.filter(busy.contains(Columns.status) && Columns.courierId != nil && inScope)
                .order(Columns.orderId).fetchAll(db)
            for order in current { if let courier = order.courierId { couriers[courier]?.currentOrders.append(order.orderId) } }
            return couriers.values.sorted { $0.courierId < $1.courierId }
        }
    }

    /// Picked up → delivered, per second.
    public func deliveryDurations(scope: PartitionScope) async throws -> DurationHistogram {
        try await reader.read { db in
            var histogram = DurationHistogram()
            let rows = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT (deliveredAt - pickedUpAt) / 1000 AS seconds, COUNT(*) AS n FROM delivery_order
                        WHERE deliveredAt IS NOT NULL AND pickedUpAt IS NOT NULL AND \(scope.includes(Columns.partition)) GROUP BY seconds
                        """))
            for row in rows { histogram.add(seconds: row["seconds"], count: row["n"]) }
            return histogram
        }
    }
}
