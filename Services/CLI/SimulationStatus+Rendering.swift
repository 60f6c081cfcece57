import Contract
import Foundation
import ServiceAPI
import ServiceRuntime
import SimulationControl

extension SimulationStatus {
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
            lines.append(
                "orders      pid \(producer.pid)  :\(producer.port)  \(stats.orders) orders, \(stats.published)/\(stats.events) events published\(rate)"
            )
            let types = stats.publishedByType.sorted { $0.key < $1.key }.map {
                "\($0.key.replacingOccurrences(of: "order.", with: "")) \($0.value)"
            }
            lines.append("            by type: " + types.joined(separator: " · "))
            let waiting = OrdersEndpoints.Stats.stages.compactMap { stage in
                stats.waiting[stage.status].map { "\(stage.status) \($0) (for \(stage.waitingFor))" }
            }
            lines.append("            waiting: " + (waiting.isEmpty ? "none" : waiting.joined(separator: " · ")))
        } else {
            lines.append("orders      pid \(producer.pid)  :\(producer.port)  \(producer.running ? "not answering yet" : "DOWN")")
        }
        lines.append("")
        lines.append(
            "flow        "
                + Topics.flow.map {
                    "\($0.service) ← \($0.reads.joined(separator: ", "))\($0.writes.isEmpty ? "" : " → \($0.writes.joined(separator: ", "))")"
                }.joined(separator: " · "))
        lines.append("")
        lines.append(
            "group        state  pid      port   owns         lag per partition                             total lag  kafka lag  applied  dlq"
        )
        for group in groups {
            let state = group.running ? "up" : "DOWN"
            let label = group.instance == 1 ? group.service : "\(group.service)#\(group.instance)"
            let owned = group.assignment.map { $0.isEmpty ? "none" : $0.map(String.init).joined(separator: ",") } ?? "–"
            let cells = group.partitions.map { "p\($0.partition):\($0.lag.map(String.init) ?? "?")" }.joined(separator: " ")
            lines.append(
                label.padding(toLength: 12, withPad: " ", startingAt: 0) + " " + state.padding(toLength: 6, withPad: " ", startingAt: 0)
                    + String(group.pid).padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(group.port).padding(toLength: 7, withPad: " ", startingAt: 0)
                    + owned.padding(toLength: 13, withPad: " ", startingAt: 0) + cells.padding(toLength: 46, withPad: " ", startingAt: 0)
                    + (group.totalLag.map(String.init) ?? "?").padding(toLength: 11, withPad: " ", startingAt: 0)
                    + (group.committedLag.map(String.init) ?? "–").padding(toLength: 11, withPad: " ", startingAt: 0)
                    + (group.applied.map(String.init) ?? "–").padding(toLength: 9, withPad: " ", startingAt: 0)
                    + (group.deadLettered.map(String.init) ?? "–"))
        }
        // The choreography's groups: each deciding service's lag on the topics it decides from.
        if !decisions.isEmpty {
            lines.append("")
            for name in ServiceEnvironment.deciders {
                guard let report = decisions[name] else { continue }
                let inputs = report.inputs.map { "\($0.topic) lag \($0.lag.map(String.init) ?? "?")" }.joined(separator: ", ")
                lines.append(
                    "decisions   \(report.group.padding(toLength: 22, withPad: " ", startingAt: 0)) ← \(inputs); decided \(report.decided), repeats dropped \(report.repeats), dlq \(report.deadLettered)"
                )
            }
        }
        // Partitions nobody in a group owns, as its running members see it: nobody consumes them.
        for service in SimulationRun.consumers {
            guard let view = groups.first(where: { $0.service == service && !($0.groupView?.unowned.isEmpty ?? true) })?.groupView else {
                continue
            }
            let lag = view.unownedLag
            let since = view.unownedSince.map { " for \(Int(takenAt.timeIntervalSince($0))) s" } ?? ""
            lines.append(
                "\(service): partition(s) \(view.unowned.map(String.init).joined(separator: ",")) have no owner in the group\(since), lag there \(lag); group lag \(view.totalLag.map(String.init) ?? "?")"
            )
        }
        let described = groups.compactMap { group in group.coordinator.map { (group.service, $0) } }
        if !described.isEmpty {
            lines.append("")
            lines.append("as each group's coordinator describes it (DescribeGroups):")
            for (service, view) in described {
                let members = view.members.map { member in
                    let owned =
                        member.assignment.isEmpty
                        ? "no partitions listed" : "owns " + member.assignment.sorted().map(String.init).joined(separator: ",")
                    let who = [member.clientID, member.host].filter { !$0.isEmpty }.joined(separator: " @ ")
                    return "\(member.memberID.prefix(24))\(who.isEmpty ? "" : " (\(who))") \(owned)"
                }
                lines.append(
                    "  \(service.padding(toLength: 12, withPad: " ", startingAt: 0)) \(view.state), \(view.assignor.isEmpty ? "assignor not reported" : view.assignor): "
                        + (members.isEmpty ? "no members listed" : members.joined(separator: "; ")))
            }
        }
        if !unanswered.isEmpty {
            lines.append("")
            lines.append("did not answer in time (shown without them):")
            lines += unanswered.map { "  " + $0 }
        }
        lines.append("")
        lines.append(
            "lag: the offsets each service stored with its rows (as it reports them; while its first instance is down, what its group committed) vs the log end; kafka lag: the offsets it committed to Kafka"
        )
        return lines.joined(separator: "\n")
    }
}
