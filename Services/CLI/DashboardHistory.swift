import Foundation

/// What the dashboard shows over time: the latest status, each group instance's per-partition lag
/// for the last few minutes, and the rebalances seen (an instance's assignment changing).
actor DashboardHistory {
    struct Point: Codable {
        var at: Date
        /// "<service>#<instance>" → partition → lag.
        var lag: [String: [String: Int64]]
        var published: Int?
    }

    struct Rebalance: Codable {
        var at: Date
        var member: String
        var from: [Int32]?
        var to: [Int32]?
    }

    struct Snapshot: Codable {
        var status: SimulationStatus
        var points: [Point]
        var rebalances: [Rebalance]
        /// Base URLs of each service's HTTP API, for the query links.
        var links: [String: String]
    }

    private var points: [Point] = []
    private var rebalances: [Rebalance] = []
    private var assignments: [String: [Int32]?] = [:]
    private(set) var latest: Snapshot?
    let keep = 180

    func record(_ status: SimulationStatus, run: SimulationRun) -> Snapshot {
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
