import Foundation
public import OrderEvents
public import Projection

/// The state behind one order-event partition's `order-stats` records: where each order stands
/// (its changelog entry) and the counts of every minute and region it feeds.
///
/// Applying an event is idempotent: an order moves only on a sequence above the one it stands at,
/// so a repeated event, or an event read again after the state was restored from a changelog that
/// already holds it, changes nothing. That is what makes the state exact after any replay.
public struct OrderStatsStore: ChangelogStore {
    /// One order, as its changelog record keeps it (keyed by order id).
    public struct Entry: Codable, Sendable, Hashable {
        public var region: String
        /// `OrderStats.minute` of the first event of the order this partition saw.
        public var minute: String
        public var sequence: Int
        public var status: OrderStatus
        public var totalCents: Int
    }

    public let partition: Int32
    public private(set) var entries: [String: Entry] = [:]
    private var stats: [String: OrderStats] = [:]

    public init(partition: Int32) { self.partition = partition }

    /// Takes in one changelog record, keyed by order id (the latest per order wins, as compaction
    /// keeps it).
    public mutating func restore(key orderID: String, entry: Entry) {
        place(orderID: orderID, entry)
    }

    /// Applies `event`; returns the order's new entry when it moved, nil for a repeat or an older event.
    public mutating func apply(_ event: OrderEvent) -> (key: String, entry: Entry)? {
        let current = entries[event.orderID]
        if let current, event.sequence <= current.sequence { return nil }
        let entry = Entry(
            region: current?.region ?? event.order.region,
            minute: current?.minute ?? OrderStats.minute(ofMilliseconds: event.occurredAtMilliseconds), sequence: event.sequence,
            status: event.order.status, totalCents: event.order.totalCents)
        place(orderID: event.orderID, entry)
        return (event.orderID, entry)
    }

    /// The `order-stats` records of the minutes and regions the `changed` orders feed, keyed
    /// `region/minute/partition`.
    public func outputs(changed: [String: Entry]) throws -> [(key: String, value: [UInt8])] {
        var cohorts: [String: OrderStats] = [:]
        for entry in changed.values {
            let stats = stats(of: entry)
            cohorts[stats.key] = stats
        }
        return try Self.encoded(cohorts.values)
    }

    /// Every minute and region of this partition's orders.
    public func allOutputs() throws -> [(key: String, value: [UInt8])] { try Self.encoded(stats.values) }

    private static func encoded(_ stats: some Sequence<OrderStats>) throws -> [(key: String, value: [UInt8])] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try stats.sorted { $0.key < $1.key }.map { ($0.key, Array(try encoder.encode($0))) }
    }

    /// The statistics record of `entry`'s minute and region.
    public func stats(of entry: Entry) -> OrderStats {
        stats[Self.cohort(entry)] ?? OrderStats(region: entry.region, minute: entry.minute, partition: partition)
    }

    private mutating func place(orderID: String, _ entry: Entry) {
        if let old = entries[orderID] { count(old, sign: -1) }
        count(entry, sign: 1)
        entries[orderID] = entry
    }

    private mutating func count(_ entry: Entry, sign: Int) {
        var cohort = stats(of: entry)
        cohort.counts.count(entry.status, totalCents: entry.totalCents, sign: sign)
        stats[Self.cohort(entry)] = cohort
    }

    private static func cohort(_ entry: Entry) -> String { "\(entry.region)/\(entry.minute)" }
}
