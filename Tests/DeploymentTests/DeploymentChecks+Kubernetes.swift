import ArgumentParser
import Contract
import Foundation
import Orders
import ProjectionServer
import ServiceRuntime
import Yams

/// deploy/k8s against the code.
extension DeploymentChecks {
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
            problems += restricted(pod: pod, container: container, place: place)
            let budget = documents.first {
                $0["kind"] as? String == "PodDisruptionBudget"
                    && (($0["spec"] as? [String: Any])?["selector"] as? [String: Any])?["matchLabels"] as? [String: String] == ["app": name]
            }
            if budget == nil { problems.append("\(place): no PodDisruptionBudget selects app=\(name)") }
            if pod["terminationGracePeriodSeconds"] as? Int != kubernetesGracePeriodSeconds {
                problems.append(
                    "\(place): terminationGracePeriodSeconds is not the \(kubernetesGracePeriodSeconds) s compose gives (stop_grace_period)"
                )
            }
            var environment: [String: String] = [:]
            for entry in container["env"] as? [[String: Any]] ?? [] {
                guard let key = entry["name"] as? String else { continue }
                // A pod's own name, from the downward API.
                environment[key] = entry["value"].map { "\($0)" } ?? (entry["valueFrom"] != nil ? "\(name)-0" : "")
            }
            let secretVolumes = (pod["volumes"] as? [[String: Any]] ?? []).filter { $0["secret"] != nil }.compactMap {
                $0["name"] as? String
            }
            let secretMounts = (container["volumeMounts"] as? [[String: Any]] ?? []).filter {
                secretVolumes.contains($0["name"] as? String ?? "")
            }.compactMap { $0["mountPath"] as? String }
            if let file = environment[OperatorToken.fileVariable] {
                if !secretMounts.contains(where: { file.hasPrefix($0 + "/") }) {
                    problems.append("\(place): \(OperatorToken.fileVariable)=\(file) is not in a mounted Secret (\(secretMounts))")
                }
            } else if ServiceEnvironment.consumers.contains(name) {
                problems.append(
                    "\(place): no operator token (\(OperatorToken.fileVariable)): anyone who reaches it may swap its read model")
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
        let topics = ServiceTopics(others: ServiceTopics.choreography)
        for name in topics.all {
            let spec = named("KafkaTopic", name)?["spec"] as? [String: Any]
            let config = spec?["config"] as? [String: Any] ?? [:]
            if spec?["partitions"] as? Int != topics.partitions || spec?["replicas"] as? Int != 3
                || "\(config["min.insync.replicas"] ?? "")" != "2"
                || "\(config["retention.ms"] ?? "")" != ServiceTopics.retention["retention.ms"]
            {
                problems.append(
                    "k8s KafkaTopic \(name): not \(topics.partitions) partitions, 3 replicas, min.insync.replicas 2, retention \(ServiceTopics.retention["retention.ms"]!)"
                )
            }
        }
        // analytics' statistics and their changelog: compacted, one partition per order-event partition.
        for name in [Topics.orderStats, Topics.orderStatsChangelog(ofGroup: ConsumerGroups.orderStats(of: "analytics"))] {
            let spec = named("KafkaTopic", name)?["spec"] as? [String: Any]
            let config = spec?["config"] as? [String: Any] ?? [:]
            if spec?["partitions"] as? Int != topics.partitions || spec?["replicas"] as? Int != 3
                || "\(config["min.insync.replicas"] ?? "")" != "2" || "\(config["cleanup.policy"] ?? "")" != "compact"
            {
                problems.append("k8s KafkaTopic \(name): not \(topics.partitions) partitions, 3 replicas, min.insync.replicas 2, compacted")
            }
        }
        return problems
    }

    /// What the "restricted" Pod Security Standard asks of a pod and its container (non-root, no
    /// privilege escalation, every capability dropped, the runtime's seccomp profile), and the
    /// resources a scheduler needs: requests, and a memory limit.
    static func restricted(pod: [String: Any], container: [String: Any], place: String) -> [String] {
        var problems: [String] = []
        let podContext = pod["securityContext"] as? [String: Any] ?? [:]
        let context = container["securityContext"] as? [String: Any] ?? [:]
        func either(_ key: String) -> Any? { context[key] ?? podContext[key] }
        if either("runAsNonRoot") as? Bool != true { problems.append("\(place): runAsNonRoot is not true") }
        if (either("seccompProfile") as? [String: Any])?["type"] as? String != "RuntimeDefault" {
            problems.append("\(place): no RuntimeDefault seccomp profile")
        }
        if context["allowPrivilegeEscalation"] as? Bool != false { problems.append("\(place): allowPrivilegeEscalation is not false") }
        if (context["capabilities"] as? [String: Any])?["drop"] as? [String] != ["ALL"] {
            problems.append("\(place): the container does not drop ALL capabilities")
        }
        let resources = container["resources"] as? [String: Any] ?? [:]
        let requests = resources["requests"] as? [String: Any] ?? [:]
        let limits = resources["limits"] as? [String: Any] ?? [:]
        if requests["cpu"] == nil || requests["memory"] == nil || limits["memory"] == nil {
            problems.append("\(place): resources need cpu and memory requests and a memory limit (\(resources))")
        }
        return problems
    }
}
