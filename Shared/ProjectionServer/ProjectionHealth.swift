import Foundation
import Projection
import ServiceRuntime

/// `/health` of a consumer service: unhealthy while its batches keep failing (the database or the
/// broker is unavailable), with the error and for how long, or while the broker has gone silent
/// (a stopped broker fails no batch: the consumer simply receives nothing); degraded while it owns
/// no partition.
enum ProjectionHealth {
    static func report(_ runner: ProjectionRunner) -> HealthReport {
        let counts = runner.counts
        var checks: [HealthReport.Check] = []
        if let failure = runner.failure {
            let seconds = Int(Date().timeIntervalSince(failure.since))
            checks.append(.init(name: "projection", status: .unhealthy, detail: "batches failing for \(seconds) s, retrying: \(failure.error)"))
        } else {
            checks.append(.init(name: "projection", status: .ok, detail: "\(counts.applied) events applied, \(counts.deadLettered) dead-lettered since start"))
        }
        checks.append(.kafka(runner.consumerStatistics))
        let owned = runner.assignment.count
        checks.append(
            .init(
                name: "consumer-group", status: owned > 0 ? .ok : .degraded,
                detail: owned > 0 ? "owns \(owned) partition(s)" : "owns no partition (joining, rebalancing, or more instances than partitions)"))
        return HealthReport(checks: checks)
    }
}
