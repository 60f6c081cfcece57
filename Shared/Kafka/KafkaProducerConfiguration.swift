/// Producer settings. The defaults are the safe ones this system relies on: idempotence with
/// `acks=all`, so a retried send can neither duplicate nor reorder a key's records.
public struct KafkaProducerConfiguration: Sendable, Equatable {
    /// How many acknowledgements a send waits for (`acks`).
    public enum Acks: String, Sendable, Hashable, CaseIterable {
        /// Fire and forget: a record counts as delivered once it is written to the socket.
        case unacknowledged = "0"
        /// The partition leader has appended it; lost if the leader dies before a follower copies it.
        case leader = "1"
        /// Every in-sync replica has it (and at least `min.insync.replicas` of them).
        case all
    }

    public var common: KafkaConfiguration
    /// Idempotent producer (implies `acks=all`, bounded in-flight requests, infinite retries
    /// within `deliveryTimeout`).
    public var idempotent: Bool
    /// Acknowledgements per send. Idempotence requires `.all`; `KafkaProducer.make` refuses
    /// anything else with it.
    public var acks: Acks = .all
    /// How long librdkafka may batch messages before sending (`linger.ms`).
    public var linger: Duration
    /// How long a message may take in total before its delivery report fails (`delivery.timeout.ms`).
    public var deliveryTimeout: Duration
    /// Upper bound of messages waiting in librdkafka's local queue (`queue.buffering.max.messages`).
    public var maxQueuedMessages: Int
    /// `compression.codec`: none, gzip, snappy, lz4, zstd.
    public var compression: String
    /// Makes the producer transactional (`transactional.id`, KIP-98): its records are written in
    /// transactions, and a newer producer with the same id fences this one. The id must stay the
    /// same across restarts of one logical producer (for example, per input partition or per
    /// instance) for the fencing to protect anything.
    public var transactionalID: String?
    /// How long the coordinator lets a transaction stay open before aborting it
    /// (`transaction.timeout.ms`).
    public var transactionTimeout: Duration = .seconds(60)

    public init(
        common: KafkaConfiguration, idempotent: Bool = true, linger: Duration = .milliseconds(5),
        deliveryTimeout: Duration = .seconds(120), maxQueuedMessages: Int = 100_000, compression: String = "lz4"
    ) {
        self.common = common
        self.idempotent = idempotent
        self.linger = linger
        self.deliveryTimeout = deliveryTimeout
        self.maxQueuedMessages = maxQueuedMessages
        self.compression = compression
    }

    /// Throws when the settings contradict each other, saying which to change.
    func validate() throws(KafkaError) {
        if idempotent && acks != .all {
            throw KafkaError(
                .configuration,
                "an idempotent producer needs acks=all (it has acks=\(acks.rawValue)): set acks to .all or idempotent to false")
        }
    }

    func librdkafkaProperties() -> [String: String] {
        var properties = common.librdkafkaProperties()
        properties["enable.idempotence"] = String(idempotent)
        properties["acks"] = acks.rawValue
        properties["linger.ms"] = String(linger.milliseconds)
        properties["delivery.timeout.ms"] = String(deliveryTimeout.milliseconds)
        properties["queue.buffering.max.messages"] = String(maxQueuedMessages)
        properties["compression.codec"] = compression
        if let transactionalID {
            properties["transactional.id"] = transactionalID
            properties["transaction.timeout.ms"] = String(transactionTimeout.milliseconds)
            // A record may not outlive the transaction it belongs to (librdkafka refuses otherwise).
            properties["delivery.timeout.ms"] = String(min(deliveryTimeout, transactionTimeout).milliseconds)
        }
        // The default partitioner: murmur2 on the key, as the Java client does, so every client
        // (and `fooddelivery keys`) agrees on which partition a key lands on.
        properties["partitioner"] = "murmur2_random"
        // Topics are created deliberately (partitions, retention), never by a stray produce.
        properties["allow.auto.create.topics"] = "false"
        properties.merge(common.overrides) { _, new in new }
        return properties
    }
}
