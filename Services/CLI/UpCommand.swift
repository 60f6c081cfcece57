import ArgumentParser
import Foundation
import Kafka
import Logging
import Orders
import ServiceRuntime
import UnixSignals

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
        try await broker.withKafka(clientID: "fooddelivery-up") { kafka, local in
            let brokers = kafka.bootstrapServers.joined(separator: ",")
            // A local broker starts empty: databases from an earlier run would hold offsets past its log end.
            if local != nil { try? FileManager.default.removeItem(atPath: dataDir) }
            let logs = (dataDir as NSString).appendingPathComponent("logs")
            try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
            let topics = OrderTopics()
            try await topics.ensure(using: try KafkaAdmin.make(configuration: kafka, logger: Logger(label: "up")))

            var run = SimulationRun(brokers: brokers, localBroker: local != nil, topic: topics.events, supervisor: getpid(), services: [:])
            for name in SimulationRun.all {
                let directory = (dataDir as NSString).appendingPathComponent(name)
                // Each stops by itself should this process die without stopping it (SIGKILL).
                var arguments = [
                    "--brokers", brokers, "--data-dir", directory, "--http-port", String(ports[name]!), "--topic", topics.events,
                    "--supervisor-pid", String(getpid()),
                ]
                if name == "orders" {
                    arguments += ["--rate", String(rate), "--speed", String(speed), "--seed", String(seed), "--output", "summary"]
                } else {
                    // Every instance `scale` may start, itself included: queries are routed across
                    // the ones that run.
                    arguments += ["--instance-id", "\(name)-1"]
                    for instance in 1...SimulationRun.maxInstances {
                        arguments += ["--peer", "http://127.0.0.1:\(SimulationRun.port(base: ports[name]!, instance: instance))"]
                    }
                }
                let log = (logs as NSString).appendingPathComponent("\(name).log")
                let pid = try ServiceLauncher.launch(name, arguments: arguments, log: log)
                run.services[name] = SimulationRun.Service(
                    pid: pid, port: ports[name]!, arguments: arguments, log: log,
                    database: name == "orders" ? nil : (directory as NSString).appendingPathComponent("\(name).sqlite"))
            }
            try run.save(dataDir)
            OutputLine.write(
                "started orders, restaurants, delivery, support and analytics against \(local == nil ? brokers : "the local broker at \(brokers)"); logs in \(logs)"
            )
            if dashboardPort > 0 { OutputLine.write("dashboard: http://127.0.0.1:\(dashboardPort)/") }
            OutputLine.write(
                "try: fooddelivery kill support · fooddelivery status · fooddelivery start support · fooddelivery query support late · Ctrl-C to stop everything"
            )

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
                }
                if dashboardPort > 0 {
                    let dashboard = DashboardServer(source: .simulation(dataDirectory: dataDir), host: "127.0.0.1", port: dashboardPort)
                    group.addTask {
                        // Quiet: cancelling it at shutdown is not an error worth printing.
                        var logger = Logger(label: "dashboard")
                        logger.logLevel = .critical
                        try await dashboard.run(logger: logger)
                        // Returning would end the simulation: the dashboard stops only with it.
                        try await Task.sleep(for: .seconds(1_000_000))
                    }
                }
                group.addTask { [dataDir, refresh, duration, plain] in
                    let started = ContinuousClock.now
                    var previous: SimulationStatus?
                    let admin = try? SimulationRun.load(dataDir).admin()
                    while duration.map({ ContinuousClock.now - started < .seconds($0) }) ?? true {
                        if let run = try? SimulationRun.load(dataDir) {
                            for service in run.services.values { ServiceLauncher.reap(service.pid) }
                            let status = await SimulationStatus.collect(run, admin: admin ?? nil)
                            OutputLine.write((plain ? "" : "\u{1B}[H\u{1B}[2J") + status.render(previous: previous) + "\n")
                            previous = status
                        }
                        try await Task.sleep(for: .seconds(refresh))
                    }
                }
                try await group.next()
                group.cancelAll()
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
        }
        OutputLine.write("stopped")
    }
}
