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
/// batch is then published again. The first transaction after a
/// restore republishes every output of the restored state: an aborted transaction can leave
/// changelog records without all of their outputs (an abort purges records not yet delivered; a
/// broker that shows aborted records shows those), and the state would then hold changes whose
/// outputs never came.
///
/// Errors, as librdkafka classes them: a retriable one repeats the same call (a commit that timed
/// out goes on in the background and must be committed again); any other aborts the transaction
/// and publishes its batch again, backing off while failures repeat; a fatal one (this producer was
/// fenced: another instance took over its transactional id) ends the service.
public final class TransactionalTransform<Store: ChangelogStore>: Service, Sendable {
    public let input: String
    public let output: String
    /// The state's changelog (`Topics.changelog(ofGroup:store:)`): compacted, one partition per
    /// input partition.
    public let changelog: String
    let common: KafkaConfiguration
    let consumer: KafkaConsumer
    let producer: KafkaProducer
    private let revoked: RevokedPartitions
    private let counters = Mutex(Counters())
    private let metrics: (committed: Counter, aborted: Counter, published: Counter)
    let logger: Logger
    private let beforeCommit: @Sendable (_ transaction: Int) async throws -> Void

    /// What the loop carries from batch to batch.
    private struct LoopState {
        var stores: [Int32: Store] = [:]
        var transaction = 0
        var transactionOpen = false
        var failures = 0
    }

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
    public func closeUnused() async { await closeClients() }

    private func closeClients() async {
        await consumer.close()
        await producer.close()
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.prepare() }
            try consumer.subscribe([input])
            try await consume()
        } catch {
            await closeClients()
            if error is CancellationError { return }
            throw error
        }
        await closeClients()
    }

    private func consume() async throws {
        try await withTaskCancellationOrGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // A record that fails delivery fails its transaction's commit: the reports say nothing more.
                group.addTask { for await _ in self.producer.deliveryReports {} }
                var state = LoopState()
                for try await batch in self.consumer.batches(maxMessages: 1000, maxWait: .milliseconds(5)) {
                    if let error = batch.errors.first { throw error }
                    guard !batch.messages.isEmpty else { continue }
                    state.transaction += 1
                    try await self.publishRetrying(batch, state: &state)
                }
                await self.closeClients()
            }
        } onCancelOrGracefulShutdown: {
            self.consumer.stopFetching()
        }
    }

    /// Publishes `batch` in one transaction. When that fails, aborts it, forgets every state (it may
    /// hold the batch's changes) and publishes the batch again, onto states restored from the
    /// changelog: every batch before it committed, so it starts exactly at the committed offsets.
    private func publishRetrying(_ batch: ConsumerBatch, state: inout LoopState) async throws {
        var batch = batch
        while true {
            do {
                try await publish(batch, state: &state)
                state.failures = 0
                return
            } catch {
                if Task.isCancelled || consumer.isStopping {
                    // Aborting now frees the partitions' last stable offset at once, not after the timeout.
                    try? await abortOpenTransaction(&state)
                    throw error
                }
                if let error = error as? KafkaError, error.isFatal { throw error }
                logger.error("\(output): transaction \(state.transaction) failed, aborting and publishing its batch again: \(error)")
                counters.withLock { $0.aborted += 1 }
                metrics.aborted.increment()
                state.stores.removeAll()
                try await abortOpenTransaction(&state)
                state.failures += 1
                try await Task.sleep(for: min(.milliseconds(100) * (1 << min(state.failures, 6)), .seconds(5)))
                // Rebalances run only while the loop fetches, so the owned partitions are the batch's;
                // the filter keeps that true should that ever change.
                let owned = Set(consumer.assignment)
                batch.messages.removeAll { !owned.contains($0.topicPartition) }
                guard !batch.messages.isEmpty else { return }
                state.transaction += 1
            }
        }
    }

    private func abortOpenTransaction(_ state: inout LoopState) async throws {
        guard state.transactionOpen else { return }
        try await retrying("abort transaction \(state.transaction)") { try await producer.abortTransaction() }
        state.transactionOpen = false
    }

    /// Runs `step` again while it fails with an error librdkafka calls retriable, up to 10 times.
    private func retrying(_ what: String, _ step: () async throws -> Void) async throws {
        var attempt = 1
        while true {
            do {
                try await step()
                return
            } catch let error as KafkaError where error.isRetriable && attempt < 10 {
                logger.warning("\(output): \(what): \(error); trying again")
                attempt += 1
                try await Task.sleep(for: .milliseconds(500))
            }
        }
    }

    private func publish(_ batch: ConsumerBatch, state: inout LoopState) async throws {
        for partition in revoked.take() { state.stores[partition] = nil }
        let missing = Set(batch.messages.map(\.topicPartition.partition)).filter { state.stores[$0] == nil }.sorted()
        var records: [KafkaProducerMessage] = []
        var outputs = 0
        if !missing.isEmpty {
            let restored = try await restore(missing)
            state.stores.merge(restored) { _, restored in restored }
            for (_, store) in restored.sorted(by: { $0.key < $1.key }) {
                for (key, value) in try store.allOutputs() {
                    records.append(KafkaProducerMessage(topic: output, key: Array(key.utf8), value: value))
                    outputs += 1
                }
            }
        }

        var changed: [Int32: [String: Store.Entry]] = [:]
        var skipped = 0
        for (record, decoded) in zip(batch.messages, await BatchDecoder.decode(batch.messages)) {
            let partition = record.topicPartition.partition
            guard case .success(let event) = decoded else {
                skipped += 1
                continue
            }
            if let (key, entry) = state.stores[partition]?.apply(event) { changed[partition, default: [:]][key] = entry }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for (partition, entries) in changed.sorted(by: { $0.key < $1.key }) {
            guard let store = state.stores[partition] else { continue }
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
        state.transactionOpen = true
        try await producer.enqueue(contentsOf: records)
        try await retrying("send offsets to transaction \(state.transaction)") {
            try await producer.sendOffsetsToTransaction(batch.nextOffsets, consumer: consumer)
        }
        try await beforeCommit(state.transaction)
        try await retrying("commit transaction \(state.transaction)") { try await producer.commitTransaction() }
        state.transactionOpen = false
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
        logger.info("\(output): restored \(partitions.map(String.init).joined(separator: ", ")) from \(records.count) changelog records")
        return stores
    }
}
