import ArgumentParser
import Contract
import Foundation
import Hummingbird
import Kafka
import Logging
import ServiceRuntime
import UnixSignals

/// `--data-dir` of the simulation the operator commands act on.
struct SimulationOptions: ParsableArguments {
    @Option(help: "The data directory `fooddelivery up` was started with.") var dataDir = ".fooddelivery/simulation"

    func load() throws -> SimulationRun { try SimulationRun.load(dataDir) }
}

/// `status`: the order flow, and per consumer group its member, assignment and per-partition lag
/// (offsets stored in the service's own database vs the log end).
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Groups, members, assignment and per-partition lag of the running simulation.",
        aliases: ["lag", "groups"])

    @OptionGroup var simulation: SimulationOptions
    @Flag(help: "Print JSON (for scripts).") var json = false
    @Flag(help: "Refresh every 2 s until Ctrl-C.") var watch = false

    func run() async throws {
        var previous: SimulationStatus?
        let run = try simulation.load()
        let admin = run.admin()
        repeat {
            let status = await SimulationStatus.collect(try simulation.load(), admin: admin)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                OutputLine.write(String(decoding: try encoder.encode(status), as: UTF8.self))
            } else {
                OutputLine.write(status.render(previous: previous) + "\n")
            }
            previous = status
            if watch { try await Task.sleep(for: .seconds(2)) }
        } while watch
    }
}

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

/// `start <service>`: starts a stopped service again, with the arguments `up` gave it.
struct StartCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "start", abstract: "Start a killed or stopped service of the running simulation again.")

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "orders, restaurants, delivery, support or analytics, or an instance `scale` added (support-2).") var service: String

    func run() async throws {
        var run = try simulation.load()
        var entry = try run.service(service)
        guard !SimulationRun.isAlive(entry.pid) else {
            throw CLIError("\(service) is running (pid \(entry.pid)); `fooddelivery kill \(service)` first")
        }
        // The same arguments as before: an instance `scale` added keeps its port, data and peers.
        entry.pid = try ServiceLauncher.launch(SimulationRun.executable(ofKey: service), arguments: entry.arguments, log: entry.log)
        run.services[service] = entry
        try run.save(simulation.dataDir)
        if entry.url == nil { try await ServiceLauncher.waitUntilServing(pid: entry.pid, port: entry.port, name: service, log: entry.log) }
        OutputLine.write(
            "started \(service) (pid \(entry.pid), port \(entry.port)); it resumes from the offsets stored in its database — watch its lag fall: `fooddelivery status --watch`"
        )
    }
}

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

/// `replay <service> --from …`: rebuild a projection from the log into a shadow database, compare
/// checksums with the live one, and swap it in.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Rebuild a service's projection from the log, compare checksums, swap it in.")

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Option(help: "earliest, an offset, or a time (ISO 8601, or @<ms>).") var from = "earliest"
    @Option(help: "never, when-equal or always.") var swap = "when-equal"
    @Flag(help: "Print the report as JSON.") var json = false

    struct ReplayState: Decodable {
        var running: Bool
        var progress: Report.Progress?
    }

    struct Report: Codable {
        var from: String
        var checksumsMatch: Bool
        var swapped: Bool
        var liveChecksum: String
        var replayChecksum: String
        var seconds: Double
        var progress: Progress
        struct Progress: Codable {
            var expected: Int64
            var recordsRead: Int
            var applied: Int
            var skipped: Int
        }
    }

    func run() async throws {
        guard SimulationRun.consumers.contains(service) else {
            throw CLIError("replay works on the consumer services: \(SimulationRun.consumers.joined(separator: ", "))")
        }
        let entry = try simulation.load().service(service)
        let query = "from=\(from.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? from)&swap=\(swap)"
        var client = entry.client
        client.timeout = 600
        // A progress bar from GET /replay while it runs (on stderr, so --json stays clean). The
        // watcher ends before anything else is printed, so the bar never follows the result.
        let interactive = !json
        let outcome = await withTaskGroup(of: Result<Data, any Error>?.self) { group in
            group.addTask { [client] in
                do { return .success(try await client.send("/replay?\(query)", method: "POST")) } catch { return .failure(error) }
            }
            if interactive {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(400))
                        guard !Task.isCancelled, let state: ReplayState = try? await entry.client.get("/replay"),
                            let progress = state.progress, progress.expected > 0
                        else { continue }
                        let done = min(1, Double(progress.recordsRead) / Double(progress.expected))
                        let bar = String(repeating: "#", count: Int(done * 30)) + String(repeating: ".", count: 30 - Int(done * 30))
                        FileHandle.standardError.write(
                            Data("\r  replaying [\(bar)] \(progress.recordsRead)/\(progress.expected) records".utf8))
                    }
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        guard let outcome else { throw CLIError("the replay request ended without an answer") }
        let data = try outcome.get()
        if json { return OutputLine.write(String(decoding: data, as: UTF8.self)) }
        let report = try JSONDecoder().decode(Report.self, from: data)
        OutputLine.write(
            """
            replay of \(service) from \(report.from): \(report.progress.recordsRead) records read, \(report.progress.applied) events applied in \(String(format: "%.1f", report.seconds)) s
            live checksum   \(report.liveChecksum)
            replay checksum \(report.replayChecksum)  \(report.checksumsMatch ? "EQUAL: nothing lost, nothing applied twice" : "DIFFERENT")
            \(report.swapped ? "swapped in" : "not swapped (swap=\(swap))")
            """)
    }
}

