public import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// Analytics' queries: orders per region per minute, and a summary (funnel, time-to-deliver,
/// cancellation rate). Every instance answers for its partitions; counts and histograms merge
/// exactly.
public struct AnalyticsAPI: Sendable {
    public init() {}

    public struct MinuteCount: Codable, Sendable, Equatable {
        public var region: String
        public var minute: String
        public var orders: Int
    }

    public struct OrdersPerMinute: ResponseEncodable, Decodable, Sendable {
        public var buckets: [MinuteCount]
    }

    public struct Summary: ResponseEncodable, Decodable, Sendable, Equatable {
        public var orders: Int
        public var delivered: Int
        public var cancelled: Int
        public var rejected: Int
        public var deliveryFailed: Int
        /// cancelled / orders; nil without orders.
        public var cancellationRate: Double?
        /// Orders that reached each stage (wire names of the stage's event), in lifecycle order.
        public var funnel: [FunnelStage]
        /// created → delivered.
        public var timeToDeliver: DurationHistogram.Summary
        public var timeToDeliverHistogram: DurationHistogram
    }

    public struct FunnelStage: Codable, Sendable, Equatable {
        public var stage: String
        public var orders: Int
    }

    public func addRoutes(to routes: QueryRoutes) {
        let readModel = AnalyticsReadModel(routes.database)
        routes.merged(
            ConsumerQueries.Analytics.perMinute,
            merge: { (parts: [OrdersPerMinute], _) in
                var sums: [String: MinuteCount] = [:]
                for bucket in parts.flatMap(\.buckets) {
                    sums[
                        "\(bucket.region)\u{1F}\(bucket.minute)",
                        default: MinuteCount(region: bucket.region, minute: bucket.minute, orders: 0)
                    ].orders += bucket.orders
                }
                return OrdersPerMinute(buckets: sums.values.sorted { ($0.minute, $0.region) < ($1.minute, $1.region) })
            }
        ) { request, _, scope in
            let region = try request.uri.queryParameters.get("region").map {
                try QueryParameters.identifier($0, kind: "region", example: "north")
            }
            let minutes = try QueryParameters.integer(request, "minutes", default: 60, range: 1...10_080)
            return OrdersPerMinute(
                buckets: try await readModel.ordersPerMinute(region: region, minutes: minutes, scope: scope).map {
                    MinuteCount(
                        region: $0.region, minute: Timestamp.format(Timestamp.date(milliseconds: $0.minute * 60_000)), orders: $0.orders)
                })
        }
        routes.merged(ConsumerQueries.Analytics.summary, merge: { parts, _ in Self.merge(parts) }) { _, _, scope in
            Self.summary(try await readModel.tally(scope: scope))
        }
    }

    static func summary(_ tally: AnalyticsReadModel.Tally) -> Summary {
        finished(
            Summary(
                orders: tally.statuses.values.reduce(0, +), delivered: tally.statuses[OrderStatus.delivered.rawValue] ?? 0,
                cancelled: tally.statuses[OrderStatus.cancelled.rawValue] ?? 0,
                rejected: tally.statuses[OrderStatus.rejected.rawValue] ?? 0,
                deliveryFailed: tally.statuses[OrderStatus.deliveryFailed.rawValue] ?? 0, cancellationRate: nil,
                funnel: zip(AnalyticsProjection.funnel, tally.reached).map { FunnelStage(stage: $0.rawValue, orders: $1) },
                timeToDeliver: tally.timeToDeliver.summary, timeToDeliverHistogram: tally.timeToDeliver))
    }

    static func finished(_ summary: Summary) -> Summary {
        var summary = summary
        summary.cancellationRate = summary.orders > 0 ? Double(summary.cancelled) / Double(summary.orders) : nil
        summary.timeToDeliver = summary.timeToDeliverHistogram.summary
        return summary
    }

    static func merge(_ parts: [Summary]) -> Summary {
        var total = parts[0]
        for part in parts.dropFirst() {
            total.orders += part.orders
            total.delivered += part.delivered
            total.cancelled += part.cancelled
            total.rejected += part.rejected
            total.deliveryFailed += part.deliveryFailed
            for index in total.funnel.indices { total.funnel[index].orders += part.funnel[index].orders }
            total.timeToDeliverHistogram.merge(part.timeToDeliverHistogram)
        }
        return finished(total)
    }
}
