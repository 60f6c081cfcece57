/// Durations in whole seconds, counted per second: exact to the second, and mergeable across
/// instances (a p95 cannot be computed from other instances' p95s, but from their histograms).
public struct DurationHistogram: Codable, Sendable, Equatable {
    /// Seconds → how many.
    public var counts: [Int: Int]

    public init(counts: [Int: Int] = [:]) { self.counts = counts }

    public var total: Int { counts.values.reduce(0, +) }

    public mutating func add(seconds: Int, count: Int = 1) { counts[seconds, default: 0] += count }

    public mutating func merge(_ other: Self) { counts.merge(other.counts, uniquingKeysWith: +) }

    public var summary: Summary {
        let sorted = counts.sorted { $0.key < $1.key }
        let total = self.total
        func percentile(_ p: Double) -> Int? {
            guard total > 0 else { return nil }
            let rank = Int((p * Double(total)).rounded(.up))
            var seen = 0
            for (seconds, count) in sorted {
                seen += count
                if seen >= max(rank, 1) { return seconds }
            }
            return sorted.last?.key
        }
        let sum = sorted.reduce(0) { $0 + $1.key * $1.value }
        return Summary(
            count: total, averageSeconds: total > 0 ? Double(sum) / Double(total) : nil, p50Seconds: percentile(0.5),
            p95Seconds: percentile(0.95))
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var count: Int
        public var averageSeconds: Double?
        public var p50Seconds: Int?
        public var p95Seconds: Int?
    }
}
