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
        let readModel = RestaurantsReadModel(routes.database)
        let statuses = RestaurantsProjection.openStatuses.map(\.rawValue)
        routes.paged(ConsumerQueries.Restaurants.queue, by: { ($0.placedAt ?? "", $0.orderId) < ($1.placedAt ?? "", $1.orderId) }) {
            request, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "restaurant id", example: "res-03")
            let status = try QueryParameters.choice(request, "status", default: "open", allowed: ["open"] + statuses)
            let now = Timestamp.milliseconds(.now)
            return try await readModel.queue(
                restaurantID: id, statuses: status == "open" ? statuses : [status], scope: scope, limit: limit, offset: offset
            ).map { order in
                QueuedOrder(
                    orderId: order.orderId, status: order.status, itemCount: order.itemCount, totalCents: order.totalCents,
                    placedAt: order.placedAt.map { Timestamp.format(Timestamp.date(milliseconds: $0)) },
                    waitingSeconds: order.placedAt.map { Int((now - $0) / 1000) })
            }
        }
        routes.merged(ConsumerQueries.Restaurants.restaurants, merge: { lists, _ in Self.merge(lists) }) { _, _, scope in
            StatsList(restaurants: try await readModel.tallies(restaurantID: nil, scope: scope).map(Self.stats))
        }
        routes.merged(ConsumerQueries.Restaurants.stats, merge: { lists, _ in Self.merge(lists) }) { _, context, scope in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "restaurant id", example: "res-03")
            return StatsList(restaurants: try await readModel.tallies(restaurantID: id, scope: scope).map(Self.stats))
        }
    }

    static func stats(_ tally: RestaurantsReadModel.Tally) -> RestaurantStats {
        finished(
            RestaurantStats(
                restaurantId: tally.restaurantId, restaurantName: tally.restaurantName, orders: tally.orders, open: tally.open,
                accepted: tally.accepted, rejected: tally.rejected, acceptanceRate: nil, preparation: tally.preparation.summary,
                preparationHistogram: tally.preparation))
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
