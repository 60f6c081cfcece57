import Contract
public import ProjectionServer

extension ProjectionServiceDefinition {
    /// `analytics`: the analytics read model of the order-event stream, in its own consumer group and
    /// SQLite database, and its queries over HTTP: orders per region per minute, the lifecycle funnel, time-to-deliver, cancellation rate.
    /// It also publishes per-minute, per-region statistics to `order-stats`, in Kafka transactions
    /// (`OrderStatsPublisher`).
    public static let analytics = ProjectionServiceDefinition(
        name: ServiceNames.analytics, defaultPort: 8085, projection: { AnalyticsProjection(name: $0) },
        queries: { AnalyticsAPI().addRoutes(to: $0) },
        publisher: { context in
            let group = ConsumerGroups.orderStats(of: context.group)
            return try OrderStatsPublisher(
                kafka: context.kafka, consumer: context.consumerConfiguration(group), orderTopic: context.orderTopic,
                transactionalID: "\(group)-\(context.instance)", logger: context.logger)
        })
}
