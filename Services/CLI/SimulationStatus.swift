import Foundation
import GRDB
import Kafka
import Orders
import Projection

/// One look at a running simulation: the producer's counts, and per consumer group its member,
/// assignment, and per partition the offset stored in its own database against the log end.
/// Stored offsets are read from each service's SQLite file, so a dead service's lag still shows
/// (and climbs); the log end comes from the producer's delivery reports.
struct SimulationStatus: Codable {
    struct Producer: Codable {
        var running: Bool
        var pid: Int32
        var port: Int
        var stats: OrdersAPI.Stats?
    }

    struct Partition: Codable {
        var partition: Int32
        var stored: Int64?
        /// What the group committed to Kafka (asynchronously, after the database): what Kafka's
        /// own tools show. It trails `stored` by at most a batch.
        var committed: Int64?
        var end: Int64?
        var lag: Int64?
    }

    struct Group: Codable {
        var service: String
        /// 1 for the first instance; `scale` adds 2 and 3.
        var instance: Int
        var running: Bool
        var pid: Int32
        var port: Int
        var memberID: String?
        var assignment: [Int32]?
        var partitions: [Partition]
        var totalLag: Int64?
        /// Lag by Kafka's committed offsets (as `kafka-consumer-groups --describe` shows it).
        var committedLag: Int64?
        var applied: Int?
        var deadLettered: Int?
        /// The group as its coordinator describes it (DescribeGroups), first instance only.
        var coordinator: CoordinatorView?
    }

    /// What Kafka itself says of a group, as `kafka-consumer-groups --describe --members` would.
    struct CoordinatorView: Codable {
        struct Member: Codable {
            var memberID: String
            var clientID: String
            var host: String
            var assignment: [Int32]
        }
        var state: String
        var assignor: String
        var members: [Member]
    }

    struct Instance: Decodable {
        var memberID: String?
        var assignment: [Int32]
    }

    struct Offsets: Decodable {
        struct Counts: Decodable {
            var applied: Int
            var deadLettered: Int
        }
        struct Partition: Decodable {
            var partition: Int32
            var storedOffset: Int64?
        }
        var counts: Counts
        var partitions: [Partition]
    }

    var takenAt: Date
    var topic: String
    var producer: Producer
    var groups: [Group]

    /// `admin`, when given, adds each group's committed offsets from Kafka beside the stored ones.
    static func collect(_ run: SimulationRun, admin: KafkaAdmin? = nil) async -> SimulationStatus {
        let orders = run.services["orders"]
        var producer = Producer(running: orders.map { SimulationRun.isAlive($0.pid) } ?? false, pid: orders?.pid ?? 0, port: orders?.port ?? 0)
        if let orders, producer.running || orders.url != nil {
            producer.stats = try? await orders.client.get("/stats")
            producer.running = producer.running || producer.stats != nil
        }
        let ends = producer.stats?.partitionEnds ?? [:]
        var groups: [Group] = []
        for (name, instance, key) in run.consumerInstances {
            guard let service = run.services[key] else { continue }
            var group = Group(service: name, instance: instance, running: SimulationRun.isAlive(service.pid), pid: service.pid, port: service.port, partitions: [])
            var reported: [Int32: Int64] = [:]
            if group.running || service.url != nil {
                let client = service.client
                if let instance: Instance = try? await client.get("/instance") {
                    group.running = true
                    group.memberID = instance.memberID
                    group.assignment = instance.assignment
                }
                if let offsets: Offsets = try? await client.get("/offsets") {
                    group.applied = offsets.counts.applied
                    group.deadLettered = offsets.counts.deadLettered
                    for partition in offsets.partitions { if let stored = partition.storedOffset { reported[partition.partition] = stored } }
                }
            }
            // Local: from the service's database (also while it is down). Remote: as it reports them.
            let stored = service.database.map { (try? storedOffsets($0, topic: run.topic)) ?? [:] } ?? reported
            // A running instance answers for the partitions it owns; a stopped one shows what it had.
            let partitions = group.assignment.map { $0.sorted() } ?? (instance == 1 ? Set(stored.keys).union(ends.keys.compactMap { Int32($0) }).sorted() : stored.keys.sorted())
            var committed: [Int32: Int64] = [:]
            if let admin, instance == 1,
                let offsets = try? await admin.committedOffsets(group: name, partitions: partitions.map { TopicPartition(run.topic, $0) })
            {
                for offset in offsets { if let exact = offset.offset.exact { committed[offset.topicPartition.partition] = exact } }
            }
            if let admin, instance == 1, let description = try? await admin.describeGroup(name) {
                group.coordinator = CoordinatorView(
                    state: description.state, assignor: description.partitionAssignor,
                    members: description.members.map { member in
                        .init(memberID: member.memberID, clientID: member.clientID, host: member.host, assignment: member.assignment.filter { $0.topic == run.topic }.map(\.partition))
                    })
            }
            group.partitions = partitions.map { partition in
                let end = ends[String(partition)]
                let position = stored[partition]
                return Partition(
                    partition: partition, stored: position, committed: committed[partition], end: end, lag: end.map { max(0, $0 - (position ?? 0)) })
            }
            let lags = group.partitions.compactMap(\.lag)
            group.totalLag = lags.count == group.partitions.count && !lags.isEmpty ? lags.reduce(0, +) : nil
            if !committed.isEmpty {
                group.committedLag = group.partitions.reduce(0) { sum, partition in sum + max(0, (partition.end ?? 0) - (partition.committed ?? 0)) }
            }
            groups.append(group)
        }
        return SimulationStatus(takenAt: Date(), topic: run.topic, producer: producer, groups: groups)
    }