/// `query <service> <question> [id]`: the projections' main questions, as tables (`--json` raw).
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract:
            "Ask a service's projection: timeline <order>, late, customer <id>, queue <restaurant>, restaurants, couriers, deliveries <courier>, awaiting-pickup, in-flight, durations, per-minute, summary."
    )

    @OptionGroup var simulation: SimulationOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Argument(help: "The question (see the command's abstract).") var question: String
    @Argument(help: "The id the question needs.") var id: String?
    @Option(help: "At most this many rows.") var limit = 20
    @Flag(help: "Print the service's JSON answer.") var json = false

    static let questions: [String: [String: String]] = [
        "support": ["timeline": "/orders/{id}/timeline", "late": "/orders/late", "customer": "/customers/{id}/orders"],
        "restaurants": ["queue": "/restaurants/{id}/queue", "restaurants": "/restaurants", "stats": "/restaurants/{id}/stats"],
        "delivery": [
            "couriers": "/couriers", "deliveries": "/couriers/{id}/deliveries", "awaiting-pickup": "/orders/awaiting-pickup",
            "in-flight": "/deliveries/in-flight", "durations": "/deliveries/durations",
        ],
        "analytics": ["per-minute": "/regions/orders-per-minute", "summary": "/summary"],
    ]

    func run() async throws {
        guard let questions = Self.questions[service] else {
            throw CLIError("query works on \(Self.questions.keys.sorted().joined(separator: ", "))")
        }
        guard var path = questions[question] else {
            throw CLIError("\(service) answers: \(questions.keys.sorted().joined(separator: ", "))")
        }
        if path.contains("{id}") {
            guard let id, !id.isEmpty else {
                throw CLIError("`query \(service) \(question)` needs an id, e.g. `fooddelivery query \(service) \(question) <id>`")
            }
            path = path.replacingOccurrences(
                of: "{id}", with: id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(["-", "_"])) ?? id)
        }
        if path.hasSuffix("/late") || path.hasSuffix("/orders") || path.hasSuffix("/queue") || path.hasSuffix("/deliveries")
            || path.hasSuffix("pickup") || path.hasSuffix("in-flight")
        {
            path += "?limit=\(limit)"
        }
        // Longer than a service waits for a peer (5 s), so a peer that never answers comes back as
        // the service's own 503 with its explanation rather than as a timeout here.
        var client = try simulation.load().service(service).client
        client.timeout = 10
        let data = try await client.send(path)
        OutputLine.write(json ? String(decoding: data, as: UTF8.self) : TableRenderer.render(json: data, limit: limit))
    }
}

