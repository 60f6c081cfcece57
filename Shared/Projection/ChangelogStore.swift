public import OrderEvents

/// The state of a `TransactionalTransform`, one per input partition: restored from its changelog
/// partition, changed by events, and turned into output records.
public protocol ChangelogStore: Sendable {
    /// One changelog record's value; its key is a string (an order id, say).
    associatedtype Entry: Codable & Sendable

    init(partition: Int32)
    /// Takes in one changelog record, in log order: the latest per key wins, as compaction keeps it.
    mutating func restore(key: String, entry: Entry)
    /// Applies `event`; returns the changelog record it changed, nil when it changed nothing.
    /// Applying an event the state already holds must change nothing: after a failed transaction
    /// the state is restored, and may already hold the aborted batch's changes (a broker that
    /// shows aborted records), when the batch is read again.
    mutating func apply(_ event: OrderEvent) -> (key: String, entry: Entry)?
    /// The output records (key, value) that carry what the `changed` entries lead to, read after
    /// the whole batch is applied.
    func outputs(changed: [String: Entry]) throws -> [(key: String, value: [UInt8])]
    /// Every output record the state leads to: republished after a restore.
    func allOutputs() throws -> [(key: String, value: [UInt8])]
}
