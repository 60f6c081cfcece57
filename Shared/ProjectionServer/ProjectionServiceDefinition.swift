public import Projection

/// What makes one consumer service: its name (which is also its consumer group's, by default),
/// its port, its read model, and its queries. Each read-model library declares its own.
public struct ProjectionServiceDefinition: Sendable {
    public let name: String
    public let defaultPort: Int
    public let projection: @Sendable (_ group: String) -> any Projection
    public let queries: @Sendable (QueryRoutes) -> Void

    public init(
        name: String, defaultPort: Int, projection: @escaping @Sendable (_ group: String) -> any Projection,
        queries: @escaping @Sendable (QueryRoutes) -> Void
    ) {
        self.name = name
        self.defaultPort = defaultPort
        self.projection = projection
        self.queries = queries
    }
}
