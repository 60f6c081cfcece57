internal import CRdKafka
import Logging
import Synchronization

/// Carries out rebalances inside librdkafka's rebalance callback and tracks the assignment.
///
/// Invariants:
/// - `assignment` is exactly what was last passed to (incremental_)assign;
/// - every partition revoked since the consumer last called `takeRevoked()` is in `revokedSince`,
///   so a batch being collected can drop records of partitions it no longer owns;
/// - if the listener throws on assign, the partitions are assigned *paused* (librdkafka requires an
///   assign call) and `failure` is set; the consumer then throws and never fetches from them.
final class RebalanceCoordinator: Sendable {
    private let listener: (any KafkaRebalanceListener)?
    /// The consumer this coordinates, handed to the listener. Weak: the consumer holds this.
    private let owner = Mutex(Owner())
    let logEndGuard = LogEndGuard()
    private let logger: Logger
    private let metrics: KafkaMetrics
    private let state = Mutex(State())
    /// Bumped on every revoke, so the fetch loop can skip the lock when nothing was revoked.
    private let revocations = Atomic<Int>(0)

    private struct Owner { weak var consumer: KafkaConsumer? }

    private struct State {
        var assignment: Set<TopicPartition> = []
        var revokedSince: Set<TopicPartition> = []
        var failure: KafkaError?
        var history: [RebalanceEvent] = []

        mutating func append(_ event: RebalanceEvent) {
            history.append(event)
            if history.count > 100 { history.removeFirst(history.count - 100) }
        }
    }

    init(listener: (any KafkaRebalanceListener)?, logger: Logger, metrics: KafkaMetrics) {
        self.listener = listener
        self.logger = logger
        self.metrics = metrics
    }

    /// Called once by the consumer it belongs to, as soon as that exists.
    func attach(_ consumer: KafkaConsumer) { owner.withLock { $0.consumer = consumer } }

    var assignment: Set<TopicPartition> { state.withLock { $0.assignment } }
    var failure: KafkaError? { state.withLock { $0.failure } }
    /// The most recent rebalances (bounded), oldest first.
    var history: [RebalanceEvent] { state.withLock { $0.history } }

    func takeRevoked() -> Set<TopicPartition> {
        guard revocations.load(ordering: .acquiring) > 0 else { return [] }
        revocations.store(0, ordering: .releasing)
        return state.withLock { state in
            defer { state.revokedSince = [] }
            return state.revokedSince
        }
    }

    /// For manual assignment (no group): record what was assigned.
    func manuallyAssigned(_ partitions: [TopicPartitionOffset]) {
        state.withLock { state in
            state.revokedSince.formUnion(state.assignment)
            state.assignment = Set(partitions.map(\.topicPartition))
        }
        revocations.add(1, ordering: .releasing)
        logEndGuard.remove(Array(assignment))
        logEndGuard.start(partitions)
    }

    /// Runs on the consumer thread, inside `rd_kafka_consumer_poll` or `rd_kafka_consumer_close`.
    func handle(_ rk: OpaquePointer, _ code: rd_kafka_resp_err_t, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>) {
        // Rebalance callbacks run only inside the consumer's own poll and close calls, so it is alive.
        guard let consumer = owner.withLock({ $0.consumer }) else {
            preconditionFailure("a rebalance callback ran without its KafkaConsumer")
        }
        let cooperative = String(cString: rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE"
        let partitions = list.entries().map(\.0.topicPartition)
        switch code {
        case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS:
            assign(rk, list, partitions, cooperative: cooperative, consumer: consumer)
        case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS:
            revoke(rk, list, partitions, cooperative: cooperative, consumer: consumer)
        default:
            // librdkafka's contract: on any other rebalance error, drop the assignment.
            let error = KafkaError(rdError: code, context: "rebalance")
            logger.error("\(error); dropping the assignment")
            revoke(rk, list, partitions, cooperative: cooperative, consumer: consumer)
        }
    }

    private func assign(
        _ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, _ partitions: [TopicPartition],
        cooperative: Bool, consumer: KafkaConsumer
    ) {
        let listener = self.listener
        let decision: Result<[TopicPartition: KafkaOffset], any Error> = Blocking.wait {
            guard let listener else { return .success([:]) }
            do { return .success(try await listener.partitionsAssigned(partitions, consumer: consumer)) } catch { return .failure(error) }
        }
        var starts: [TopicPartitionOffset] = []
        for index in 0..<Int(list.pointee.cnt) {
            let tp = partitions[index]
            let offset = (try? decision.get())?[tp] ?? .committed
            list.pointee.elems[index].offset = offset.rawValue
            starts.append(TopicPartitionOffset(tp, offset))
        }
        let result: KafkaError?
        if cooperative {
            result = rd_kafka_incremental_assign(rk, list).map { KafkaError(consuming: $0, context: "incremental assign") }
        } else {
            let code = rd_kafka_assign(rk, list)
            result = code == RD_KAFKA_RESP_ERR_NO_ERROR ? nil : KafkaError(rdError: code, context: "assign")
        }
        if case .failure(let error) = decision {
            // Fetching must not start from offsets the application did not choose.
            _ = rd_kafka_pause_partitions(rk, list)
            let failure = KafkaError(.rebalanceListener, "rebalance listener failed to provide offsets for \(partitions): \(error)")
            logger.critical("\(failure)")
            state.withLock { $0.failure = $0.failure ?? failure }
        }
        if let result { logger.error("\(result)") }
        state.withLock { state in
            state.assignment.formUnion(partitions)
            state.append(.assigned(starts))
        }
        logEndGuard.start(starts)
        metrics.rebalance("assign")
        logger.info(
            "assigned \(starts.map(\.description).joined(separator: ", "))",
            metadata: ["protocol": "\(cooperative ? "cooperative" : "eager")"])
    }

    private func revoke(
        _ rk: OpaquePointer, _ list: UnsafeMutablePointer<rd_kafka_topic_partition_list_t>, _ partitions: [TopicPartition],
        cooperative: Bool, consumer: KafkaConsumer
    ) {
        let lost = rd_kafka_assignment_lost(rk) != 0
        if let listener {
            Blocking.wait { await listener.partitionsRevoked(partitions, lost: lost, consumer: consumer) }
        }
        if cooperative {
            if let error = rd_kafka_incremental_unassign(rk, list) {
                logger.error("\(KafkaError(consuming: error, context: "incremental unassign"))")
            }
        } else {
            let code = rd_kafka_assign(rk, nil)
            if code != RD_KAFKA_RESP_ERR_NO_ERROR { logger.error("\(KafkaError(rdError: code, context: "unassign"))") }
        }
        logEndGuard.remove(partitions)
        state.withLock { state in
            state.assignment.subtract(partitions)
            state.revokedSince.formUnion(partitions)
            state.append(.revoked(partitions, lost: lost))
        }
        revocations.add(1, ordering: .releasing)
        metrics.rebalance(lost ? "lost" : "revoke")
        logger.info("revoked \(partitions.map(\.description).joined(separator: ", "))\(lost ? " (lost)" : "")")
    }
}
