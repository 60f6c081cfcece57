/// What `GET /instance` answers: who this instance is in its group and which partitions it
/// serves. Peers read it to route a query to the partition's owner, and to see the whole group.
public struct InstanceInfo: Codable, Sendable, Equatable {
    /// An owned partition: the next offset stored with the read model, and the log end from the
    /// latest Fetch response.
    public struct OwnedPartition: Codable, Sendable, Equatable {
        public var partition: Int32
        public var storedOffset: Int64?
        public var logEnd: Int64?
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
}

extension InstanceInfo {
    /// This instance's claim in a `GroupView`.
    var claim: MemberClaim? {
        guard let memberID else { return nil }
        var claim = MemberClaim(memberID: memberID, partitions: assignment)
        for partition in owned ?? [] {
            claim.positions[partition.partition] = partition.storedOffset
            claim.logEnds[partition.partition] = partition.logEnd
        }
        return claim
    }
}
