public import Foundation

/// The whole consumer group as one of its members sees it: for every partition of the topic, who
/// owns it, how far the group has applied it, and how far its log reaches. Put together from this
/// instance, the peers that answer, and what the group's coordinator says (DescribeGroups,
/// committed offsets), so that a partition nobody consumes shows, with its lag, wherever one looks.
public struct GroupView: Codable, Sendable, Equatable {
    public struct Partition: Codable, Sendable, Equatable {
        public var partition: Int32
        /// The member that owns it (nil: nobody, or nobody could tell).
        public var owner: String?
        /// The next offset to apply: the owner's stored offset, else the group's committed offset.
        public var position: Int64?
        public var logEnd: Int64?
        /// logEnd − position, clamped at 0 (nil while either is unknown).
        public var lag: Int64?

        public init(partition: Int32, owner: String?, position: Int64?, logEnd: Int64?, lag: Int64?) {
            self.partition = partition
            self.owner = owner
            self.position = position
            self.logEnd = logEnd
            self.lag = lag
        }
    }

    public var topic: String
    public var partitions: [Partition]
    /// Partitions of the topic that no member owns while the coordinator calls the group Stable.
    /// Empty when every one has an owner, and also when that cannot be told: mid-rebalance, or
    /// while a member the coordinator lists has not said what it owns (`undescribedMembers`).
    public var unowned: [Int32]
    /// Since when the longest-unowned of `unowned` has had no owner.
    public var unownedSince: Date?
    /// Members the coordinator lists whose partitions neither they (as peers) nor the coordinator
    /// said: while there are any, partitions not otherwise owned may be theirs, so none is called
    /// unowned.
    public var undescribedMembers: [String]
    /// The members the coordinator lists (nil: it did not answer).
    public var coordinatorMembers: [String]?
    /// The group's state as the coordinator reports it (Stable, PreparingRebalance, …).
    public var coordinatorState: String?
    /// The sum of every partition's lag (nil while any is unknown).
    public var totalLag: Int64?
    public var takenAt: Date

    public init(
        topic: String, partitions: [Partition], unowned: [Int32], unownedSince: Date?, undescribedMembers: [String],
        coordinatorMembers: [String]?, coordinatorState: String?, totalLag: Int64?, takenAt: Date
    ) {
        self.topic = topic
        self.partitions = partitions
        self.unowned = unowned
        self.unownedSince = unownedSince
        self.undescribedMembers = undescribedMembers
        self.coordinatorMembers = coordinatorMembers
        self.coordinatorState = coordinatorState
        self.totalLag = totalLag
        self.takenAt = takenAt
    }
}

extension GroupView {
    /// The lag of the `unowned` partitions: what nobody is consuming.
    public var unownedLag: Int64 { partitions.filter { unowned.contains($0.partition) }.compactMap(\.lag).reduce(0, +) }

    /// How long `unowned` partitions have had no owner.
    public func unownedFor(now: Date = Date()) -> TimeInterval { unownedSince.map { now.timeIntervalSince($0) } ?? 0 }
}
