import GRDB
public import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// The restaurants' queries: one restaurant's open queue, and per-restaurant counts and
/// preparation times. Orders of one restaurant live in every partition, so both are answered by
/// every instance and merged.
public struct RestaurantsAPI: Sendable {
    public init() {}

    public struct QueuedOrder: Codable, Sendable, Equatable {
        public var orderId: String
        public var status: String
        public var itemCount: Int
        public var totalCents: Int
        public var placedAt: String?
        public var waitingSeconds: Int?
    }

    public struct RestaurantStats: Codable, Sendable, Equatable {
        public var restaurantId: String
        public var restaurantName: String
        public var orders: Int
        public var open: Int
        public var accepted: Int
        public var rejected: Int
        /// accepted / (accepted + rejected); nil before any decision.
        public var acceptanceRate: Double?
        public var preparation: DurationHistogram.Summary
        /// Ready − accepted, per second (for exact merging across instances).
        public var preparationHistogram: DurationHistogram
    }

    public struct StatsList: ResponseEncodable, Decodable, Sendable {
        public var restaurants: [RestaurantStats]
    }

    public func addRoutes(to routes: QueryRoutes) {
        let database = routes.database
        let statuses = RestaurantsProjection.openStatuses.map(\.rawValue)
        routes.paged(ConsumerQueries.Restaurants.queue, by: { ($0.placedAt ?? "", $0.orderId) < ($1.placedAt ?? "", $1.orderId) }) {
            request, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "restaurant id", example: "res-03")
            let status = try QueryParameters.choice(request, "status", default: "open", allowed: ["open"] + statuses)
            let wanted = status == "open" ? statuses : [status]
            let now = Timestamp.milliseconds(.now)
            return try await database.writer.read { db in
                try Row.fetchAll(
                    db,
                    SQLRequest<Row>(
                        literal: """
                            SELECT orderId, status, itemCount, totalCents, placedAt FROM restaurant_order
                            WHERE restaurantId = \(id) AND status IN \(wanted) AND \(scope.condition())
                            ORDER BY placedAt, orderId LIMIT \(limit) OFFSET \(offset)
                            """)
                ).map { row in
                    let placed: Int64? = row["placedAt"]
                    return QueuedOrder(
                        orderId: row["orderId"], status: row["status"], itemCount: row["itemCount"], totalCents: row["totalCents"],
                        placedAt: placed.map { Timestamp.format(Timestamp.date(milliseconds: $0)) },
                        waitingSeconds: placed.map { Int((now - $0) / 1000) })
                }
            }
        }
        routes.merged(ConsumerQueries.Restaurants.restaurants, merge: { lists, _ in Self.merge(lists) }) { _, _, scope in
            StatsList(restaurants: try await Self.stats(database, scope: scope, restaurant: nil))
        }
        routes.merged(ConsumerQueries.Restaurants.stats, merge: { lists, _ in Self.merge(lists) }) { _, context, scope in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "restaurant id", example: "res-03")
            return StatsList(restaurants: try await Self.stats(database, scope: scope, restaurant: id))
        }
    }

    static func stats(_ database: ProjectionDatabase, scope: PartitionScope, restaurant: String?) async throws -> [RestaurantStats] {
        let open = RestaurantsProjection.openStatuses.map(\.rawValue)
        let filter: SQL = restaurant.map { "restaurantId = \($0)" } ?? "1"
        return try await database.writer.read { db in
            var stats: [String: RestaurantStats] = [:]
            let rows = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT restaurantId, MAX(restaurantName) AS name, COUNT(*) AS orders,
                          SUM(status IN \(open)) AS open, SUM(acceptedAt IS NOT NULL) AS accepted, SUM(rejectedAt IS NOT NULL) AS rejected
                        FROM restaurant_order WHERE \(filter) AND \(scope.condition()) GROUP BY restaurantId
                        """))
            for row in rows {
                let id: String = row["restaurantId"]
                stats[id] = RestaurantStats(
                    restaurantId: id, restaurantName: row["name"], orders: row["orders"], open: row["open"], accepted: row["accepted"],
                    rejected: row["rejected"], acceptanceRate: nil, preparation: DurationHistogram().summary,
                    preparationHistogram: DurationHistogram())
            }
            let durations = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT restaurantId, (readyAt - acceptedAt) / 1000 AS seconds, COUNT(*) AS n FROM restaurant_order
                        WHERE readyAt IS NOT NULL AND acceptedAt IS NOT NULL AND \(filter) AND \(scope.condition()) GROUP BY restaurantId, seconds
                        """))
            for row in durations { stats[row["restaurantId"]]?.preparationHistogram.add(seconds: row["seconds"], count: row["n"]) }
            return stats.values.map(Self.finished).sorted { $0.restaurantId < $1.restaurantId }
        }
    }

    static func finished(_ stats: RestaurantStats) -> RestaurantStats {
        var stats = stats
        let decided = stats.accepted + stats.rejected
        stats.acceptanceRate = decided > 0 ? Double(stats.accepted) / Double(decided) : nil
        stats.preparation = stats.preparationHistogram.summary
        return stats
    }

    static func merge(_ lists: [StatsList]) -> StatsList {
        var merged: [String: RestaurantStats] = [:]
        for stats in lists.flatMap(\.restaurants) {
            guard var existing = merged[stats.restaurantId] else {
                merged[stats.restaurantId] = stats
                continue
            }
            existing.orders += stats.orders
            existing.open += stats.open
            existing.accepted += stats.accepted
            existing.rejected += stats.rejected
            existing.preparationHistogram.merge(stats.preparationHistogram)
            merged[stats.restaurantId] = existing
        }
        return StatsList(restaurants: merged.values.map(finished).sorted { $0.restaurantId < $1.restaurantId })
    }
}
