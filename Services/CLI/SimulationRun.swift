import Foundation
import Kafka
import Logging

/// What `fooddelivery up` started, written to `<data dir>/run.json` so that the other commands
/// (`status`, `kill`, `start`, `stop`, `replay`, `query`) find the processes, ports and databases.
struct SimulationRun: Codable {
    struct Service: Codable {
        var pid: Int32
        var port: Int
        var arguments: [String]
        var log: String
        /// The service's SQLite database (consumer services; nil for orders).
        var database: String?
        /// Where its HTTP API is, when it is not a local process (a container, a pod): then it is
        /// "running" when it answers, and its stored offsets come from its `/offsets`.
        var url: String?

        var client: ServiceClient { url.map { ServiceClient(base: $0) } ?? ServiceClient(port: port) }
    }

    var brokers: String
    var localBroker: Bool
    var topic: String
    /// The `fooddelivery up` process; `stop` signals it.
    var supervisor: Int32
    var services: [String: Service]

    static let consumers = ["restaurants", "delivery", "support", "analytics"]
    static let all = ["orders"] + consumers
    /// Instances a consumer service can be scaled to (`scale`); each has its own port and data.
    static let maxInstances = 3

    /// The key of instance `k` (1-based) of `service` in `services`: `support`, `support-2`, …
    static func key(_ service: String, instance: Int) -> String { instance == 1 ? service : "\(service)-\(instance)" }

    /// The executable an instance runs: `support-2` is an instance of `support`.
    static func executable(ofKey key: String) -> String { consumers.first { key.hasPrefix($0 + "-") } ?? key }

    /// The HTTP port of instance `k`: the first instance's port + 10 per further instance.
    static func port(base: Int, instance: Int) -> Int { base + 10 * (instance - 1) }

    /// Every running-or-recorded instance of the consumer services, in a stable order.
    var consumerInstances: [(service: String, instance: Int, key: String)] {
        Self.consumers.flatMap { service in
            (1...Self.maxInstances).compactMap { instance in
                let key = Self.key(service, instance: instance)
                return services[key] == nil ? nil : (service, instance, key)
            }
        }
    }

    static func file(_ directory: String) -> String { (directory as NSString).appendingPathComponent("run.json") }

    static func load(_ directory: String) throws -> SimulationRun {
        guard let data = FileManager.default.contents(atPath: file(directory)) else {
            throw CLIError(
                "no simulation is running with data directory \(directory): start one with `fooddelivery up` (or pass the --data-dir it used)"
            )
        }
        return try JSONDecoder().decode(SimulationRun.self, from: data)
    }

    func save(_ directory: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(self).write(to: URL(fileURLWithPath: Self.file(directory)), options: .atomic)
    }

    func service(_ name: String) throws -> Service {
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
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 else { return false }
        // /proc/<pid>/stat: "pid (name) state …"; the name may hold spaces, so read after the ")".
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else {
            return true
        }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// An admin client of the simulation's cluster, for Kafka's own view (committed offsets).
    func admin() -> KafkaAdmin? {
        guard !brokers.isEmpty,
            let configuration = try? KafkaConfiguration.make(bootstrapServers: brokers, environment: [:], clientID: "fooddelivery-status")
        else { return nil }
        var logger = Logger(label: "status")
        logger.logLevel = .critical
        return try? KafkaAdmin.make(configuration: configuration, logger: logger, requestTimeout: .seconds(3))
    }

    /// Services elsewhere, named by URL (`orders=http://orders:8081`): what the dashboard reads in
    /// docker compose, where the services are containers, not processes of this machine.
    static func remote(_ services: [String], topic: String) throws -> SimulationRun {
        var run = SimulationRun(brokers: "", localBroker: false, topic: topic, supervisor: 0, services: [:])
        for entry in services {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, all.contains(parts[0]), let url = URL(string: parts[1]), url.scheme == "http" else {
                throw CLIError(
                    "--service \(entry): give <service>=<base URL>, e.g. support=http://support:8084 (services: \(all.joined(separator: ", ")))"
                )
            }
            run.services[parts[0]] = Service(pid: 0, port: url.port ?? 80, arguments: [], log: "", database: nil, url: parts[1])
        }
        return run
    }
}

/// A failure the user can fix, said plainly.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
