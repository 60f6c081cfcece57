public import Projection

/// What makes one consumer service: its name (which is also its consumer group's, by default),
/// its port, its read model, its queries, and, for a service that takes part in the choreography,
/// its decider. Each service's library declares its own.
public struct ProjectionServiceDefinition: Sendable {
    public let name: String
    public let defaultPort: Int
    public let projection: @Sendable (_ group: String) -> any Projection
    public let queries: @Sendable (QueryRoutes) -> Void
    /// The service's decisions, from the run's seed and speed (nil: it only reads).
    public let decider: (@Sendable (_ seed: UInt64, _ speed: Double) -> any Decider)?

    public init(
        name: String, defaultPort: Int, projection: @escaping @Sendable (_ group: String) -> any Projection,
        queries: @escaping @Sendable (QueryRoutes) -> Void, decider: (@Sendable (_ seed: UInt64, _ speed: Double) -> any Decider)? = nil
    ) {
        self.name = name
        self.defaultPort = defaultPort
        self.projection = projection
        self.queries = queries
        self.decider = decider
    }
}
