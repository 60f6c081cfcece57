public import GRDB

/// Which partitions' rows a local query may answer from.
///
/// An instance's database keeps rows of partitions it owned before a rebalance moved them; those
/// rows stop changing when the partition leaves, so when several instances share a group each
/// answers only for the partitions it owns now (and the others answer for theirs). Alone, an
/// instance answers from everything it has.
public struct PartitionScope: Sendable, Equatable {
    /// nil: every partition.
    public let partitions: [Int32]?

    public static let all = PartitionScope(partitions: nil)

    public init(partitions: [Int32]?) { self.partitions = partitions }

    /// A condition on `column` for a query's WHERE clause (bound parameters, never text).
    public func condition(_ column: String = "partition") -> SQL {
        guard let partitions else { return "1" }
        return "\(Column(column)) IN \(partitions)"
    }

    public func contains(_ partition: Int32) -> Bool { partitions?.contains(partition) ?? true }
}
