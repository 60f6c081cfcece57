import ArgumentParser
import Contract
import Foundation
import Kafka
import Logging
import ServiceRuntime
import SimulationControl

/// Which cluster and which services an operator command acts on, so it works against compose and
/// Kubernetes as well as the local simulation: `--brokers` (or `KAFKA_BOOTSTRAP_SERVERS`) and
/// `--service <name>=<URL>` (or `FOODDELIVERY_DASHBOARD_SERVICES`, as the dashboard reads it);
/// what is not given comes from the simulation `fooddelivery up` runs in `--data-dir`.
struct ClusterOptions: ParsableArguments {
    @OptionGroup var connection: KafkaConnectionOptions
    @Option(
        name: .customLong("service"),
        help: "<service>=<base URL> of a service (repeat), e.g. support=http://localhost:8084. Default: $FOODDELIVERY_DASHBOARD_SERVICES."
    )
    var services: [String] = []
    @Option(help: "The data directory `fooddelivery up` was started with, for what --brokers and --service do not say.")
    var dataDir = ".fooddelivery/simulation"

    static let servicesVariable = "FOODDELIVERY_DASHBOARD_SERVICES"

    /// The services named by URL, from the flags or the environment.
    var listedServices: [String] {
        if !services.isEmpty { return services }
        return (ProcessInfo.processInfo.environment[Self.servicesVariable] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// The services and brokers to act on: those given, else the running simulation's.
    func run() throws -> SimulationRun {
        var run =
            listedServices.isEmpty ? try SimulationRun.load(dataDir) : try SimulationRun.remote(listedServices, topic: Topics.orderEvents)
        if let configured = try connection.configuration(clientID: "fooddelivery") {
            run.brokers = configured.bootstrapServers.joined(separator: ",")
        }
        return run
    }

    /// The cluster: `--brokers` or the environment, else the running simulation's broker.
    func kafka(clientID: String) throws -> KafkaConfiguration {
        if let configured = try connection.configuration(clientID: clientID) { return configured }
        guard let run = try? SimulationRun.load(dataDir) else {
            throw CLIError(
                "no cluster given: pass --brokers host:port (or set KAFKA_BOOTSTRAP_SERVERS), or start the simulation with `fooddelivery up`"
            )
        }
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
