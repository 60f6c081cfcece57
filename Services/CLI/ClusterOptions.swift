import ArgumentParser
import Contract
import Foundation
import Kafka
import Logging
import ServiceRuntime
import SimulationControl

/// Which cluster and which services an operator command acts on, so it works against compose and
/// Kubernetes as well as the local simulation. Explicit flags first, then the environment, then
/// the simulation `fooddelivery up` runs: the cluster from `--brokers`, `KAFKA_BOOTSTRAP_SERVERS`
/// or the simulation's run file; the services from `--service <name>=<URL>`, `--data-dir`,
/// `FOODDELIVERY_DASHBOARD_SERVICES` (as the dashboard reads it) or the default simulation.
/// Services of a simulation are never paired with another cluster's brokers.
struct ClusterOptions: ParsableArguments {
    @OptionGroup var connection: KafkaConnectionOptions
    @Option(
        name: .customLong("service"),
        help: "<service>=<base URL> of a service (repeat), e.g. support=http://localhost:8084. Default: $\(servicesVariable)."
    )
    var services: [String] = []
    @Option(help: "The data directory `fooddelivery up` was started with (default: .fooddelivery/simulation).")
    var dataDir: String?

    static let servicesVariable = "FOODDELIVERY_DASHBOARD_SERVICES"
    var simulationDirectory: String { dataDir ?? ".fooddelivery/simulation" }

    /// The services named by URL: the flags, else (without --data-dir) the environment.
    var listedServices: [String] {
        if !services.isEmpty || dataDir != nil { return services }
        return (ProcessInfo.processInfo.environment[Self.servicesVariable] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// A cluster given by flag or environment, and no services at all: the brokers are all there is.
    var brokersOnly: Bool {
        get throws { try connection.configuration(clientID: "fooddelivery") != nil && listedServices.isEmpty && dataDir == nil }
    }

    static let nothingGiven =
        "pass --brokers host:port (or set KAFKA_BOOTSTRAP_SERVERS) and --service <name>=<URL> (or set \(servicesVariable)), or --data-dir of a simulation `fooddelivery up` started"

    /// The services to act on, with their cluster.
    func run() throws -> SimulationRun {
        guard listedServices.isEmpty else {
            var run = try SimulationRun.remote(listedServices, topic: Topics.orderEvents)
            if let configured = try connection.configuration(clientID: "fooddelivery") {
                run.brokers = configured.bootstrapServers.joined(separator: ",")
            }
            return run
        }
        do {
            return try SimulationRun.load(simulationDirectory)
        } catch {
            throw CLIError("\(error); \(Self.nothingGiven)")
        }
    }

    /// The cluster to act on.
    func kafka(clientID: String) throws -> KafkaConfiguration {
        if let configured = try connection.configuration(clientID: clientID) { return configured }
        guard let run = try? SimulationRun.load(simulationDirectory) else { throw CLIError("no cluster given: \(Self.nothingGiven)") }
        return try KafkaConfiguration.make(bootstrapServers: run.brokers, environment: [:], clientID: clientID)
    }

    /// An admin client of that cluster, its configuration, and a quiet logger for the tools.
    func admin(clientID: String) throws -> (KafkaAdmin, KafkaConfiguration, Logger) {
        let configuration = try kafka(clientID: clientID)
        var logger = Logger(label: clientID)
        logger.logLevel = .error
        return (try KafkaAdmin.make(configuration: configuration, logger: logger), configuration, logger)
    }
}
