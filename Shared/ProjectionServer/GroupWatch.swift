import Foundation
import Kafka
import Logging
import Projection
import ServiceAPI
import ServiceLifecycle
import Synchronization

/// Keeps this member's view of its whole group fresh (`GroupView`), and heals a group that leaves
/// partitions of its topic without an owner.
///
/// Kafka's coordinator hands a member's partitions to the others when the member leaves or misses
/// its session timeout. A partition that still has no owner after `threshold` (two session
/// timeouts: long enough for any rebalance to end) will not get one by itself: the local broker
/// drops a dead member without a rebalance in some cases, and nobody consumes its partitions while
/// the rest of the group looks healthy. Then this member reports it (`/health` unhealthy, naming
/// the partitions and their lag) and, if it has the lowest member id of those it knows, leaves and
/// rejoins the group, which makes the coordinator rebalance; it tries again after another
/// `threshold` if that did not help.
final class GroupWatch: Service, Sendable {
    private let runner: ProjectionRunner
    private let routing: PeerRouting
    private let instance: @Sendable () async -> InstanceInfo
    private let admin: KafkaAdmin
    let threshold: Duration
    private let interval: Duration
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var view: GroupView?
        var rejoins = 0
        var lastRejoin: Date?
        /// The last reason a look at the coordinator failed (logged when it changes).
        var coordinatorFailure: String?
    }

    init(
        runner: ProjectionRunner, routing: PeerRouting, instance: @escaping @Sendable () async -> InstanceInfo, admin: KafkaAdmin,
        threshold: Duration,
        interval: Duration = .seconds(2), logger: Logger
    ) {
        self.runner = runner
        self.routing = routing
        self.instance = instance
        self.admin = admin
        self.threshold = threshold
        self.interval = interval
        self.logger = logger
    }

    /// How long a view may be served: a few looks. A look skipped (a silent broker) or failed
    /// leaves none newer, and an old view would claim the past as the present.
    private var lifetime: TimeInterval { interval.seconds * 3 }

    /// The latest view, while it is recent (nil until the topic's partitions are known).
    var view: GroupView? {
        state.withLock { state in state.view.flatMap { Date().timeIntervalSince($0.takenAt) <= lifetime ? $0 : nil } }
    }

    /// How often this member rejoined its group to heal it, and when it last did.
    var rejoins: (count: Int, last: Date?) { state.withLock { ($0.rejoins, $0.lastRejoin) } }

    /// Partitions unowned for longer than `threshold`, with how long, when there are any (those
    /// this member has taken since the latest look excepted).
    var stalled: (partitions: [Int32], seconds: Int)? {
        guard let view, view.unownedFor() >= threshold.seconds else { return nil }
        let owned = Set(runner.assignment.map(\.partition))
        let unowned = view.unowned.filter { !owned.contains($0) }
        return unowned.isEmpty ? nil : (unowned, Int(view.unownedFor()))
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.refresh()
                try await Task.sleep(for: self.interval)
            }
        }
    }

    /// One look at the group; rejoins when partitions have had no owner for longer than `threshold`.
    func refresh() async {
        let me = await instance()
        guard me.partitionCount > 0 else { return }
        // While a broker owes this member answers, who owns what cannot be told (and the `kafka`
        // health check already says why). Asking the coordinator then is also what to avoid:
        // librdkafka 2.8 can abort the process (an enq_once reference count assertion) when a
        // coordinator-bound admin request times out before the coordinator is reached.
        if let statistics = runner.consumerStatistics, !statistics.silentBrokers(threshold: .seconds(5)).isEmpty { return }
        let topic = me.topic
        let group = me.group
        let all = (0..<Int32(me.partitionCount)).map { TopicPartition(topic, $0) }
        let started = Date()
        let claims = ([me] + (await routing.peerInstances())).compactMap(\.claim)
        // One coordinator request at a time, each with a timeout longer than a broker stall.
        var coordinator: (state: String, members: [MemberClaim])?
        var committed: [Int32: Int64] = [:]
        do {
            let description = try await admin.describeGroup(group)
            coordinator = (
                description.state,
                description.members.map {
                    MemberClaim(memberID: $0.memberID, partitions: $0.assignment.filter { $0.topic == topic }.map(\.partition))
                }
            )
            for offset in try await admin.committedOffsets(group: group, partitions: all) {
                committed[offset.topicPartition.partition] = offset.offset.exact
            }
            noteCoordinator(failure: nil)
        } catch {
            noteCoordinator(failure: "\(error)")
        }
        // What the members said of themselves is as old as the look: a look that took long (a
        // broker stalled mid-way) describes a past group, so it is not kept.
        guard Date().timeIntervalSince(started) < interval.seconds * 2 else { return }
        var logEnds = await listedLogEnds(all, reported: Set(claims.flatMap { $0.logEnds.keys }))
        let previous = state.withLock { $0.view }
        func assemble() -> GroupView {
            GroupView.assemble(
                topic: topic, partitionCount: me.partitionCount, claims: claims, coordinator: coordinator, committed: committed,
                logEnds: logEnds,
                previous: previous, continuity: lifetime, now: started)
        }
        var view = assemble()
        if !view.unowned.isEmpty {
            // Nobody fetches these, so only a fetch of our own tells their true log end.
            let positions = view.unowned.map {
                TopicPartitionOffset(TopicPartition(topic, $0), committed[$0].map { KafkaOffset($0) } ?? .beginning)
            }
            let fetched = (try? await FetchedLogEnds.read(positions, configuration: runner.kafkaConfiguration, logger: logger)) ?? [:]
            for (partition, end) in fetched { logEnds[partition.partition] = max(end, logEnds[partition.partition] ?? end) }
            view = assemble()
        }
        state.withLock { $0.view = view }

        guard !view.unowned.isEmpty, view.unownedFor() >= threshold.seconds else { return }
        guard Date().timeIntervalSince(rejoins.last ?? .distantPast) >= threshold.seconds else { return }
        // One member acts, so the group rebalances once: the lowest member id among those known.
        guard let mine = me.memberID, claims.map(\.memberID).min() == mine else { return }
        logger.warning(
            "partition(s) \(view.unowned.map(String.init).joined(separator: ", ")) of \(topic) have had no owner in group \(group) for \(Int(view.unownedFor())) s (lag \(view.unownedLag); the coordinator lists \(view.coordinatorMembers?.count ?? 0) member(s)); rejoining the group so that it rebalances"
        )
        do {
            try await runner.rejoinGroup()
            state.withLock { state in
                state.rejoins += 1
                state.lastRejoin = Date()
            }
        } catch {
            logger.error("could not rejoin group \(group): \(error)")
        }
    }

    /// Logs a failed look at the coordinator when the reason changes (and when it recovers), so a
    /// refused DescribeGroups (missing ACLs on a real cluster) does not stop the watch unseen.
    private func noteCoordinator(failure: String?) {
        let previous = state.withLock { state in
            defer { state.coordinatorFailure = failure }
            return state.coordinatorFailure
        }
        guard previous != failure else { return }
        if let failure {
            logger.warning("cannot tell which partitions of the group have no owner: the coordinator did not answer (\(failure))")
        } else {
            logger.notice("the group's coordinator answers again")
        }
    }

    /// The log end of partitions no member reported (owned by members that are not peers): the
    /// larger of this consumer's last Fetch response and a ListOffsets request. ListOffsets is
    /// exact on Kafka; the local broker answers it with the base offset of the newest batch + 1,
    /// so there such a lag is a lower bound (short by less than one batch).
    private func listedLogEnds(_ partitions: [TopicPartition], reported: Set<Int32>) async -> [Int32: Int64] {
        let wanted = partitions.filter { !reported.contains($0.partition) }
        let listed = await withTaskGroup(of: (Int32, Int64?).self) { group in
            for partition in wanted {
                group.addTask { [admin] in (partition.partition, try? await admin.queryWatermarks(partition, timeout: .seconds(2)).high) }
            }
            return await group.reduce(into: [Int32: Int64]()) { ends, answer in ends[answer.0] = answer.1 }
        }
        var ends: [Int32: Int64] = [:]
        for partition in wanted {
            if let end = [listed[partition.partition], runner.cachedLogEnd(partition.partition)].compactMap({ $0 }).max() {
                ends[partition.partition] = end
            }
        }
        return ends
    }
}
