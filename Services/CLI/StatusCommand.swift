import ArgumentParser
import Foundation
import Operations
import SimulationControl

/// `status`: the order flow, and per consumer group its member, assignment and per-partition lag
/// (the offsets each service reports having stored with its read model vs the log end), read
/// through the services' APIs and from Kafka. Given only a cluster (`--brokers` or
/// `KAFKA_BOOTSTRAP_SERVERS`, no services, no `--data-dir`), every consumer group as the brokers see it.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Groups, members, assignment and per-partition lag of the simulation, or of any cluster.",
        aliases: ["lag"])

    @OptionGroup var cluster: ClusterOptions
    @Flag(help: "Print JSON (for scripts).") var json = false
    @Flag(help: "Refresh every 2 s until Ctrl-C.") var watch = false

    func run() async throws {
        if try cluster.brokersOnly { return try await brokersOnly() }
        var previous: SimulationStatus?
        let admin = try cluster.run().admin()
        repeat {
            let status = await SimulationStatus.collect(try cluster.run(), admin: admin)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                OutputLine.write(String(decoding: try encoder.encode(status), as: UTF8.self))
            } else {
                OutputLine.write(status.render(previous: previous) + "\n")
            }
            previous = status
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }

    /// Every consumer group of the cluster, from the brokers alone.
    func brokersOnly() async throws {
        let (admin, configuration, logger) = try cluster.admin(clientID: "fooddelivery-status")
        repeat {
            var reports: [GroupReport] = []
            for group in try await admin.listGroups().map(\.groupID).sorted() {
                reports.append(try await GroupReport.collect(group: group, admin: admin, configuration: configuration, logger: logger))
            }
            if json {
                try OutputLine.pretty(reports)
            } else {
                OutputLine.write(reports.isEmpty ? "no consumer groups" : reports.map(GroupsCommand.render).joined(separator: "\n\n"))
            }
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }
}
