import ArgumentParser
import Foundation
import SimulationControl

/// `start <service>`: starts a stopped service again, with the arguments `up` gave it.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a killed or stopped service of the running simulation again.")

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "orders, restaurants, delivery, support or analytics, or an instance `scale` added (support-2).") var service: String

    func run() async throws {
        var run = try simulation.load()
        var entry = try run.service(service)
        guard !SimulationRun.isAlive(entry.pid) else {
            throw CLIError("\(service) is running (pid \(entry.pid)); `fooddelivery kill \(service)` first")
        }
        // Started as before: an instance `scale` added keeps its port, data and peers.
        guard let launch = entry.launch else {
            throw CLIError("\(service) runs elsewhere (\(entry.url ?? "?")): start it where it runs")
        }
        entry.pid = try ServiceLauncher.launch(launch, log: entry.log)
        run.services[service] = entry
        try run.save(simulation.dataDir)
        if entry.url == nil { try await ServiceLauncher.waitUntilServing(pid: entry.pid, port: entry.port, name: service, log: entry.log) }
        OutputLine.write(
            "started \(service) (pid \(entry.pid), port \(entry.port)); it resumes from the offsets stored in its database — watch its lag fall: `fooddelivery status --watch`"
        )
    }
}
