/// Group consumer settings.
///
/// Offsets are never auto-committed or auto-stored: applications store what they have processed
/// (in their own database, in this system) and commit explicitly. `autoOffsetReset` defaults to
/// `.error` so a position outside the log (a broker that lost its data, retention that deleted
/// it) surfaces as an error instead of silently skipping records.
public struct KafkaConsumerConfiguration: Sendable, Equatable {
    public enum AssignmentStrategy: String, Sendable, Equatable, CaseIterable, Codable {
        case range
        case roundRobin = "roundrobin"
        /// Incremental rebalancing (KIP-429): only moved partitions are revoked. The right default
        /// on Apache Kafka; degraded on the local Tansu broker (see docs/LOCAL-BROKER.md).
        case cooperativeSticky = "cooperative-sticky"
    }

    public enum OffsetReset: String, Sendable, Equatable {
        case earliest, latest, error
    }

    /// Which records of transactional producers a consumer sees (`isolation.level`).
    public enum IsolationLevel: String, Sendable, Equatable {
        /// Only records of committed transactions (and non-transactional ones), up to the last
        /// stable offset: what every consumer of this system uses.
        case readCommitted = "read_committed"
        /// Every record as soon as it is written, aborted transactions' records included.
        case readUncommitted = "read_uncommitted"
    }

    public var common: KafkaConfiguration
    public var groupID: String
    /// Static membership (KIP-345): a restarted member with the same id gets its partitions back
    /// without a rebalance, as long as it returns within the session timeout.
    public var groupInstanceID: String?
    public var assignmentStrategy: AssignmentStrategy
    public var sessionTimeout: Duration
    public var heartbeatInterval: Duration
    public var maxPollInterval: Duration
    public var autoOffsetReset: OffsetReset
    /// Deliver an end-of-partition event each time the consumer reaches a partition's end.
    public var partitionEOF: Bool
    /// Commit stored offsets in the background (`enable.auto.commit`). Off by default: commits
    /// are the application's decision.
    public var autoCommit: Bool
    /// How many records librdkafka prefetches per partition (`queued.min.messages`).
    public var prefetchMessages: Int
    /// …and at most this many kilobytes of them (`queued.max.messages.kbytes`). A consumer far
    /// behind holds up to this much of the log in memory, and the process keeps that high-water
    /// mark afterwards.
    public var prefetchKilobytes: Int = 65_536
    /// How long the fetcher pauses a partition whose prefetch queue is full
    /// (`fetch.queue.backoff.ms`). librdkafka's default of 1 s stalls a catching-up consumer
    /// that drains the queue in a fraction of that; 50 ms keeps it fed at bounded memory.
    public var fetchQueueBackoff: Duration
    /// How long a broker may hold a fetch that has no records yet (`fetch.wait.max.ms`). Kafka
    /// answers as soon as records arrive, so the wait costs nothing there; the local Tansu broker
    /// holds the fetch for the whole wait (measured: produce → commit p50 160 ms at librdkafka's
    /// 500 ms, 11 ms at 5 ms), so its profile keeps the wait short.
    public var fetchWaitMax: Duration
    public var isolationLevel: IsolationLevel = .readCommitted

    public init(
        common: KafkaConfiguration, groupID: String, groupInstanceID: String? = nil,
        assignmentStrategy: AssignmentStrategy = .cooperativeSticky, sessionTimeout: Duration = .seconds(45),
        heartbeatInterval: Duration = .seconds(3), maxPollInterval: Duration = .seconds(300),
        autoOffsetReset: OffsetReset = .error, partitionEOF: Bool = false, autoCommit: Bool = false,
        prefetchMessages: Int = 100_000, fetchQueueBackoff: Duration = .milliseconds(50), fetchWaitMax: Duration = .milliseconds(500)
    ) {
        self.fetchWaitMax = fetchWaitMax
        self.common = common
        self.groupID = groupID
        self.groupInstanceID = groupInstanceID
        self.assignmentStrategy = assignmentStrategy
        self.sessionTimeout = sessionTimeout
        self.heartbeatInterval = heartbeatInterval
        self.maxPollInterval = maxPollInterval
        self.autoOffsetReset = autoOffsetReset
        self.partitionEOF = partitionEOF
        self.autoCommit = autoCommit
        self.prefetchMessages = prefetchMessages
        self.fetchQueueBackoff = fetchQueueBackoff
    }

    func librdkafkaProperties() -> [String: String] {
        var properties = common.librdkafkaProperties()
        properties["group.id"] = groupID
        if let groupInstanceID { properties["group.instance.id"] = groupInstanceID }
        properties["partition.assignment.strategy"] = assignmentStrategy.rawValue
        properties["session.timeout.ms"] = String(sessionTimeout.milliseconds)
        properties["heartbeat.interval.ms"] = String(heartbeatInterval.milliseconds)
        properties["max.poll.interval.ms"] = String(maxPollInterval.milliseconds)
        properties["auto.offset.reset"] = autoOffsetReset.rawValue
        properties["enable.partition.eof"] = String(partitionEOF)
        properties["enable.auto.commit"] = String(autoCommit)
        // The application stores offsets explicitly (`store(_:)`) once it has processed records.
        properties["enable.auto.offset.store"] = "false"
        properties["queued.min.messages"] = String(prefetchMessages)
        properties["queued.max.messages.kbytes"] = String(prefetchKilobytes)
        properties["fetch.queue.backoff.ms"] = String(fetchQueueBackoff.milliseconds)
        properties["fetch.wait.max.ms"] = String(fetchWaitMax.milliseconds)
        properties["isolation.level"] = isolationLevel.rawValue
        properties.merge(common.overrides) { _, new in new }
        return properties
    }
}

extension KafkaConsumerConfiguration {
    /// Client settings measured to work against the local Tansu broker (docs/LOCAL-BROKER.md): a short
    /// session so a killed member is evicted in seconds, and the range assignor because Tansu's
    /// cooperative-sticky rebalances are slow and can revoke a live member's partitions; and a
    /// 10 ms fetch wait, because Tansu holds a waiting fetch for all of it.
    public static func localBroker(common: KafkaConfiguration, groupID: String) -> Self {
        Self(
            common: common, groupID: groupID, assignmentStrategy: .range,
            sessionTimeout: .seconds(6), heartbeatInterval: .seconds(1), fetchWaitMax: .milliseconds(10)
        )
    }
}
