import ArgumentParser
import Foundation
import Orders
import ProjectionServer
import ServiceLifecycle
import ServiceRuntime
import Yams

/// docker-compose.yml against the code.
extension DeploymentChecks {
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
        let secrets = Set((document["secrets"] as? [String: Any] ?? [:]).keys)
        for name in ServiceEnvironment.consumers {
            let service = services[name] as? [String: Any] ?? [:]
            let environment = (service["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            let listed = (service["secrets"] as? [Any] ?? []).map { "\($0)" }
            guard let file = environment[OperatorToken.fileVariable] else {
                problems.append(
                    "compose \(name): no operator token (\(OperatorToken.fileVariable)): anyone who reaches it may swap its read model")
                continue
            }
            if !listed.contains(where: { file == "/run/secrets/\($0)" && secrets.contains($0) }) {
                problems.append(
                    "compose \(name): \(OperatorToken.fileVariable)=\(file) is not a declared secret it is given (secrets: \(listed))")
            }
        }
        problems += dashboard(services, copiedExecutables: copiedExecutables)
        problems += brokers(services, volumes: volumes)
        let bound = ServiceGroupConfiguration.shutdownBound
        if bound.graceful + bound.cancellation >= .seconds(kubernetesGracePeriodSeconds) {
            problems.append(
                "services stop within \(bound.graceful + bound.cancellation), not before the \(kubernetesGracePeriodSeconds) s grace period ends in SIGKILL"
            )
        }
        for name in ServiceEnvironment.services + ["dashboard"] {
            let grace = (services[name] as? [String: Any])?["stop_grace_period"].map { "\($0)" }
            if grace != "\(kubernetesGracePeriodSeconds)s" {
                problems.append(
                    "compose \(name): stop_grace_period \(grace ?? "unset") (Docker's default is 10 s), not the \(kubernetesGracePeriodSeconds) s Kubernetes gives"
                )
            }
        }
        let initCommand = ((services["topic-init"] as? [String: Any])?["command"] as? [String] ?? []).joined(separator: "\n")
        let topics = ServiceTopics(others: ServiceTopics.choreography)
        for expected in [
            "--partitions \(topics.partitions)", "--replication-factor 3", "min.insync.replicas=2",
            "retention.ms=\(ServiceTopics.retention["retention.ms"]!)",
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

    /// The grace period a service gets to stop: compose's stop_grace_period, Kubernetes'
    /// terminationGracePeriodSeconds.
    static let kubernetesGracePeriodSeconds = 30

    /// The Kafka brokers: each keeps its log on its named volume (the apache/kafka image writes
    /// only the settings it is given; without KAFKA_LOG_DIRS the log is in /tmp inside the
    /// container and `docker compose down` erases every topic), and the topic set-up bootstraps
    /// from all of them.
    static func brokers(_ services: [String: Any], volumes: Set<String>) -> [String] {
        var problems: [String] = []
        let brokers = services.filter { _, service in
            let service = service as? [String: Any] ?? [:]
            let environment = service["environment"] as? [String: Any] ?? [:]
            return "\(service["image"] ?? "")".hasPrefix("apache/kafka") && "\(environment["KAFKA_PROCESS_ROLES"] ?? "")".contains("broker")
        }
        if brokers.isEmpty { problems.append("compose: no Kafka broker (apache/kafka with KAFKA_PROCESS_ROLES broker)") }
        for (name, service) in brokers.sorted(by: { $0.key < $1.key }) {
            let service = service as? [String: Any] ?? [:]
            let environment = service["environment"] as? [String: Any] ?? [:]
            let mounts = (service["volumes"] as? [String] ?? []).map { $0.split(separator: ":").map(String.init) }.filter {
                $0.count >= 2 && volumes.contains($0[0])
            }
            guard let logDirectories = environment["KAFKA_LOG_DIRS"].map({ "\($0)" }) else {
                problems.append("compose \(name): no KAFKA_LOG_DIRS, so the broker's log is in /tmp/kafka-logs inside the container")
                continue
            }
            for directory in logDirectories.split(separator: ",").map(String.init)
            where !mounts.contains(where: { directory == $0[1] || directory.hasPrefix($0[1] + "/") }) {
                problems.append(
                    "compose \(name): the log directory \(directory) is not on a named volume (mounts: \(mounts.map { $0.joined(separator: ":") }))"
                )
            }
        }
        let initCommand = ((services["topic-init"] as? [String: Any])?["command"] as? [String] ?? []).joined(separator: "\n")
        for match in initCommand.matches(of: /--bootstrap-server ([^ \n]+)/) {
            let listed = match.1.split(separator: ",").map { String($0.split(separator: ":").first ?? "") }
            for name in brokers.keys.sorted() where !listed.contains(name) {
                problems.append("compose topic-init: bootstraps from \(match.1) without \(name); one broker down stops the set-up")
            }
        }
        return problems
    }
}
