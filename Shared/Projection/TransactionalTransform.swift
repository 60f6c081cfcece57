import Foundation
public import Kafka
public import Logging
import Metrics
import OrderEvents
public import ServiceLifecycle
import Synchronization

/// Consume-transform-produce in Kafka transactions, over the order-event topic, in a consumer
/// group of its own (analytics' `order-stats` runs on it).
///
/// Per batch, one transaction holds:
/// - each state entry the batch changed, written to the changelog (in the partition of the input
///   partition it came from);
/// - the output records those entries lead to (`ChangelogStore.outputs`);
/// - the batch's next offsets, sent to the transaction (`sendOffsetsToTransaction`).
///
/// All three take effect together or not at all. The state (`Store`) lives in memory, one per
/// owned partition. It is restored from its changelog partition, read `read_committed`, the first
/// time a batch needs it after an assignment, and again after every failed transaction, whose
/// batch is then read again from the group's committed offsets.
public final class TransactionalTransform<Store: ChangelogStore>: Service, Sendable {
    public let input: String
    public let output: String
    /// The state's changelog (`Topics.changelog(ofGroup:store:)`): compacted, one partition per
    /// input partition.
    public let changelog: String
    private let common: KafkaConfiguration
    let consumer: KafkaConsumer
    private let producer: KafkaProducer
    private let revoked: RevokedPartitions
    private let counters = Mutex(Counters())
    private let metrics: (committed: Counter, aborted: Counter, published: Counter)
    private let logger: Logger
    private let beforeCommit: @Sendable (_ transaction: Int) async throws -> Void

    public struct Counters: Sendable, Equatable {
        public var committed = 0
        public var aborted = 0
        /// Output records written in committed transactions.
        public var published = 0
        /// Records that are not order events (the service's projection dead-letters them).
        public var skipped = 0
    }

    /// `consumer`'s group is the transform's own; `transactionalID` must stay the same across
    /// restarts of one instance (so that a restart fences the transaction its predecessor left
    /// open) and differ between instances. `beforeCommit` runs before each commit, numbered from
    /// 1: a test makes it throw to fail a transaction the way a crash or a broker error would.
    public init(
        kafka common: KafkaConfiguration, consumer configuration: KafkaConsumerConfiguration, input: String, output: String,
        changelog: String, transactionalID: String, logger: Logger,
        beforeCommit: @escaping @Sendable (_ transaction: Int) async throws -> Void = { _ in }
    ) throws {
        self.common = common
        self.logger = logger
        self.beforeCommit = beforeCommit
        self.input = input
        self.output = output
        self.changelog = changelog
        var configuration = configuration
        // The group's committed offsets are the state's: a new group starts at the beginning.
        configuration.autoOffsetReset = .earliest
        configuration.isolationLevel = .readCommitted
        configuration.autoCommit = false
        let revoked = RevokedPartitions()
        self.revoked = revoked
        let dimensions = [("group", configuration.groupID)]
        metrics = (
            Counter(label: "transform_transactions_total", dimensions: dimensions + [("outcome", "committed")]),
            Counter(label: "transform_transactions_total", dimensions: dimensions + [("outcome", "aborted")]),
            Counter(label: "transform_records_total", dimensions: dimensions)
        )
        consumer = try KafkaConsumer.make(configuration: configuration, rebalanceListener: revoked, logger: logger)
        var producerConfiguration = KafkaProducerConfiguration(common: common)
        producerConfiguration.transactionalID = transactionalID
        producer = try KafkaProducer.make(configuration: producerConfiguration, logger: logger)
    }

    public var counts: Counters { counters.withLock { $0 } }
    /// The input partitions this instance owns.
    public var assignment: [TopicPartition] { consumer.assignment }

