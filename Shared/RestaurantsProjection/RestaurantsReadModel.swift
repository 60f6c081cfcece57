import GRDB
public import Projection
public import ProjectionServer

/// The restaurants' read model, as its queries see it: the only place that knows its table.
public struct RestaurantsReadModel: Sendable {
    private let reader: any DatabaseReader

    public init(_ database: ProjectionDatabase) { reader = database.writer }

    /// One restaurant's orders in `statuses`, oldest placed first.
    public func queue(restaurantID: String, statuses: [String], scope: PartitionScope, limit: Int, offset: Int) async throws
        -> [RestaurantOrder]
    {
        try await reader.read { db in
            try RestaurantOrder
                .filter(RestaurantOrder.Columns.restaurantId == restaurantID && statuses.contains(RestaurantOrder.Columns.status))
                .filter(scope.includes(RestaurantOrder.Columns.partition))
                .order(RestaurantOrder.Columns.placedAt, RestaurantOrder.Columns.orderId)
                .limit(limit, offset: offset)
                .fetchAll(db)
        }
    }

    /// What one restaurant (or each, for nil) has had: its orders, open ones, decisions, and how
    /// long accepted orders took to be ready.
    public struct Tally: Sendable {
        public var restaurantId: String
        public var restaurantName: String
        public var orders: Int
        public var open: Int
        public var accepted: Int
        public var rejected: Int
        public var preparation = DurationHistogram()
    }

    public func tallies(restaurantID: String?, scope: PartitionScope) async throws -> [Tally] {
        let open = RestaurantsProjection.openStatuses.map(\.rawValue)
        let restaurant: SQLExpression = restaurantID.map { RestaurantOrder.Columns.restaurantId == $0 } ?? true.sqlExpression
        let inScope = scope.includes(RestaurantOrder.Columns.partition)
        return try await reader.read { db in
            var tallies: [String: Tally] = [:]
            let rows = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT restaurantId, MAX(restaurantName) AS name, COUNT(*) AS orders,
                          SUM(status IN \(open)) AS open, SUM(acceptedAt IS NOT NULL) AS accepted, SUM(rejectedAt IS NOT NULL) AS rejected
                        FROM restaurant_order WHERE \(restaurant) AND \(inScope) GROUP BY restaurantId
                        """))
            for row in rows {
                let id: String = row["restaurantId"]
                tallies[id] = Tally(
                    restaurantId: id, restaurantName: row["name"], orders: row["orders"], open: row["open"], accepted: row["accepted"],
                    rejected: row["rejected"])
            }
            let durations = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT restaurantId, (readyAt - acceptedAt) / 1000 AS seconds, COUNT(*) AS n FROM restaurant_order
                        WHERE readyAt IS NOT NULL AND acceptedAt IS NOT NULL AND \(restaurant) AND \(inScope) GROUP BY restaurantId, seconds
                        """))
            for row in durations { tallies[row["restaurantId"]]?.preparation.add(seconds: row["seconds"], count: row["n"]) }
            return tallies.values.sorted { $0.restaurantId < $1.restaurantId }
        }
    }
}
