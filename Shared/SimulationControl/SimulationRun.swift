import Contract
import Foundation
package import Kafka
import Logging
package import ServiceRuntime

/// What `fooddelivery up` started, written to `<data dir>/run.json` so that the other commands
/// (`status`, `kill`, `start`, `stop`, `replay`, `query`) find the processes, their ports and how
/// each was launched.
package struct SimulationRun: Codable {
    package struct Service: Codable {
        package var pid: Int32
        package var port: Int
        /// How it was started (nil for a service given by URL); `start` starts it the same way.
        package var launch: ServiceLaunch?
        package var log: String
        /// Where its HTTP API is, when it is not a local process (a container, a pod): then it is
        /// "running" when it answers.
        package var url: String?

        package init(pid: Int32, port: Int, launch: ServiceLaunch?, log: String, url: String? = nil) {
            self.pid = pid
            self.port = port
            self.launch = launch
            self.log = log
            self.url = url
        }

        package var client: ServiceClient { url.map { ServiceClient(base: $0) } ?? ServiceClient(port: port) }
    }

    package var brokers: String
    package var localBroker: Bool
    package var topic: String
    /// The `fooddelivery up` process; `stop` signals it.
    package var supervisor: Int32
    package var services: [String: Service]

    package init(brokers: String, localBroker: Bool, topic: String, supervisor: Int32, services: [String: Service] = [:]) {
        self.brokers = brokers
        self.localBroker = localBroker
        self.topic = topic
        self.supervisor = supervisor
        self.services = services
    }

    package static let consumers = ServiceNames.consumers
    package static let all = ServiceNames.all
    /// Instances a consumer service can be scaled to (`scale`); each has its own port and data.
    package static let maxInstances = 3

    /// The key of instance `k` (1-based) of `service` in `services`: `support`, `support-2`, …
    package static func key(_ service: String, instance: Int) -> String { instance == 1 ? service : "\(service)-\(instance)" }

    /// The HTTP port of instance `k`: the first instance's port + 10 per further instance.
    package static func port(base: Int, instance: Int) -> Int { base + 10 * (instance - 1) }

    /// Every running-or-recorded instance of the consumer services, in a stable order.
    package var consumerInstances: [(service: String, instance: Int, key: String)] {
        Self.consumers.flatMap { service in
            (1...Self.maxInstances).compactMap { instance in
                let key = Self.key(service, instance: instance)
                return services[key] == nil ? nil : (service, instance, key)
            }
        }
    }

    package static func file(_ directory: String) -> String { (directory as NSString).appendingPathComponent("run.json") }

    package static func load(_ directory: String) throws -> SimulationRun {
        guard let data = FileManager.default.contents(atPath: file(directory)) else {
            throw CLIError(
                "no simulation is running with data directory \(directory): start one with `fooddelivery up` (or pass the --data-dir it used)"
            )
        }
        return try JSONDecoder().decode(SimulationRun.self, from: data)
    }

    package func save(_ directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.file(directory)), options: .atomic)
    }

    package func service(_ name: String) throws -> Service {
        guard let service = services[name] else {
            let instances = services.keys.filter { !Self.all.contains($0) }.sorted()
            throw CLIError(
                "unknown service '\(name)': the services are \(Self.all.joined(separator: ", "))"
                    + (instances.isEmpty ? "" : "; instances added by `scale`: \(instances.joined(separator: ", "))"))
        }
        return service
    }

    /// Whether the process runs. A killed process whose parent has not collected it yet (a
    /// zombie: `kill(pid, 0)` still succeeds) has stopped running, and counts as gone.
    package static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        // /proc/<pid>/stat: "pid (name) state …"; the name may hold spaces, so read after the ")".
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// An admin client of the simulation's cluster, for Kafka's own view (committed offsets).
    package func admin() -> KafkaAdmin? {
        guard !brokers.isEmpty,
            let configuration = try? KafkaConfiguration.make(bootstrapServers: brokers, environment: [:], clientID: "fooddelivery-status")
        else { return nil }
        var logger = Logger(label: "status")
        logger.logLevel = .critical
        return try? KafkaAdmin.make(configuration: configuration, logger: logger, requestTimeout: .seconds(3))
    }

    /// Services elsewhere, named by URL (`orders=http://orders:8081`): what the dashboard reads in
    /// docker compose, where the services are containers, not processes of this machine.
    package static func remote(_ services: [String], topic: String) throws -> SimulationRun {
        var run = SimulationRun(brokers: "", localBroker: false, topic: topic, supervisor: 0, services: [:])
        for entry in services {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, all.contains(parts[0]), let url = URL(string: parts[1]), url.scheme == "http" else {
                throw CLIError(
                    "--service \(entry): give <service>=<base URL>, e.g. support=http://support:8084 (services: \(all.joined(separator: ", ")))"
                )
            }
            run.services[parts[0]] = Service(pid: 0, port: url.port ?? 80, launch: nil, log: "", url: parts[1])
        }
        return run
    }
}

/// A failure the user can fix, said plainly.
package struct CLIError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}
