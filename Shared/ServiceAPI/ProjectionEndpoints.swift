/// The endpoints of every consumer service beside its queries.
public enum ProjectionEndpoints {
    /// `OffsetsReport`: positions, log ends and lag of this instance and its whole group.
    public static let offsets = Route(.get, "/offsets")
    /// `InstanceInfo`: who this instance is in its group; peers read it to route queries.
    public static let instance = Route(.get, "/instance")
    /// `ReplayReport`: rebuild the read model from `from`, compare checksums, swap per `swap`.
    public static let replay = Route(.post, "/replay")
    /// `ReplayState`: the replay in flight, if any.
    public static let replayState = Route(.get, "/replay")
}