    /// Closes the clients of a transform that never ran; `run()` closes its own.
    public func closeUnused() async {
        await consumer.close()
        await producer.close()
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.prepare() }
        } catch {
            await consumer.close()
            await producer.close()
            if error is CancellationError { return }
            throw error
        }
        do {
            try consumer.subscribe([input])
            try await consume()
        } catch {
            await consumer.close()
            await producer.close()
            throw error
        }
        await consumer.close()
        await producer.close()
    }

    private func consume() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // A record that fails delivery fails its transaction's commit: the reports say nothing more.
                group.addTask { for await _ in self.producer.deliveryReports {} }
                var stores: [Int32: Store] = [:]
                var transaction = 0
                for try await batch in self.consumer.batches(maxMessages: 1000, maxWait: .milliseconds(5)) {
                    if let error = batch.errors.first { throw error }
                    guard !batch.messages.isEmpty else { continue }
                    transaction += 1
                    try await self.publishOrRewind(batch, transaction: transaction, stores: &stores)
                }
                await self.consumer.close()
                await self.producer.close()
            }
        } onCancelOrGracefulShutdown: {
            self.consumer.stopFetching()
        }
    }

    /// Waits for the order-event topic, creates the output and the changelog beside it (compacted,
    /// one partition per input partition), and fences whatever a predecessor left open.
    private func prepare() async throws {
        try await TopicWait.untilTopicsExist([input], configuration: common, logger: logger, whoCreates: "orders creates it")
        let partitions = try await consumer.partitionCount(of: input)
        let admin = try KafkaAdmin.make(configuration: common, logger: logger, requestTimeout: .seconds(30))
        for name in [output, changelog] {
            do {
                try await admin.ensureTopic(
                    NewTopic(name: name, partitions: partitions, replicationFactor: -1, configs: ["cleanup.policy": "compact"]))
            } catch {
                throw KafkaError(
                    .admin,
                    "could not create topic \(name) (\(partitions) partitions, compacted): \(error). Create it yourself, or let the broker allow CreateTopics."
                )
            }
        }
        let changelogPartitions = try await consumer.partitionCount(of: changelog)
        guard changelogPartitions == partitions else {
            throw KafkaError(
                .configuration,
                "\(changelog) has \(changelogPartitions) partitions and \(input) has \(partitions): each order-event partition keeps its state in the changelog partition of the same number. To rebuild both from \(input): stop the service, delete \(changelog) and \(output), reset the group (`fooddelivery groups reset-offsets \(consumer.configuration.groupID) --topic \(input) --to-earliest --execute`), start the service."
            )
        }
        // The coordinator may still be loading its transaction log: that is worth waiting for.
        while true {
            do {
                try await producer.initTransactions()
                return
            } catch  where error.isRetriable {
                logger.warning("\(output): initTransactions: \(error); trying again")
            } catch {
                throw KafkaError(
                    .configuration,
                    "\(output): the broker refused to start transactions for \(producer.configuration.transactionalID ?? "?") (\(error)). Kafka needs transaction.state.log settings its brokers can meet (replication factor, min.insync.replicas); or run the service with --publish-stats false."
                )
            }
            try await Task.sleep(for: .seconds(1))
        }
    }

    /// Publishes `batch` in one transaction. When that fails, aborts it, forgets every state (it may
    /// hold the batch's changes) and rewinds to the committed offsets, so the batch is read again.
    /// A fatal error (this producer was fenced: another instance took over its id) ends the service.
    private func publishOrRewind(_ batch: ConsumerBatch, transaction: Int, stores: inout [Int32: Store]) async throws {
        do {
            try await publish(batch, transaction: transaction, stores: &stores)
        } catch {
            if Task.isCancelled || consumer.isStopping { throw error }
            if let error = error as? KafkaError, error.isFatal { throw error }
            logger.error("\(output): transaction \(transaction) failed, aborting and reading its batch again: \(error)")
            counters.withLock { $0.aborted += 1 }
            metrics.aborted.increment()
            stores.removeAll()
            do {
                try await producer.abortTransaction()
            } catch {
                if error.isFatal { throw error }
                logger.warning("\(output): abort of transaction \(transaction): \(error)")
            }
            let assignment = consumer.assignment
            let committed = try await consumer.committed(assignment)
            try await consumer.seek(committed.map { $0.offset.isLogical ? TopicPartitionOffset($0.topicPartition, .beginning) : $0 })
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    private func publish(_ batch: ConsumerBatch, transaction: Int, stores: inout [Int32: Store]) async throws {
        for partition in revoked.take() { stores[partition] = nil }
        let missing = Set(batch.messages.map(\.topicPartition.partition)).filter { stores[$0] == nil }
        if !missing.isEmpty { stores.merge(try await restore(missing.sorted())) { _, restored in restored } }

        var changed: [Int32: [String: Store.Entry]] = [:]
        var skipped = 0
        for (record, decoded) in zip(batch.messages, await BatchDecoder.decode(batch.messages)) {
            let partition = record.topicPartition.partition
            guard case .success(let event) = decoded else {
                skipped += 1
                continue
            }
            if let (key, entry) = stores[partition]?.apply(event) { changed[partition, default: [:]][key] = entry }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var records: [KafkaProducerMessage] = []
        var outputs = 0
        for (partition, entries) in changed.sorted(by: { $0.key < $1.key }) {
            guard let store = stores[partition] else { continue }
            for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
                records.append(
                    KafkaProducerMessage(
                        topic: changelog, partition: partition, key: Array(key.utf8), value: Array(try encoder.encode(entry))))
            }
            for (key, value) in try store.outputs(changed: entries) {
                records.append(KafkaProducerMessage(topic: output, key: Array(key.utf8), value: value))
                outputs += 1
            }
        }

        try producer.beginTransaction()
        try await producer.enqueue(contentsOf: records)
        try await producer.sendOffsetsToTransaction(batch.nextOffsets, consumer: consumer)
        try await beforeCommit(transaction)
        try await producer.commitTransaction()
        metrics.committed.increment()
        metrics.published.increment(by: outputs)
        counters.withLock {
            $0.committed += 1
            $0.published += outputs
            $0.skipped += skipped
        }
    }

    /// Each partition's state, from its changelog partition read to the last stable offset.
    private func restore(_ partitions: [Int32]) async throws -> [Int32: Store] {
        let records = try await KafkaConsumer.withStandalone(configuration: common, logger: logger) { reader in
            try await reader.readToEnd(partitions.map { TopicPartition(changelog, $0) }, from: .beginning)
        }
        var stores = Dictionary(uniqueKeysWithValues: partitions.map { ($0, Store(partition: $0)) })
        let decoder = JSONDecoder()
        for record in records {
            guard let key = record.key.flatMap({ String(bytes: $0, encoding: .utf8) }) else { continue }
            stores[record.topicPartition.partition]?.restore(
                key: key, entry: try decoder.decode(Store.Entry.self, from: Data(record.value)))
        }
        logger.info(
            "\(output): restored \(partitions.map(String.init).joined(separator: ", ")) from \(records.count) changelog records")
        return stores
    }
}

/// The partitions taken from the transform since its last batch: their state is dropped, because
/// another instance may change it before they come back.
private final class RevokedPartitions: KafkaRebalanceListener, Sendable {
    private let partitions = Mutex<Set<Int32>>([])

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        self.partitions.withLock { $0.formUnion(partitions.map(\.partition)) }
    }

    func take() -> Set<Int32> {
        partitions.withLock { taken in
            defer { taken = [] }
            return taken
        }
    }
}
