import ArgumentParser
import Foundation
import SimulationControl

/// `--data-dir` of the simulation the operator commands act on.
struct SimulationOptions: ParsableArguments {
    @Option(help: "The data directory `fooddelivery up` was started with.") var dataDir = ".fooddelivery/simulation"

    func load() throws -> SimulationRun { try SimulationRun.load(dataDir) }
}
