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

    /// A read model's condition for its rows in scope, given the column that holds each row's
    /// partition (bound parameters, never text).
    public func includes(_ partition: Column) -> SQLExpression {
        guard let partitions else { return true.sqlExpression }
        return partitions.contains(partition)
    }

    public func contains(_ partition: Int32) -> Bool { partitions?.contains(partition) ?? true }
}