/// `keys <key>`: where a key lands, and why.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "keys", abstract: "Show which partition a key lands on, and why.")

    @Argument(help: "Keys (order ids), e.g. ord-1-000042.") var keys: [String]
    @Option(help: "Partitions of the topic.") var partitions = 6

    func run() async throws {
        guard partitions > 0 else { throw ValidationError("--partitions must be at least 1") }
        for key in keys {
            let hash = KafkaPartitioner.murmur2(key.utf8)
            OutputLine.write(
                "\(key) → partition \(KafkaPartitioner.partition(forKey: key, partitions: partitions)): murmur2 = 0x\(String(hash, radix: 16)), without its sign bit \(hash & 0x7fff_ffff), mod \(partitions)"
            )
        }
        OutputLine.write(
            "Every event of one order has the same key, so it lands on the same partition, in order; adding partitions moves keys.")
    }
}

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
                let directory = ((first.database ?? "") as NSString).deletingLastPathComponent + "-\(instance)"
                var arguments = first.arguments
                for (flag, value) in [("--data-dir", directory), ("--http-port", String(port))] {
                    if let index = arguments.firstIndex(of: flag), index + 1 < arguments.count {
                        arguments[index + 1] = value
                    } else {
                        arguments += [flag, value]
                    }
                }
                // Added instances are dynamic members: stopped by `scale`, they leave the group at
                // once. (A static member does not send LeaveGroup; its partitions would wait for
                // its session to time out — and on the local broker they were seen to wait longer.)
                if let index = arguments.firstIndex(of: "--instance-id"), index + 1 < arguments.count {
                    arguments.removeSubrange(index...(index + 1))
                }
                let log = (first.log as NSString).deletingLastPathComponent + "/\(key).log"
                let pid = try ServiceLauncher.launch(service, arguments: arguments, log: log)
                run.services[key] = SimulationRun.Service(
                    pid: pid, port: port, arguments: arguments, log: log,
                    database: (directory as NSString).appendingPathComponent("\(service).sqlite"))
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

/// `dashboard`: the live web dashboard — of the simulation `up` runs (it serves one too, on
/// 8090), or of services given by URL (docker compose: `--service support=http://support:8084`
/// for each, or `FOODDELIVERY_DASHBOARD_SERVICES`).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Serve the live web dashboard of the running simulation, or of services given by URL.")

    @OptionGroup var simulation: SimulationOptions
    @Option(help: "Port to serve it on. Default: $FOODDELIVERY_HTTP_PORT, else 8091.") var port: Int?
    @Option(help: "Address to listen on. Default: $FOODDELIVERY_HTTP_HOST, else 127.0.0.1.") var host: String?
    @Option(
        name: .customLong("service"),
        help:
            "<service>=<base URL> of a service to show (repeat). Default: $FOODDELIVERY_DASHBOARD_SERVICES (comma-separated), else the simulation in --data-dir."
    )
    var services: [String] = []
    @Option(help: "The order-event topic, when showing services by URL.") var topic = Topics.orderEvents

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let listed =
            services.isEmpty
            ? (environment["FOODDELIVERY_DASHBOARD_SERVICES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty } : services
        let source: DashboardServer.Source =
            listed.isEmpty ? .simulation(dataDirectory: simulation.dataDir) : .services(listed, topic: topic)
        _ = try source.load()
        var port = self.port ?? 8091
        if self.port == nil, let text = environment["FOODDELIVERY_HTTP_PORT"] {
            guard let number = Int(text) else { throw CLIError("FOODDELIVERY_HTTP_PORT=\(text) is not a whole number") }
            port = number
        }
        let host = host ?? environment["FOODDELIVERY_HTTP_HOST"] ?? "127.0.0.1"
        OutputLine.write("dashboard: http://\(host):\(port)/ (Ctrl-C to stop)")
        let dashboard = DashboardServer(source: source, host: host, port: port)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await dashboard.run(logger: Logger(label: "dashboard")) }
            group.addTask { for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break } }
            try await group.next()
            group.cancelAll()
        }
    }
}
