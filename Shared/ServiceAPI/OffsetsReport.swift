/// What `GET /offsets` answers: this instance's positions and lag per partition, its counters,
/// and its whole group as it sees it.
public struct OffsetsReport: Sendable, Codable, Equatable {
    /// A partition this instance has stored an offset for or owns.
    public struct Partition: Sendable, Codable, Equatable {
        public var partition: Int32
        public var assigned: Bool
        public var storedOffset: Int64?
        public var logEnd: Int64?
        /// logEnd − storedOffset, clamped at 0; nil while the log end is unknown.
        public var lag: Int64?
        /// When the newest event applied from this partition happened (ISO 8601).
        public var lastEventAt: String?

        public init(partition: Int32, assigned: Bool, storedOffset: Int64?, logEnd: Int64?, lag: Int64?, lastEventAt: String?) {
            self.partition = partition
            self.assigned = assigned
            self.storedOffset = storedOffset
            self.logEnd = logEnd
            self.lag = lag
            self.lastEventAt = lastEventAt
        }
    }

    /// What a projection's runner has done since it started.
    public struct Counters: Sendable, Codable, Equatable {
        public var applied = 0
        public var duplicates = 0
        public var deadLettered = 0
        public var batches = 0
        public var retries = 0

        public init() {}
    }

    public var group: String
    public var assignment: [Int32]
    public var partitions: [Partition]
    /// The lag of the partitions this instance owns.
    public var totalLag: Int64?
    /// The lag of every partition of the topic, owned by this instance, another, or nobody (nil
    /// while the group view is not known).
    public var groupLag: Int64?
    public var counts: Counters
    /// The whole group as this member sees it: owners, positions and lag of every partition.
    public var groupView: GroupView?
    /// How often this member left and rejoined its group because partitions had no owner.
    public var rejoins: Int

    public init(
        group: String, assignment: [Int32], partitions: [Partition], totalLag: Int64?, groupLag: Int64?, counts: Counters,
        groupView: GroupView?, rejoins: Int
    ) {
        self.group = group
        self.assignment = assignment
        self.partitions = partitions
        self.totalLag = totalLag
        self.groupLag = groupLag
        self.counts = counts
        self.groupView = groupView
        self.rejoins = rejoins
    }
}
