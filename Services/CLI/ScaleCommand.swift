import ArgumentParser
import Foundation
import ServiceRuntime
import SimulationControl

/// `scale <service> <n>`: run 1–3 instances of a consumer service in its group. New instances get
/// their own port (+10 each) and database; the group rebalances; queries are routed across them.
struct ScaleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scale", abstract: "Run 1–3 instances of a consumer service in its consumer group.")

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Argument(help: "Instances, 1–3.") var instances: Int

    func run() async throws {
        guard SimulationRun.consumers.contains(service) else {
            throw CLIError("scale works on the consumer services: \(SimulationRun.consumers.joined(separator: ", "))")
        }
        guard (1...SimulationRun.maxInstances).contains(instances) else {
            throw CLIError("instances must be 1…\(SimulationRun.maxInstances)")
        }
        var run = try simulation.load()
        let first = try run.service(service)
        for instance in 2...SimulationRun.maxInstances {
            let key = SimulationRun.key(service, instance: instance)
            let existing = run.services[key]
            if instance <= instances {
                if let existing, SimulationRun.isAlive(existing.pid) { continue }
                // Its port is fixed (the first instance's + 10 per instance): every instance was
                // started with these as its peers, which is how queries reach the new one.
                let port = SimulationRun.port(base: first.port, instance: instance)
                guard LocalPort.isFree(port) else {
                    throw CLIError(
                        "port \(port), where \(key) must listen (its peers expect it there), is taken by another program: free it (`ss -ltnp | grep \(port)`), or `fooddelivery stop` and `up --base-port` elsewhere"
                    )
                }
                guard var launch = first.launch, let dataDir = launch.dataDir else {
                    throw CLIError("\(service) runs elsewhere (\(first.url ?? "?")): scale it where it runs")
                }
                launch.dataDir = dataDir + "-\(instance)"
                launch.httpPort = port
                // Added instances are dynamic members: stopped by `scale`, they leave the group at
                // once. (A static member does not send LeaveGroup; its partitions would wait for
                // its session to time out — and on the local broker they were seen to wait longer.)
                launch.consumer?.instanceID = nil
                let log = (first.log as NSString).deletingLastPathComponent + "/\(key).log"
                let pid = try ServiceLauncher.launch(launch, log: log)
                run.services[key] = SimulationRun.Service(pid: pid, port: port, launch: launch, log: log)
                try run.save(simulation.dataDir)
                try await ServiceLauncher.waitUntilServing(pid: pid, port: port, name: key, log: log)
                OutputLine.write("started \(key) (pid \(pid), port \(port)); the group rebalances in a few seconds")
            } else if let existing {
                await ServiceLauncher.stop(existing.pid)
                run.services[key] = nil
                OutputLine.write("stopped \(key) (it left the group; its partitions move to the others)")
            }
        }
        try run.save(simulation.dataDir)
        OutputLine.write("watch the assignment change: `fooddelivery status --watch`")
    }
}
