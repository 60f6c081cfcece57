import ArgumentParser
import Foundation
import Kafka
import Operations
import OrderEvents
import ServiceRuntime
import SimulationControl

/// `groups`: consumer groups as the brokers see them, in the manner of `kafka-consumer-groups`:
/// list, describe (members, committed offsets, log ends, lag per partition) and reset-offsets
/// (a dry run that prints the plan, unless `--execute`).
struct GroupsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "groups", abstract: "List, describe and reset consumer groups of any cluster (like kafka-consumer-groups).",
        subcommands: [List.self, Describe.self, ResetOffsets.self], defaultSubcommand: List.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every consumer group and its state.")
        @OptionGroup var cluster: ClusterOptions

        func run() async throws {
            let (admin, _, _) = try cluster.admin(clientID: "fooddelivery-groups")
            for group in try await admin.listGroups().sorted(by: { $0.groupID < $1.groupID }) {
                OutputLine.write("\(group.groupID)  \(group.state)")
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A group's members and, per partition, its committed offset, the log end and the lag.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The consumer group.") var group: String
        @Flag(help: "Print JSON (for scripts).") var json = false

        func run() async throws {
            let (admin, configuration, logger) = try cluster.admin(clientID: "fooddelivery-groups")
            let report = try await GroupReport.collect(group: group, admin: admin, configuration: configuration, logger: logger)
            if json { return try OutputLine.pretty(report) }
            OutputLine.write(GroupsCommand.render(report))
        }
    }

    static func render(_ report: GroupReport) -> String {
        var lines = ["group \(report.group): \(report.state), \(report.members.count) member(s), assignor \(report.assignor)"]
        for member in report.members {
            lines.append(
                "  member \(member.clientID)\(member.instanceID.map { " (static \($0))" } ?? "") at \(member.host): \(member.partitions.joined(separator: ", "))"
            )
        }
        lines.append("  TOPIC  PARTITION  COMMITTED  LOG-END  LAG  OWNER")
        for partition in report.partitions {
            lines.append(
                "  \(partition.topic)  \(partition.partition)  \(partition.committed.map(String.init) ?? "-")  \(partition.logEnd.map(String.init) ?? "?")  \(partition.lag.map { $0 < 0 ? "\($0) BEYOND THE LOG END" : String($0) } ?? "-")  \(partition.owner ?? "-")"
            )
        }
        lines.append("  total lag \(report.totalLag)")
        return lines.joined(separator: "\n")
    }

    struct ResetOffsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-offsets",
            abstract: "Move a group's committed offsets on a topic. Prints the plan; changes nothing without --execute.",
            discussion: """
                Kafka changes only an inactive group's offsets: stop its consumers first. The consumer services \
                (restaurants, delivery, support, analytics) start from the offsets stored in their own databases, \
                not from these: to rebuild one from an earlier point, use `fooddelivery replay <service> --from …`.
                """)
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The consumer group.") var group: String
        @Option(help: "The topic whose offsets move.") var topic: String
        @Flag(help: "To the oldest record kept.") var toEarliest = false
        @Flag(help: "To the log end.") var toLatest = false
        @Option(help: "To the first record at or after this time (ISO 8601, e.g. 2026-12-02T10:00:00Z).") var toDatetime: String?
        @Option(parsing: .unconditional, help: "Move by this many records (negative: back).") var shiftBy: Int64?
        @Option(help: "To this offset.") var toOffset: Int64?
        @Flag(help: "Set the offsets (without it: only print the plan).") var execute = false
        @Flag(help: "Print the plan as JSON.") var json = false

        func spec() throws -> OffsetResetSpec {
            var specs: [OffsetResetSpec] = []
            if toEarliest { specs.append(.earliest) }
            if toLatest { specs.append(.latest) }
            if let toDatetime {
                guard let date = Timestamp.parse(toDatetime) else {
                    throw ValidationError("--to-datetime \(toDatetime) is not an ISO 8601 time, e.g. 2026-12-02T10:00:00Z")
                }
                specs.append(.datetime(Timestamp.milliseconds(date)))
            }
            if let shiftBy { specs.append(.shiftBy(shiftBy)) }
            if let toOffset { specs.append(.offset(toOffset)) }
            guard specs.count == 1 else {
                throw ValidationError("give exactly one of --to-earliest, --to-latest, --to-datetime, --shift-by, --to-offset")
            }
            return specs[0]
        }

        func run() async throws {
            let spec = try spec()
            let (admin, configuration, logger) = try cluster.admin(clientID: "fooddelivery-groups")
            let plan = try await OffsetResetPlan.make(
                group: group, topic: topic, spec: spec, admin: admin, configuration: configuration, logger: logger)
            if execute { try await plan.execute(admin: admin) }
            if json { return try OutputLine.pretty(plan) }
            OutputLine.write("\(execute ? "reset" : "plan (dry run; --execute sets it)") for group \(group) on \(topic):")
            OutputLine.write("  PARTITION  CURRENT  NEW")
            for row in plan.rows {
                OutputLine.write("  \(row.partition)  \(row.current.map(String.init) ?? "-")  \(row.target)")
            }
            if ServiceEnvironment.services.contains(where: { group == $0 || group.hasPrefix($0 + "-") || group.hasPrefix($0 + ".") }) {
                OutputLine.write(
                    "note: \(group) looks like a service's group. A read model starts from the offsets in its own database, not these: to rebuild one from an earlier point, use `fooddelivery replay <service> --from …`. A deciding group (…decisions) starts at the later of its stored and these committed offsets, so moving these forward skips decisions."
                )
            }
        }
    }
}
