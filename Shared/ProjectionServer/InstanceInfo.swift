/// What `GET /instance` answers: who this instance is in its group and which partitions it
/// serves. Peers read it to route a query to the partition's owner.
public struct InstanceInfo: Codable, Sendable, Equatable {
    public var group: String
    public var memberID: String?
    public var instanceID: String?
    public var topic: String
    /// The topic's partition count (0 while unknown).
    public var partitionCount: Int
    public var assignment: [Int32]
    public var peers: [String]
}
