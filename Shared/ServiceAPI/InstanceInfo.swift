/// What `GET /instance` answers: who this instance is in its group and which partitions it
/// serves. Peers read it to route a query to the partition's owner, and to see the whole group.
public struct InstanceInfo: Codable, Sendable, Equatable {
    /// An owned partition: the next offset stored with the read model, and the log end from the
    /// latest Fetch response.
    public struct OwnedPartition: Codable, Sendable, Equatable {
        public var partition: Int32
        public var storedOffset: Int64?
        public var logEnd: Int64?

        public init(partition: Int32, storedOffset: Int64?, logEnd: Int64?) {
            self.partition = partition
            self.storedOffset = storedOffset
            self.logEnd = logEnd
        }
    }

    public var group: String
    public var memberID: String?
    public var instanceID: String?
    public var topic: String
    /// The topic's partition count (0 while unknown).
    public var partitionCount: Int
    public var assignment: [Int32]
    public var peers: [String]
    /// Where this instance stands in each partition it owns (nil from an instance that predates it).
    public var owned: [OwnedPartition]?

    public init(
        group: String, memberID: String? = nil, instanceID: String? = nil, topic: String, partitionCount: Int, assignment: [Int32],
        peers: [String], owned: [OwnedPartition]? = nil
    ) {
        self.group = group
        self.memberID = memberID
        self.instanceID = instanceID
        self.topic = topic
        self.partitionCount = partitionCount
        self.assignment = assignment
        self.peers = peers
        self.owned = owned
    }
}
