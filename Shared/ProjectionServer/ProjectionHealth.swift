import Foundation
import Projection
import ServiceAPI
import ServiceRuntime

/// `/health` of a consumer service: unhealthy while its batches keep failing (the database or the
/// broker is unavailable), with the error and for how long, or while the broker has gone silent
/// (a stopped broker fails no batch: the consumer simply receives nothing); degraded while it owns
/// no partition; unhealthy when partitions of its topic have had no owner in the group for longer
/// than two session timeouts (see `GroupWatch`).
enum ProjectionHealth {
    static func report(_ runner: ProjectionRunner, groupWatch: GroupWatch) -> HealthReport {
        let counts = runner.counts
        var checks: [HealthReport.Check] = []
        if let failure = runner.failure {
            let seconds = Int(Date().timeIntervalSince(failure.since))
            checks.append(
                .init(name: "projection", status: .unhealthy, detail: "batches failing for \(seconds) s, retrying: \(failure.error)"))
        } else {
            checks.append(
                .init(
                    name: "projection", status: .ok,
                    detail: "\(counts.applied) events applied, \(counts.deadLettered) dead-lettered since start"))
        }
        checks.append(.kafka(runner.consumerStatistics))
        let owned = runner.assignment.count
        if let stalled = groupWatch.stalled, let view = groupWatch.view {
            let lag = view.unownedLag
            // A rejoin counts only if it was for these partitions (since they have had no owner).
            let rejoined =
                groupWatch.rejoins.last.flatMap { last in
                    (view.unownedSince ?? .distantFuture) <= last
                        ? " This member rejoined the group \(Int(Date().timeIntervalSince(last))) s ago to make it rebalance." : nil
                } ?? ""
            checks.append(
                .init(
                    name: "consumer-group", status: .unhealthy,
                    detail:
                        "partition(s) \(stalled.partitions.map(String.init).joined(separator: ", ")) of \(view.topic) have had no owner in the group for \(stalled.seconds) s (lag \(lag)); this member owns \(owned). The coordinator lists \(view.coordinatorMembers?.count ?? 0) member(s) and did not reassign them.\(rejoined)"
                ))
        } else {
            checks.append(
                .init(
                    name: "consumer-group", status: owned > 0 ? .ok : .degraded,
                    detail: owned > 0
                        ? "owns \(owned) partition(s)" : "owns no partition (joining, rebalancing, or more instances than partitions)"))
        }
        return HealthReport(checks: checks)
    }
}