    /// The offsets a service has applied, from its own database (works while it is down).
    static func storedOffsets(_ path: String, topic: String) throws -> [Int32: Int64] {
        guard FileManager.default.fileExists(atPath: path) else { return [:] }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(2)
        return try DatabaseQueue(path: path, configuration: configuration).read { db in
            guard try db.tableExists("kafka_offset") else { return [:] }
            return try ProjectionDatabase.storedOffsets(topic: topic, in: db)
        }
    }

    /// A terminal view; rates are against `previous` when given.
    func render(previous: SimulationStatus?) -> String {
        var lines: [String] = []
        let stamp = ISO8601DateFormatter().string(from: takenAt)
        lines.append("fooddelivery simulation — topic \(topic) — \(stamp)")
        lines.append("")
        if let stats = producer.stats {
            var rate = ""
            if let before = previous?.producer.stats, let then = previous?.takenAt, takenAt > then {
                rate = String(format: "  %.0f events/s", Double(stats.published - before.published) / takenAt.timeIntervalSince(then))
            }
            lines.append("orders      pid \(producer.pid)  :\(producer.port)  \(stats.orders) orders, \(stats.published)/\(stats.events) events published\(rate)")
            let types = stats.publishedByType.sorted { $0.key < $1.key }.map { "\($0.key.replacingOccurrences(of: "order.", with: "")) \($0.value)" }
            lines.append("            by type: " + types.joined(separator: " · "))
        } else {
            lines.append("orders      pid \(producer.pid)  :\(producer.port)  \(producer.running ? "not answering yet" : "DOWN")")
        }
        lines.append("")
        lines.append("group        state  pid      port   owns         lag per partition                             total lag  kafka lag  applied  dlq")
        for group in groups {
            let state = group.running ? "up" : "DOWN"
            let label = group.instance == 1 ? group.service : "\(group.service)#\(group.instance)"
            let owned = group.assignment.map { $0.isEmpty ? "none" : $0.map(String.init).joined(separator: ",") } ?? "–"
            let cells = group.partitions.map { "p\($0.partition):\($0.lag.map(String.init) ?? "?")" }.joined(separator: " ")
            lines.append(
                label.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + state.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + String(group.pid).padding(toLength: 9, withPad: " ", startingAt: 0) + String(group.port).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + owned.padding(toLength: 13, withPad: " ", startingAt: 0) + cells.padding(toLength: 46, withPad: " ", startingAt: 0)
                    + (group.totalLag.map(String.init) ?? "?").padding(toLength: 11, withPad: " ", startingAt: 0)
                    + (group.committedLag.map(String.init) ?? "–").padding(toLength: 11, withPad: " ", startingAt: 0)
                    + (group.applied.map(String.init) ?? "–").padding(toLength: 9, withPad: " ", startingAt: 0) + (group.deadLettered.map(String.init) ?? "–"))
        }
        let described = groups.compactMap { group in group.coordinator.map { (group.service, $0) } }
        if !described.isEmpty {
            lines.append("")
            lines.append("as each group's coordinator describes it (DescribeGroups):")
            for (service, view) in described {
                let members = view.members.map { member in
                    let owned = member.assignment.isEmpty ? "no partitions listed" : "owns " + member.assignment.sorted().map(String.init).joined(separator: ",")
                    let who = [member.clientID, member.host].filter { !$0.isEmpty }.joined(separator: " @ ")
                    return "\(member.memberID.prefix(24))\(who.isEmpty ? "" : " (\(who))") \(owned)"
                }
                lines.append("  \(service.padding(toLength: 12, withPad: " ", startingAt: 0)) \(view.state), \(view.assignor.isEmpty ? "assignor not reported" : view.assignor): "
                    + (members.isEmpty ? "no members listed" : members.joined(separator: "; ")))
            }
        }
        lines.append("")
        lines.append("lag: each service's own stored offsets (in its database, with its rows) vs the log end; kafka lag: the offsets it committed to Kafka")
        return lines.joined(separator: "\n")
    }
}
