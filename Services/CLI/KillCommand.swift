import ArgumentParser
import Foundation
import SimulationControl

/// `kill <service>`: SIGKILL, no goodbye — its group notices by session timeout, its lag climbs.
struct KillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "kill", abstract: "SIGKILL one service of the running simulation.")

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "orders, restaurants, delivery, support or analytics, or an instance `scale` added (support-2).") var service: String

    func run() async throws {
        let service = try simulation.load().service(self.service)
        guard SimulationRun.isAlive(service.pid) else {
            throw CLIError("\(self.service) is not running; `fooddelivery start \(self.service)` starts it")
        }
        kill(service.pid, SIGKILL)
        // SIGKILL is delivered at once, but the process is gone only when the kernel has torn it down.
        let deadline = ContinuousClock.now + .seconds(5)
        while SimulationRun.isAlive(service.pid) && ContinuousClock.now < deadline {
            ServiceLauncher.reap(service.pid)
            try await Task.sleep(for: .milliseconds(50))
        }
        guard !SimulationRun.isAlive(service.pid) else {
            throw CLIError(
                "sent SIGKILL to \(self.service) (pid \(service.pid)), but it is still there after 5 s: look at it with `ps -o pid,stat,cmd -p \(service.pid)`"
            )
        }
        OutputLine.write(
            "killed \(self.service) (pid \(service.pid)) with SIGKILL. Watch its lag climb: `fooddelivery status --watch`; bring it back: `fooddelivery start \(self.service)`"
        )
    }
}
