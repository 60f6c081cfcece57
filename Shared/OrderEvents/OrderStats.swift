import Foundation

/// One record of `order-stats` (docs/EVENTS.md): how the orders created in one minute in one
/// region stand, counted over the orders of one order-event partition. A minute's statistics for
/// a region are the sum of its records over the partitions (`OrderStats.totals`).
///
/// The topic is compacted and a record carries absolute counts, not increments: a reader keeps
/// the latest value per key, and reading a key again never counts anything twice.
public struct OrderStats: Codable, Sendable, Hashable {
    public var region: String
    /// The minute's start, `Timestamp.format` (UTC, ISO 8601).
    public var minute: String
    /// The order-event partition whose orders these are.
    public var partition: Int32
    /// The orders created in the minute, each counted once, as it stands now.
    public var counts = OrderCounts()

    public init(region: String, minute: String, partition: Int32) {
        self.region = region
        self.minute = minute
        self.partition = partition
    }

    /// The record's key: `region/minute/partition`.
    public var key: String { "\(region)/\(minute)/\(partition)" }

    /// A region's minute over every partition.
    public struct Totals: Codable, Sendable, Hashable {
        public var region: String
        public var minute: String
        public var counts = OrderCounts()

        public init(region: String, minute: String) {
            self.region = region
            self.minute = minute
        }
    }

    /// Sums the latest record of each key per region and minute, oldest minute first.
    public static func totals(_ latest: some Sequence<OrderStats>) -> [Totals] {
        var sums: [String: Totals] = [:]
        for stats in latest {
            let id = "\(stats.minute)/\(stats.region)"
            var total = sums[id] ?? Totals(region: stats.region, minute: stats.minute)
            total.counts = total.counts + stats.counts
            sums[id] = total
        }
        return sums.values.sorted { ($0.minute, $0.region) < ($1.minute, $1.region) }
    }

    /// The minute `milliseconds` falls in, as `minute` spells it.
    public static func minute(ofMilliseconds milliseconds: Int64) -> String {
        Timestamp.format(Timestamp.date(milliseconds: milliseconds - ((milliseconds % 60_000) + 60_000) % 60_000))
    }
}
