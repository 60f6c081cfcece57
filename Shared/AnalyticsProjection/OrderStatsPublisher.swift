import Contract
public import Kafka
public import Logging
public import Projection

/// analytics' per-minute, per-region statistics (`order-stats`, docs/EVENTS.md): the order-event
/// topic turned into `OrderStats` records by `OrderStatsStore`, in Kafka transactions, with the
/// store's changelog beside them.
public typealias OrderStatsPublisher = TransactionalTransform<OrderStatsStore>

extension TransactionalTransform where Store == OrderStatsStore {
    /// The statistics of `orderTopic`, in `consumer`'s group (`ConsumerGroups.orderStats(of:)`).
    public convenience init(
        kafka: KafkaConfiguration, consumer: KafkaConsumerConfiguration, orderTopic: String, transactionalID: String, logger: Logger,
        beforeCommit: @escaping @Sendable (_ transaction: Int) async throws -> Void = { _ in }
    ) throws {
        try self.init(
            kafka: kafka, consumer: consumer, input: orderTopic, output: Topics.named(Topics.orderStats, beside: orderTopic),
            changelog: Topics.orderStatsChangelog(ofGroup: consumer.groupID), transactionalID: transactionalID, logger: logger,
            beforeCommit: beforeCommit)
    }
}
