import Foundation
import ServiceRuntime
import Yams

/// Compose's `observability` profile (deploy/observability) against compose and itself:
/// Prometheus scrapes exactly the services compose runs, on the ports their own option parsers
/// yield; Grafana's dashboard and alert rule ask the data source that is provisioned; every file
/// the profile mounts exists. (That the metrics they query exist is shown against running
/// services: Tests/ProjectionTests/ObservabilityTests.)
extension DeploymentChecks {
    struct ObservabilityFiles {
        var prometheus: [String: Any]
        var datasources: [String: Any]
        var dashboard: [String: Any]
        var alerting: [String: Any]

        static let folder = "deploy/observability"

        static func load() throws -> ObservabilityFiles {
            func yaml(_ path: String) throws -> [String: Any] {
                try Yams.load(yaml: try text("\(folder)/\(path)")) as? [String: Any] ?? [:]
            }
            let dashboard = try JSONSerialization.jsonObject(with: Data(try text("\(folder)/grafana/dashboards/fooddelivery.json").utf8))
            return ObservabilityFiles(
                prometheus: try yaml("prometheus.yml"), datasources: try yaml("grafana/provisioning/datasources/prometheus.yaml"),
                dashboard: dashboard as? [String: Any] ?? [:], alerting: try yaml("grafana/provisioning/alerting/consumer-lag.yaml"))
        }
    }

    static func observability(compose: [String: Any], files: ObservabilityFiles) -> [String] {
        var problems: [String] = []
        let services = compose["services"] as? [String: Any] ?? [:]
        // Every service, where its own options say it listens.
        var expected: Set<String> = []
        for name in ServiceEnvironment.services {
            let environment = ((services[name] as? [String: Any])?["environment"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
            if let parsed = try? parse(service: name, environment: environment) { expected.insert("\(name):\(parsed.httpPort)") }
        }
        let jobs = files.prometheus["scrape_configs"] as? [[String: Any]] ?? []
        let targets = Set(
            jobs.flatMap { ($0["static_configs"] as? [[String: Any]] ?? []).flatMap { $0["targets"] as? [String] ?? [] } })
        if targets != expected {
            problems.append(
                "prometheus.yml scrapes \(targets.sorted()), but compose runs \(expected.sorted()): missing \(expected.subtracting(targets).sorted()), unknown \(targets.subtracting(expected).sorted())"
            )
        }
        if jobs.contains(where: { ($0["metrics_path"] as? String ?? "/metrics") != "/metrics" }) {
            problems.append("prometheus.yml: a job scrapes another path than /metrics")
        }
        // The profile's containers, and the repository files they mount.
        for name in ["prometheus", "grafana", "otel-collector"] {
            guard let service = services[name] as? [String: Any] else {
                problems.append("compose: no \(name) in the observability profile")
                continue
            }
            if service["profiles"] as? [String] != ["observability"] {
                problems.append("compose \(name): not in the observability profile only (it would start with every `up`)")
            }
            for mount in service["volumes"] as? [String] ?? [] where mount.hasPrefix("./") {
                let source = String(mount.dropFirst(2).prefix { $0 != ":" })
                if !FileManager.default.fileExists(atPath: root.appendingPathComponent(source).path) {
                    problems.append("compose \(name): mounts \(source), which does not exist")
                }
            }
        }
        // Grafana asks the data source that is provisioned, by its uid.
        let uids = Set((files.datasources["datasources"] as? [[String: Any]] ?? []).compactMap { $0["uid"] as? String })
        for panel in files.dashboard["panels"] as? [[String: Any]] ?? [] {
            let title = panel["title"] as? String ?? "?"
            let asked = [panel["datasource"]] + (panel["targets"] as? [[String: Any]] ?? []).map { $0["datasource"] }
            for datasource in asked {
                let uid = (datasource as? [String: Any])?["uid"] as? String ?? "none"
                if !uids.contains(uid) { problems.append("dashboard panel \(title): data source \(uid) is not provisioned (\(uids))") }
            }
            if (panel["targets"] as? [[String: Any]] ?? []).isEmpty { problems.append("dashboard panel \(title): no query") }
        }
        let rules = (files.alerting["groups"] as? [[String: Any]] ?? []).flatMap { $0["rules"] as? [[String: Any]] ?? [] }
        if rules.isEmpty { problems.append("alerting: no rule") }
        for rule in rules {
            let title = rule["title"] as? String ?? "?"
            let queries = rule["data"] as? [[String: Any]] ?? []
            for query in queries {
                let uid = query["datasourceUid"] as? String ?? "none"
                if uid != "__expr__" && !uids.contains(uid) { problems.append("alert \(title): data source \(uid) is not provisioned") }
            }
            if !queries.contains(where: { $0["refId"] as? String == rule["condition"] as? String }) {
                problems.append("alert \(title): its condition \(rule["condition"] ?? "none") is none of its queries")
            }
        }
        return problems
    }
}
