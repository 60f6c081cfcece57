import ArgumentParser
import Foundation
import SimulationControl

/// `stop`: ends the simulation (`up` stops every process it started).
struct StopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop the running simulation.")

    @OptionGroup var simulation: SimulationOptions

    func run() async throws {
        let run = try simulation.load()
        guard SimulationRun.isAlive(run.supervisor) else {
            throw CLIError(
                "the `fooddelivery up` process (pid \(run.supervisor)) is gone; remove \(SimulationRun.file(simulation.dataDir)) and any leftover service processes"
            )
        }
        kill(run.supervisor, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(40)
        while SimulationRun.isAlive(run.supervisor) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(200)) }
        OutputLine.write(
            SimulationRun.isAlive(run.supervisor)
                ? "asked `fooddelivery up` (pid \(run.supervisor)) to stop; it is still stopping" : "stopped")
    }
}
