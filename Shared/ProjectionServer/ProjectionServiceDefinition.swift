public import Kafka
public import Logging
public import Projection
public import ServiceLifecycle

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
    /// What the service publishes from the stream besides its read model (analytics' order-stats),
    /// nil: nothing. Runs unless `--publish-stats false`.
    public let publisher: (@Sendable (PublisherContext) throws -> any StreamPublisher)?

    public init(
        name: String, defaultPort: Int, projection: @escaping @Sendable (_ group: String) -> any Projection,
        queries: @escaping @Sendable (QueryRoutes) -> Void, decider: (@Sendable (_ seed: UInt64, _ speed: Double) -> any Decider)? = nil,
        publisher: (@Sendable (PublisherContext) throws -> any StreamPublisher)? = nil
    ) {
        self.name = name
        self.defaultPort = defaultPort
        self.projection = projection
        self.queries = queries
        self.decider = decider
        self.publisher = publisher
    }

    /// What a service's publisher is built from.
    public struct PublisherContext: Sendable {
        public var kafka: KafkaConfiguration
        /// The service's consumer group; the publisher's group is named after it.
        public var group: String
        public var orderTopic: String
        /// This instance, stable across its restarts and unique among the service's instances
        /// (its `--instance-id`, else an id kept in its data directory): a transactional id.
        public var instance: String
        public var logger: Logger
        /// The service's consumer settings, for a group of the publisher's own.
        public var consumerConfiguration: @Sendable (_ group: String) -> KafkaConsumerConfiguration
    }
}

/// A part of a service that publishes what it makes of the stream (a `TransactionalTransform`).
/// It holds its Kafka clients from the moment it is built, so one that never runs releases them
/// with `closeUnused()`.
public protocol StreamPublisher: Service {
    func closeUnused() async
}

extension TransactionalTransform: StreamPublisher {}
