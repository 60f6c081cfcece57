import ArgumentParser
import Foundation
import SimulationControl

/// `status`: the order flow, and per consumer group its member, assignment and per-partition lag
/// (the offsets each service reports having stored with its read model vs the log end), read
/// through the services' APIs and from Kafka.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Groups, members, assignment and per-partition lag of the running simulation.",
        aliases: ["lag", "groups"])

    @OptionGroup var simulation: SimulationOptions
    @Flag(help: "Print JSON (for scripts).") var json = false
    @Flag(help: "Refresh every 2 s until Ctrl-C.") var watch = false

    func run() async throws {
        var previous: SimulationStatus?
        let run = try simulation.load()
        let admin = run.admin()
        repeat {
            let status = await SimulationStatus.collect(try simulation.load(), admin: admin)
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
}
