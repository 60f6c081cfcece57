import ArgumentParser
import Dashboard
import Foundation
import Kafka
import Logging
import ServiceLifecycle
import ServiceRuntime
import SimulationControl

/// The whole food-delivery simulation in one command: a broker (the local one, or the Kafka
/// given), the topics, `orders` and the four consumer services as separate processes with their
/// logs in one directory, and a live view of the order flow and every consumer group's lag.
/// Ctrl-C stops every process it started, and the broker if it started one.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start the whole simulation (broker, orders, restaurants, delivery, support, analytics) with a live view."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Where the services keep their databases and logs (and run.json, which the other commands read).")
    var dataDir = ".fooddelivery/simulation"
    @Option(help: "New orders per simulated second.") var rate: Double = 2
    @Option(help: "Simulated seconds per real second.") var speed: Double = 10
    @Option(help: "Random seed of the simulation.") var seed: UInt64 = 1
    @Option(help: "HTTP port of orders; the consumer services take the next four (restaurants, delivery, support, analytics).")
    var basePort = 8081
    @Option(help: "Seconds between refreshes of the live view.") var refresh: Double = 2
    @Option(help: "Stop by itself after this many seconds (default: until Ctrl-C or `fooddelivery stop`).") var duration: Double?
    @Flag(help: "Print each refresh below the last instead of redrawing the screen.") var plain = false
    @Option(help: "Port of the live web dashboard (0: none).") var dashboardPort = 8090
    @Option(help: "Client settings of the consumer services: kafka or local. Default: local when `up` starts the local broker, else kafka.")
    var kafkaProfile: KafkaProfile?

    func run() async throws {
        guard refresh > 0, rate > 0, speed > 0 else { throw ValidationError("--refresh, --rate and --speed must be positive") }
        if let existing = try? SimulationRun.load(dataDir), SimulationRun.isAlive(existing.supervisor) {
            throw CLIError(
                "a simulation is already running from \(dataDir) (pid \(existing.supervisor)): `fooddelivery status` to look at it, `fooddelivery stop` to end it"
            )
        }
        let ports = Dictionary(uniqueKeysWithValues: SimulationRun.all.enumerated().map { ($1, basePort + $0) })
        var taken = ports.filter { !LocalPort.isFree($0.value) }
        if dashboardPort > 0 && !LocalPort.isFree(dashboardPort) { taken["dashboard"] = dashboardPort }
        guard taken.isEmpty else {
            throw CLIError(
                "port(s) \(taken.values.sorted().map(String.init).joined(separator: ", ")) are taken (\(taken.keys.sorted().joined(separator: ", "))): stop what uses them, or pass --base-port"
            )
        }
        // Before anything starts: a build without the dashboard's page fails here, not midway.
        if dashboardPort > 0 { _ = try DashboardServer.page() }
        try await broker.withKafka(clientID: "fooddelivery-up") { kafka, local in
            let brokers = kafka.bootstrapServers.joined(separator: ",")
            // A local broker starts empty: databases from an earlier run would hold offsets past its log end.
            if local != nil { try? FileManager.default.removeItem(atPath: dataDir) }
            let logs = (dataDir as NSString).appendingPathComponent("logs")
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            let topics = ServiceTopics(others: ServiceTopics.choreography)
            try await topics.ensure(using: try KafkaAdmin.make(configuration: kafka, logger: Logger(label: "up")))

            var run = SimulationRun(brokers: brokers, localBroker: local != nil, topic: topics.events, supervisor: getpid())
            for name in SimulationRun.all {
                // Each stops by itself should this process die without stopping it (SIGKILL).
                var launch = ServiceLaunch(
                    service: name, brokers: brokers, dataDir: (dataDir as NSString).appendingPathComponent(name), topic: topics.events,
                    httpPort: ports[name]!, supervisorPid: getpid())
                let profile = kafkaProfile ?? (local == nil ? .kafka : .local)
                if name == "orders" {
                    launch.orders = .init(rate: rate, speed: speed, seed: seed, output: "summary", steps: "choreographed", profile: profile)
                } else {
                    // Every instance `scale` may start, itself included: queries are routed across
                    // the ones that run.
                    let peers = (1...SimulationRun.maxInstances).map {
                        "http://127.0.0.1:\(SimulationRun.port(base: ports[name]!, instance: $0))"
                    }
                    launch.consumer = .init(
                        instanceID: "\(name)-1", peers: peers, profile: profile, speed: speed,
                        seed: seed)
                }
                let log = (logs as NSString).appendingPathComponent("\(name).log")
                let pid = try ServiceLauncher.launch(launch, log: log)
                run.services[name] = SimulationRun.Service(pid: pid, port: ports[name]!, launch: launch, log: log)
            }
            try run.save(dataDir)
            OutputLine.write(
                "started orders, restaurants, delivery, support and analytics against \(local == nil ? brokers : "the local broker at \(brokers)"); logs in \(logs)"
            )
            if dashboardPort > 0 { OutputLine.write("dashboard: http://127.0.0.1:\(dashboardPort)/") }
            OutputLine.write(
                "try: fooddelivery kill support · fooddelivery status · fooddelivery start support · fooddelivery query support late · Ctrl-C to stop everything"
            )

            // Until Ctrl-C (SIGINT), SIGTERM (`fooddelivery stop`) or --duration: the live view and
            // the dashboard run as services of one group, which stops them gracefully.
            var logger = Logger(label: "up")
            logger.logLevel = .critical
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(
                    service: LiveView(dataDirectory: dataDir, refresh: refresh, duration: duration, plain: plain),
                    successTerminationBehavior: .gracefullyShutdownGroup)
            ]
            if dashboardPort > 0 {
                let dashboard = DashboardServer(source: .simulation(dataDirectory: dataDir), host: "127.0.0.1", port: dashboardPort)
                services += try dashboard.services(logger: logger).map { .init(service: $0) }
            }
            // Whatever ends the group (also a dashboard that cannot serve), the processes are stopped.
            var failure: (any Error)?
            do {
                try await ServiceGroup(configuration: .bounded(services: services, logger: logger)).run()
            } catch {
                failure = error
            }
            OutputLine.write(
                "stopping: the consumer services first (they leave their groups), then orders\(local == nil ? "" : ", then the local broker")"
            )
            let final = (try? SimulationRun.load(dataDir)) ?? run
            await withTaskGroup(of: Void.self) { group in
                for instance in final.consumerInstances {
                    if let pid = final.services[instance.key]?.pid { group.addTask { await ServiceLauncher.stop(pid) } }
                }
            }
            if let pid = final.services["orders"]?.pid { await ServiceLauncher.stop(pid) }
            try? FileManager.default.removeItem(atPath: SimulationRun.file(dataDir))
            if let failure { throw failure }
        }
        OutputLine.write("stopped")
    }
}

/// `up`'s view of the simulation in the terminal: a status every `refresh` seconds, until shutdown
/// or for `duration` seconds.
struct LiveView: Service {
    let dataDirectory: String
    let refresh: Double
    let duration: Double?
    let plain: Bool

    func run() async throws {
        let started = ContinuousClock.now
        var previous: SimulationStatus?
        let admin = try? SimulationRun.load(dataDirectory).admin()
        while !Task.isShuttingDownGracefully, duration.map({ ContinuousClock.now - started < .seconds($0) }) ?? true {
            if let run = try? SimulationRun.load(dataDirectory) {
                for service in run.services.values { ServiceLauncher.reap(service.pid) }
                let status = await SimulationStatus.collect(run, admin: admin ?? nil)
                OutputLine.write((plain ? "" : "\u{1B}[H\u{1B}[2J") + status.render(previous: previous) + "\n")
                previous = status
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(refresh)) }
        }
    }
}
