public import Contract
public import Kafka

/// The topics a service publishes to, each with its dead-letter topic, created before its first
/// publish if missing: the order-event stream (`orders`), and the choreography's topics that a
/// service writes, named beside it (`Topics.named`).
public struct ServiceTopics: Sendable {
    public var events: String
    public var deadLetters: String
    /// Plain names of more topics this service writes (`Topics.kitchenOrders`, …).
    public var others: [String]
    public var partitions: Int
    /// -1: the broker's default (3 on the compose cluster).
    public var replicationFactor: Int

    /// `events` and its dead-letter topic (`Topics.deadLetters(of:)`).
    public init(events: String = Topics.orderEvents, others: [String] = [], partitions: Int = 6, replicationFactor: Int = -1) {
        self.events = events
        self.others = others.map { Topics.named($0, beside: events) }
        self.deadLetters = Topics.deadLetters(of: events)
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }

    /// The choreography's topics: `orders` (and `fooddelivery up`) create them with the order-event
    /// topic, so whichever service starts first finds them.
    public static let choreography = [Topics.kitchenOrders, Topics.restaurantEvents, Topics.courierRequests, Topics.deliveryEvents]

    /// Unlimited retention: any projection can be rebuilt by replaying from offset 0, and a
    /// partition's new owner after a rebalance can rebuild its rows. Kafka's 7-day default would
    /// make such a replay silently incomplete.
    public static let retention = ["retention.ms": "-1", "cleanup.policy": "delete"]

    /// Every topic, each followed by its dead-letter topic.
    public var all: [String] { [events, deadLetters] + others.flatMap { [$0, Topics.deadLetters(of: $0)] } }

    /// Creates missing topics; existing ones are left as they are. Throws with what to do when the
    /// broker refuses.
    public func ensure(using admin: KafkaAdmin) async throws {
        for name in all {
            do {
                try await admin.ensureTopic(
                    NewTopic(name: name, partitions: partitions, replicationFactor: replicationFactor, configs: Self.retention))
            } catch {
                throw KafkaError(
                    .admin,
                    "could not create topic \(name) (\(partitions) partitions, replication factor \(replicationFactor)): \(error). "
                        + "Check that the broker is reachable and allows CreateTopics, or create the topic yourself.")
            }
        }
    }
}
