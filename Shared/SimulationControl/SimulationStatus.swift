import Contract
package import Foundation
package import Kafka
package import ServiceAPI
import ServiceRuntime

/// One look at a running simulation: the producer's counts, and per consumer group its member,
/// assignment, and per partition the offset stored with its read model against the log end.
/// Everything comes from the services' HTTP APIs and from Kafka, never from their databases: a
/// running instance reports its stored offsets; when a group's first instance does not answer,
/// the offsets the group committed to Kafka stand in (they trail the stored ones by at most a
/// batch), so a dead service's lag still shows, and climbs. The log end comes from the producer's
/// delivery reports and the members' fetches.
package struct SimulationStatus: Codable {
    package struct Producer: Codable {
        package var running: Bool
        package var pid: Int32
        package var port: Int
        package var stats: OrdersEndpoints.Stats?
    }

    package struct Partition: Codable {
        package var partition: Int32
        package var stored: Int64?
        /// What the group committed to Kafka (asynchronously, after the database): what Kafka's
        /// own tools show. It trails `stored` by at most a batch.
        package var committed: Int64?
        package var end: Int64?
        package var lag: Int64?
    }

    package struct Group: Codable {
        package var service: String
        /// 1 for the first instance; `scale` adds 2 and 3.
        package var instance: Int
        package var running: Bool
        package var pid: Int32
        package var port: Int
        package var memberID: String?
        package var assignment: [Int32]?
        package var partitions: [Partition]
        package var totalLag: Int64?
        /// Lag by Kafka's committed offsets (as `kafka-consumer-groups --describe` shows it).
        package var committedLag: Int64?
        package var applied: Int?
        package var deadLettered: Int?
        /// The group as its coordinator describes it (DescribeGroups), first instance only.
        package var coordinator: CoordinatorView?
        /// The group as this member sees it: every partition, owned or not, with its lag.
        package var groupView: GroupView?
        /// Stored offsets as the instance reported them (or, for a first instance that did not
        /// answer, the group's committed offsets) and the offsets the group committed to Kafka.
        var stored: [Int32: Int64] = [:]
        var committed: [Int32: Int64] = [:]
        /// Whether `stored` is known: the instance answered, or its group's commits stand in.
        var positionsKnown = false

        private enum CodingKeys: String, CodingKey {
            case service, instance, running, pid, port, memberID, assignment, partitions, totalLag, committedLag, applied, deadLettered,
                coordinator, groupView
        }

        /// Fills in `partitions` and the lags against the log ends.
        mutating func measure(against ends: [Int32: Int64]) {
            // A running instance answers for the partitions it owns; a stopped first instance
            // shows its group's committed positions; a stopped added instance shows nothing.
            let numbers =
                assignment.map { $0.sorted() }
                ?? (instance == 1 ? Set(stored.keys).union(ends.keys).sorted() : stored.keys.sorted())
            partitions = numbers.map { partition in
                let end = ends[partition]
                let position = stored[partition]
                return Partition(
                    partition: partition, stored: position, committed: committed[partition], end: end,
                    lag: positionsKnown ? end.map { max(0, $0 - (position ?? 0)) } : nil)
            }
            let lags = partitions.compactMap(\.lag)
            totalLag = lags.count == partitions.count && !lags.isEmpty ? lags.reduce(0, +) : nil
            if !committed.isEmpty {
                committedLag = partitions.reduce(0) { sum, partition in sum + max(0, (partition.end ?? 0) - (partition.committed ?? 0)) }
            }
        }
    }

    /// What Kafka itself says of a group, as `kafka-consumer-groups --describe --members` would.
    package struct CoordinatorView: Codable {
        package struct Member: Codable {
            package var memberID: String
            package var clientID: String
            package var host: String
            package var assignment: [Int32]
        }
        package var state: String
        package var assignor: String
        package var members: [Member]
    }

    package var takenAt: Date
    package var topic: String
    package var producer: Producer
    package var groups: [Group]
    /// What each deciding service (orders, restaurants, delivery) reports of its decisions group.
    package var decisions: [String: DecisionsReport] = [:]
    /// The parts that did not answer in time (the broker, a coordinator, a service), each with
    /// what was asked: the rest of the status is shown without them.
    package var unanswered: [String] = []

    /// How long each part may take to answer.
    static let serviceTimeout: TimeInterval = 3
    static let brokerTimeout = Duration.seconds(4)
    static let coordinatorTimeout = Duration.seconds(5)

    /// `admin`, when given, adds each group's committed offsets and its coordinator's description
    /// from Kafka beside the services' own reports. Every part is asked with a deadline, the
    /// services in parallel; a part that does not answer is named in `unanswered`.
    package static func collect(_ run: SimulationRun, admin: KafkaAdmin? = nil) async -> SimulationStatus {
        var unanswered: [String] = []
        let orders = run.services[ServiceNames.orders]
        var producer = Producer(
            running: orders.map { SimulationRun.isAlive($0.pid) } ?? false, pid: orders?.pid ?? 0, port: orders?.port ?? 0)
        if let orders, producer.running || orders.url != nil {
            do {
                producer.stats = try await orders.client.with(timeout: serviceTimeout).get(OrdersEndpoints.stats)
                producer.running = true
            } catch {
                unanswered.append("orders: \(OrdersEndpoints.stats): \(error)")
            }
        }
        // The broker first, with a short Metadata request: when it does not answer, asking its
        // coordinators would only wait out their timeouts, group after group.
        var kafka = admin
        if let admin {
            do {
                _ = try await admin.metadata(topic: run.topic, timeout: brokerTimeout)
            } catch {
                unanswered.append(
                    "broker \(run.brokers): no answer to a Metadata request within \(brokerTimeout) (\(error)); committed offsets and the coordinators' view are left out"
                )
                kafka = nil
            }
        }
        let instances = run.consumerInstances
        let answers = await withTaskGroup(of: (Int, Group, [String]).self) { tasks in
            for (index, instance) in instances.enumerated() {
                guard let service = run.services[instance.key] else { continue }
                tasks.addTask { [kafka] in
                    let (group, notes) = await collectGroup(
                        name: instance.service, instance: instance.instance, key: instance.key, service: service, topic: run.topic,
                        admin: kafka)
                    return (index, group, notes)
                }
            }
            return await tasks.reduce(into: []) { $0.append($1) }.sorted { $0.0 < $1.0 }
        }
        var groups = answers.map(\.1)
        unanswered += answers.flatMap(\.2)
        // The log end: from the producer's delivery reports, and from every member's fetches (so it
        // is known with orders stopped); the largest is the newest.
        var ends: [Int32: Int64] = [:]
        for (partition, end) in producer.stats?.partitionEnds ?? [:] { if let partition = Int32(partition) { ends[partition] = end } }
        for view in groups.compactMap(\.groupView) {
            for partition in view.partitions {
                if let end = partition.logEnd { ends[partition.partition] = max(end, ends[partition.partition] ?? end) }
            }
        }
        for index in groups.indices { groups[index].measure(against: ends) }
        // Asked side by side, like the groups: only a service that decides answers (orders with
        // --steps simulated does not).
        let decisions = await withTaskGroup(of: (String, DecisionsReport?).self) { tasks in
            for name in ServiceEnvironment.deciders {
                guard let service = run.services[name], SimulationRun.isAlive(service.pid) || service.url != nil else { continue }
                tasks.addTask { (name, try? await service.client.with(timeout: serviceTimeout).get(DecisionEndpoints.decisions)) }
            }
            return await tasks.reduce(into: [String: DecisionsReport]()) { $0[$1.0] = $1.1 }
        }
        return SimulationStatus(
            takenAt: Date(), topic: run.topic, producer: producer, groups: groups, decisions: decisions, unanswered: unanswered)
    }

    /// One instance's row: what it says of itself, its stored offsets, and (for the first
    /// instance) its group as Kafka describes it. Lag is filled in by `measure(against:)`.
    private static func collectGroup(
        name: String, instance: Int, key: String, service: SimulationRun.Service, topic: String, admin: KafkaAdmin?
    ) async -> (
        Group, [String]
    ) {
        var notes: [String] = []
        var group = Group(
            service: name, instance: instance, running: SimulationRun.isAlive(service.pid), pid: service.pid, port: service.port,
            partitions: [])
        var reported: [Int32: Int64] = [:]
        var answered = false
        if group.running || service.url != nil {
            let client = service.client.with(timeout: serviceTimeout)
            do {
                let info: InstanceInfo = try await client.get(ProjectionEndpoints.instance)
                group.running = true
                group.memberID = info.memberID
                group.assignment = info.assignment
                let offsets: OffsetsReport = try await client.get(ProjectionEndpoints.offsets)
                group.applied = offsets.counts.applied
                group.deadLettered = offsets.counts.deadLettered
                group.groupView = offsets.groupView
                for partition in offsets.partitions { if let stored = partition.storedOffset { reported[partition.partition] = stored } }
                answered = true
                group.positionsKnown = true
            } catch {
                if group.running { notes.append("\(key): \(error)") }
            }
        }
        group.stored = reported
        guard let admin, instance == 1 else { return (group, notes) }
        // Committed offsets and the group's description, asked side by side with a deadline each:
        // a slow DescribeGroups does not cost the positions a dead service is measured by.
        async let offsets = Deadline.outcome(coordinatorTimeout, "the committed offsets of group \(name)") {
            try await admin.committedOffsets(group: name)
        }
        async let description = Deadline.outcome(coordinatorTimeout, "the coordinator of group \(name)") {
            try await admin.describeGroup(name)
        }
        switch await offsets {
        case .success(let offsets):
            for offset in offsets where offset.topicPartition.topic == topic {
                if let exact = offset.offset.exact { group.committed[offset.topicPartition.partition] = exact }
            }
            // A group that does not answer is measured by what it committed to Kafka.
            if !answered {
                group.stored = group.committed
                group.positionsKnown = true
            }
        case .failure(let error):
            notes.append("\(error)")
        }
        switch await description {
        case .success(let description):
            group.coordinator = CoordinatorView(
                state: description.state, assignor: description.partitionAssignor,
                members: description.members.map { member in
                    .init(
                        memberID: member.memberID, clientID: member.clientID, host: member.host,
                        assignment: member.assignment.filter { $0.topic == topic }.map(\.partition))
                })
        case .failure(let error):
            notes.append("\(error)")
        }
        return (group, notes)
    }
}
