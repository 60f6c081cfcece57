import GRDB
public import Projection
public import ProjectionServer

/// The analytics read model, as its queries see it: the only place that knows its table.
public struct AnalyticsReadModel: Sendable {
    private let reader: any DatabaseReader

    public init(_ database: ProjectionDatabase) { reader = database.writer }

    private typealias Columns = AnalyticsOrder.Columns

    /// Orders created per region and minute (minutes since 1970), over the `minutes` up to the
    /// newest minute this model has, oldest first.
    public func ordersPerMinute(region: String?, minutes: Int, scope: PartitionScope) async throws -> [(
        region: String, minute: Int64, orders: Int
    )] {
        let inRegion: SQLExpression = region.map { Columns.region == $0 } ?? true.sqlExpression
        return try await reader.read { db in
            let newest = try AnalyticsOrder.select(max(Columns.createdMinute), as: Int64.self).fetchOne(db) ?? 0
            return try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT region, createdMinute, COUNT(*) AS orders FROM analytics_order
                        WHERE \(inRegion) AND createdMinute > \(newest - Int64(minutes)) AND \(scope.includes(Columns.partition))
                        GROUP BY region, createdMinute ORDER BY createdMinute, region
                        """)
            ).map { (region: $0["region"], minute: $0["createdMinute"], orders: $0["orders"]) }
        }
    }

    /// How the orders stand: how many per status, how many reached each funnel stage (index in
    /// `AnalyticsProjection.funnel`), and created → delivered per second.
    public struct Tally: Sendable {
        public var statuses: [String: Int] = [:]
        public var reached: [Int] = Array(repeating: 0, count: AnalyticsProjection.funnel.count)
        public var timeToDeliver = DurationHistogram()
    }

    public func tally(scope: PartitionScope) async throws -> Tally {
        let inScope = scope.includes(Columns.partition)
        return try await reader.read { db in
            var tally = Tally()
            for row in try Row.fetchAll(
                db, SQLRequest<Row>(literal: "SELECT status, COUNT(*) AS n FROM analytics_order WHERE \(inScope) GROUP BY status"))
            {
                tally.statuses[row["status"]] = row["n"]
            }
            for row in try Row.fetchAll(
                db, SQLRequest<Row>(literal: "SELECT stage, COUNT(*) AS n FROM analytics_order WHERE \(inScope) GROUP BY stage"))
            {
                let stage: Int = row["stage"]
                for index in 0...min(stage, tally.reached.count - 1) { tally.reached[index] += row["n"] as Int }
            }
            for row in try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT (deliveredAt - createdAt) / 1000 AS seconds, COUNT(*) AS n FROM analytics_order
                        WHERE deliveredAt IS NOT NULL AND \(inScope) GROUP BY seconds
                        """))
            {
                tally.timeToDeliver.add(seconds: row["seconds"], count: row["n"])
            }
            return tally
        }
    }
}
