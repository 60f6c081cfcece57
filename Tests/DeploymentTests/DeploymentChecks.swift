import ArgumentParser
import Foundation
import Orders
import ProjectionServer
import ServiceRuntime
import Yams

/// What keeps docker-compose.yml, deploy/k8s and deploy/Dockerfile in step with the code. Each
/// check returns the problems it found (empty: all agree), so tests can also show that a broken
/// file is caught.
enum DeploymentChecks {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func text(_ path: String) throws -> String { try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8) }

    /// The package's executable products that the image ships, from Package.swift: all but the
    /// benchmarks, which run where they are built (`scripts/bench.sh`).
    static func executables() throws -> Set<String> {
        Set(try text("Package.swift").matches(of: /\.executable\(name: "([a-z-]+)"/).map { String($0.1) }).subtracting([
            "fooddelivery-bench"
        ])
    }

    /// What a service's code makes of an environment: the flags it becomes, parsed by the
    /// service's own options. Throws what the service would say at start-up.
    struct ParsedService {
        var dataDirectory: String
        var httpHost: String
        var httpPort: Int
        var topic: String
    }

    static func parse(service: String, environment: [String: String]) throws -> ParsedService {
        let arguments = try ServiceEnvironment.arguments([], service: service, environment: environment)
        if service == "orders" {
            let command = try OrdersServiceOptions.parse(arguments)
            return ParsedService(
                dataDirectory: command.dataDir, httpHost: command.httpHost, httpPort: command.httpPort, topic: command.topic)
        }
        let options = try ProjectionServiceOptions.parse(arguments)
        return ParsedService(
            dataDirectory: options.dataDir ?? ".fooddelivery/\(options.group ?? service)", httpHost: options.httpHost,
            httpPort: options.httpPort ?? -1, topic: options.topic)
    }

    /// The environment a deployment gives one service: only variables the code reads, the
    /// required ones set, every value one the service accepts. Returns the problems and what the
    /// service would make of it.
    static func environment(_ environment: [String: String], service: String, where place: String) -> ([String], ParsedService?) {
        var problems: [String] = []
        let known = Set(
            ServiceEnvironment.variables.filter { $0.services.contains(service) }.map(\.name) + ServiceEnvironment.kafkaVariables)
        for name in environment.keys.sorted() where !known.contains(name) && !name.hasPrefix(ServiceEnvironment.kafkaOverridePrefix) {
            problems.append("\(place): \(name) is not read by \(service) (see docs/CONFIGURATION.md)")
        }
        for required in ["KAFKA_BOOTSTRAP_SERVERS", "FOODDELIVERY_DATA_DIR", "FOODDELIVERY_HTTP_PORT", "FOODDELIVERY_HTTP_HOST"]
        where environment[required] == nil {
            problems.append("\(place): \(required) must be set")
        }
        do {
            let parsed = try parse(service: service, environment: environment)
            if parsed.httpHost != "0.0.0.0" {
                problems.append("\(place): the HTTP API listens on \(parsed.httpHost), unreachable from outside the container")
            }
            if parsed.topic != OrderTopics().events {
                problems.append("\(place): topic \(parsed.topic), but the topics are created as \(OrderTopics().events)")
            }
            return (problems, parsed)
        } catch {
            problems.append("\(place): \(service) would refuse this environment: \(error)")
            return (problems, nil)
        }
    }

    // MARK: - docker-compose.yml

    static func compose(_ document: [String: Any], copiedExecutables: Set<String>) -> [String] {
        var problems: [String] = []
        let services = document["services"] as? [String: Any] ?? [:]
        let volumes = Set((document["volumes"] as? [String: Any] ?? [:]).keys)
        for name in ServiceEnvironment.services {
            guard let service = services[name] as? [String: Any] else {
                problems.append("compose: no service \(name)")
                continue
            }
            let place = "compose \(name)"
            let command = service["command"] as? [String] ?? []
            if command.first != name || !copiedExecutables.contains(name) {
                problems.append("\(place): command \(command) does not run the \(name) executable the image contains")
            }
            if (service["build"] as? [String: Any])?["dockerfile"] as? String != "deploy/Dockerfile" {
                problems.append("\(place): not built from deploy/Dockerfile")
            }
            if service["restart"] as? String == nil { problems.append("\(place): no restart policy") }
            let environment = (service["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            let (found, parsed) = Self.environment(environment, service: name, where: place)
            problems += found
            guard let parsed else { continue }
            let test = ((service["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []).joined(separator: " ")
            if !test.contains("http://localhost:\(parsed.httpPort)/health") {
                problems.append(
                    "\(place): the healthcheck (\(test)) does not ask /health on the port the service listens on (\(parsed.httpPort))")
            }
            let ports = (service["ports"] as? [Any] ?? []).map { "\($0)" }
            if !ports.contains(where: { $0.hasSuffix(":\(parsed.httpPort)") }) {
                problems.append("\(place): port \(parsed.httpPort) is not published (ports: \(ports))")
            }
            let mounts = (service["volumes"] as? [String] ?? []).map { $0.split(separator: ":").map(String.init) }
            guard let mount = mounts.first(where: { $0.count >= 2 && $0[1] == parsed.dataDirectory }) else {
                problems.append("\(place): no volume is mounted at its data directory \(parsed.dataDirectory)")
                continue
            }
            if !volumes.contains(mount[0]) { problems.append("\(place): \(mount[0]) is not a named volume") }
        }
        problems += dashboard(services, copiedExecutables: copiedExecutables)
        let initCommand = ((services["topic-init"] as? [String: Any])?["command"] as? [String] ?? []).joined(separator: "\n")
        let topics = OrderTopics(others: OrderTopics.choreography)
        for expected in [
            "--partitions \(topics.partitions)", "--replication-factor 3", "min.insync.replicas=2",
            "retention.ms=\(OrderTopics.retention["retention.ms"]!)",
        ] + topics.all where !initCommand.contains(expected) {
            problems.append("compose topic-init: does not create the topics with \(expected)")
        }
        return problems
    }

    /// The dashboard container: `fooddelivery dashboard` with only the variables it reads, each
    /// service it shows named by the compose service and the port that service listens on.
    static func dashboard(_ services: [String: Any], copiedExecutables: Set<String>) -> [String] {
        guard let dashboard = services["dashboard"] as? [String: Any] else { return ["compose: no dashboard service"] }
        var problems: [String] = []
        if dashboard["command"] as? [String] != ["fooddelivery", "dashboard"] || !copiedExecutables.contains("fooddelivery") {
            problems.append("compose dashboard: does not run `fooddelivery dashboard`")
        }
        let environment = (dashboard["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let known = Set(ServiceEnvironment.variables.filter { $0.services.contains("dashboard") }.map(\.name))
        for name in environment.keys.sorted() where !known.contains(name) {
            problems.append("compose dashboard: \(name) is not read by the dashboard")
        }
        guard let port = environment["FOODDELIVERY_HTTP_PORT"].flatMap(Int.init) else {
            return problems + ["compose dashboard: FOODDELIVERY_HTTP_PORT must be a number"]
        }
        let test = ((dashboard["healthcheck"] as? [String: Any])?["test"] as? [String] ?? []).joined(separator: " ")
        if !test.contains("http://localhost:\(port)/health") {
            problems.append("compose dashboard: the healthcheck does not ask /health on \(port)")
        }
        let shown = (environment["FOODDELIVERY_DASHBOARD_SERVICES"] ?? "").split(separator: ",").map(String.init)
        for name in ServiceEnvironment.services {
            let servicePort =
                ((services[name] as? [String: Any])?["environment"] as? [String: Any])?["FOODDELIVERY_HTTP_PORT"].map { "\($0)" } ?? "?"
            if !shown.contains("\(name)=http://\(name):\(servicePort)") {
                problems.append("compose dashboard: does not show \(name) at http://\(name):\(servicePort)")
            }
        }
        return problems
    }

    // MARK: - deploy/k8s

    static func kubernetes(_ documents: [[String: Any]], copiedExecutables: Set<String>) -> [String] {
        var problems: [String] = []
        func named(_ kind: String, _ name: String) -> [String: Any]? {
            documents.first { $0["kind"] as? String == kind && ($0["metadata"] as? [String: Any])?["name"] as? String == name }
        }
        for name in ServiceEnvironment.services {
            let place = "k8s StatefulSet \(name)"
            guard let set = named("StatefulSet", name), let spec = set["spec"] as? [String: Any],
                let template = spec["template"] as? [String: Any], let pod = template["spec"] as? [String: Any],
                let container = (pod["containers"] as? [[String: Any]])?.first
            else {
                problems.append("\(place): missing")
                continue
            }
            let command = container["command"] as? [String] ?? []
            if command.first != name || !copiedExecutables.contains(name) {
                problems.append("\(place): command \(command) does not run \(name)")
            }
            var environment: [String: String] = [:]
            for entry in container["env"] as? [[String: Any]] ?? [] {
                guard let key = entry["name"] as? String else { continue }
                // A pod's own name, from the downward API.
                environment[key] = entry["value"].map { "\($0)" } ?? (entry["valueFrom"] != nil ? "\(name)-0" : "")
            }
            let (found, parsed) = Self.environment(environment, service: name, where: place)
            problems += found
            guard let parsed else { continue }
            // Readiness is /health (503 while the broker is silent or batches fail); liveness is
            // /live, so a broker outage takes pods out of the Service without restarting them.
            for (probe, path) in [("readinessProbe", "/health"), ("livenessProbe", "/live")] {
                let get = (container[probe] as? [String: Any])?["httpGet"] as? [String: Any]
                if get?["path"] as? String != path || (get?["port"] as? Int) != parsed.httpPort {
                    problems.append("\(place): \(probe) does not ask \(path) on port \(parsed.httpPort)")
                }
            }
            let annotations = (template["metadata"] as? [String: Any])?["annotations"] as? [String: Any] ?? [:]
            if "\(annotations["prometheus.io/port"] ?? "")" != String(parsed.httpPort)
                || annotations["prometheus.io/path"] as? String != "/metrics"
            {
                problems.append("\(place): Prometheus scrape annotations do not point at /metrics on \(parsed.httpPort)")
            }
            let claims = (spec["volumeClaimTemplates"] as? [[String: Any]] ?? []).compactMap {
                ($0["metadata"] as? [String: Any])?["name"] as? String
            }
            let mounts = container["volumeMounts"] as? [[String: Any]] ?? []
            if !mounts.contains(where: {
                $0["mountPath"] as? String == parsed.dataDirectory && claims.contains($0["name"] as? String ?? "")
            }) {
                problems.append("\(place): no volume claim is mounted at its data directory \(parsed.dataDirectory)")
            }
            guard let service = named("Service", name), let ports = (service["spec"] as? [String: Any])?["ports"] as? [[String: Any]],
                ports.contains(where: { ($0["targetPort"] as? Int) == parsed.httpPort })
            else {
                problems.append("k8s Service \(name): does not route to port \(parsed.httpPort)")
                continue
            }
            if let peers = environment["FOODDELIVERY_PEERS"], let headless = spec["serviceName"] as? String,
                !peers.contains("\(headless):\(parsed.httpPort)")
            {
                problems.append(
                    "\(place): FOODDELIVERY_PEERS (\(peers)) does not name its pods' headless service \(headless) on \(parsed.httpPort)")
            }
        }
        let topics = OrderTopics(others: OrderTopics.choreography)
        for name in topics.all {
            let spec = named("KafkaTopic", name)?["spec"] as? [String: Any]
            let config = spec?["config"] as? [String: Any] ?? [:]
            if spec?["partitions"] as? Int != topics.partitions || spec?["replicas"] as? Int != 3
                || "\(config["min.insync.replicas"] ?? "")" != "2"
                || "\(config["retention.ms"] ?? "")" != OrderTopics.retention["retention.ms"]
            {
                problems.append(
                    "k8s KafkaTopic \(name): not \(topics.partitions) partitions, 3 replicas, min.insync.replicas 2, retention \(OrderTopics.retention["retention.ms"]!)"
                )
            }
        }
        return problems
    }

    // MARK: - deploy/Dockerfile

    /// The executables the image builds and copies, and the problems with them.
    static func dockerfile(_ text: String, executables: Set<String>) -> (copied: Set<String>, problems: [String]) {
        var problems: [String] = []
        // Given several --product options, `swift build` builds only the last one: each product
        // needs a build of its own, here a loop over them.
        let commands = text.replacingOccurrences(of: "\\\n", with: " ").split(separator: "\n").filter { !$0.hasPrefix("#") }
        let instructions = commands.joined(separator: "\n")  // without comments
        for command in commands where command.matches(of: /--product\s/).count > 1 {
            problems.append(
                "Dockerfile: one swift build is given several --product options, and SwiftPM builds only the last; build each product on its own"
            )
        }
        var built = Set(instructions.matches(of: /--product ([a-z]+)/).map { String($0.1) })
        if let loop = instructions.firstMatch(of: /for product in ([a-z ]+); do\s+swift build [^\n]*--product "\$product"/) {
            built.formUnion(loop.1.split(separator: " ").map(String.init))
        }
        let copied = Set(
            instructions.matches(of: /COPY --from=build \/src\/\.build\/release\/([a-z]+) \/usr\/local\/bin\/([a-z]+)/).compactMap {
                $0.1 == $0.2 ? String($0.1) : nil
            })
        for name in built.subtracting(executables) {
            problems.append("Dockerfile: builds --product \(name), which Package.swift does not have")
        }
        for name in copied.subtracting(built) { problems.append("Dockerfile: copies \(name), which it does not build") }
        for name in executables.subtracting(copied) { problems.append("Dockerfile: the image lacks the \(name) executable") }
        if !instructions.contains("USER 10001") { problems.append("Dockerfile: the runtime stage does not run as the non-root user") }
        return (copied, problems)
    }

    /// The runtime stage's packages against what the executables link (`readelf -d`, NEEDED).
    static func runtimeLibraries(_ text: String, executables: Set<String>, buildDirectory: URL) throws -> [String] {
        let runtime = text.components(separatedBy: "FROM ").last ?? ""
        let packages = Set(
            runtime.matches(of: /install -y --no-install-recommends ([a-z0-9 .+-]+)/).flatMap {
                $0.1.split(separator: " ").map(String.init)
            })
        // Libraries the base image has, and Swift's own (linked statically: --static-swift-stdlib).
        // (zlib1g is one of Ubuntu's required packages: AsyncHTTPClient's decompression, from
        // swift-nio-extras, links it.)
        let provided = [
            "libc.so", "libm.so", "libstdc++.so", "libgcc_s.so", "ld-linux", "libpthread.so", "libdl.so", "librt.so", "libutil.so",
            "libz.so",
        ]
        let swift = [
            "libswift", "libFoundation", "lib_FoundationICU", "libdispatch", "libBlocksRuntime", "libFoundationEssentials",
            "libFoundationInternationalization", "libTesting", "libXCTest",
        ]
        let needs: [String: String] = ["librdkafka.so.1": "librdkafka1", "libsqlite3.so.0": "libsqlite3-0"]
        var problems: [String] = []
        var used: Set<String> = []
        for executable in executables.sorted() {
            let binary = buildDirectory.appendingPathComponent(executable)
            guard FileManager.default.fileExists(atPath: binary.path) else {
                problems.append("runtime libraries: \(binary.path) is not built")
                continue
            }
            for library in try needed(binary) {
                if library.hasPrefix("libFoundationNetworking") {
                    // Statically linked, Foundation's URLSession needs libcurl at run time.
                    used.insert("libcurl4")
                    if !packages.contains("libcurl4") {
                        problems.append("runtime libraries: \(executable) uses URLSession, so the image needs libcurl4")
                    }
                    continue
                }
                if provided.contains(where: library.hasPrefix) || swift.contains(where: library.hasPrefix) { continue }
                guard let package = needs[library] else {
                    problems.append("runtime libraries: \(executable) links \(library), for which the runtime stage installs nothing known")
                    continue
                }
                used.insert(package)
                if !packages.contains(package) {
                    problems.append("runtime libraries: \(executable) links \(library), but the runtime stage does not install \(package)")
                }
            }
        }
        for extra in packages.subtracting(used).subtracting(["curl", "ca-certificates"]) {
            problems.append("runtime libraries: the runtime stage installs \(extra), which no executable links")
        }
        return problems
    }

    static func needed(_ binary: URL) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/readelf")
        process.arguments = ["-d", binary.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).matches(of: /\(NEEDED\)\s+Shared library: \[([^\]]+)\]/).map { String($0.1) }
    }
}
