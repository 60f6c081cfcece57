import Foundation
import SimulationControl

/// What the dashboard shows over time: the latest status, each group instance's per-partition lag
/// for the last few minutes, and the rebalances seen (an instance's assignment changing).
actor DashboardHistory {
    package struct Point: Codable {
        package var at: Date
        /// "<service>#<instance>" → partition → lag.
        package var lag: [String: [String: Int64]]
        package var published: Int?
    }

    package struct Rebalance: Codable {
        package var at: Date
        package var member: String
        package var from: [Int32]?
        package var to: [Int32]?
    }

    package struct Snapshot: Codable {
        package var status: SimulationStatus
        package var points: [Point]
        package var rebalances: [Rebalance]
        /// Base URLs of each service's HTTP API, for the query links.
        package var links: [String: String]
    }

    package init() {}

    private var points: [Point] = []
    private var rebalances: [Rebalance] = []
    private var assignments: [String: [Int32]?] = [:]
    private(set) var latest: Snapshot?
    package let keep = 180

    package func record(_ status: SimulationStatus, run: SimulationRun) -> Snapshot {
        var lag: [String: [String: Int64]] = [:]
        for group in status.groups {
            let member = "\(group.service)#\(group.instance)"
            lag[member] = Dictionary(
                uniqueKeysWithValues: group.partitions.compactMap { partition in partition.lag.map { (String(partition.partition), $0) } })
            let now = group.running ? group.assignment : nil
            if let before = assignments[member], before != now {
                rebalances.append(Rebalance(at: status.takenAt, member: member, from: before, to: now))
            } else if assignments[member] == nil, now != nil {
                rebalances.append(Rebalance(at: status.takenAt, member: member, from: nil, to: now))
            }
            assignments[member] = .some(now)
        }
        points.append(Point(at: status.takenAt, lag: lag, published: status.producer.stats?.published))
        if points.count > keep { points.removeFirst(points.count - keep) }
        if rebalances.count > 50 { rebalances.removeFirst(rebalances.count - 50) }
        let links = run.services.mapValues { $0.url ?? "http://127.0.0.1:\($0.port)" }
        let snapshot = Snapshot(status: status, points: points, rebalances: rebalances, links: links)
        latest = snapshot
        return snapshot
    }
}
