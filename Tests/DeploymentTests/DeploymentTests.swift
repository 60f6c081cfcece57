import Foundation
import ServiceRuntime
import Testing
import Yams

/// docker-compose.yml, deploy/k8s and deploy/Dockerfile agree with the code — checked statically,
/// since Docker and Kubernetes do not run here — and a broken file is caught.
@Suite("Deployment files")
struct DeploymentTests {
    static func compose() throws -> [String: Any] {
        try #require(try Yams.load(yaml: DeploymentChecks.text("docker-compose.yml")) as? [String: Any])
    }

    static func kubernetes() throws -> [[String: Any]] {
        let directory = DeploymentChecks.root.appendingPathComponent("deploy/k8s")
        let kustomization = try #require(try Yams.load(yaml: DeploymentChecks.text("deploy/k8s/kustomization.yaml")) as? [String: Any])
        let files = kustomization["resources"] as? [String] ?? []
        var documents: [[String: Any]] = []
        for file in files {
            for document in try Yams.load_all(yaml: String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)) {
                if let document = document as? [String: Any] { documents.append(document) }
            }
        }
        return documents
    }

    static func image() throws -> (copied: Set<String>, problems: [String]) {
        DeploymentChecks.dockerfile(try DeploymentChecks.text("deploy/Dockerfile"), executables: try DeploymentChecks.executables())
    }

    @Test("The Dockerfile builds and copies every executable of the package, and runs as non-root")
    func dockerfile() throws {
        let image = try Self.image()
        #expect(image.problems.isEmpty, "\(image.problems)")
        #expect(image.copied == (try DeploymentChecks.executables()))
    }

    @Test("The runtime stage installs exactly the libraries the executables link")
    func runtimeLibraries() throws {
        let build = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let problems = try DeploymentChecks.runtimeLibraries(
            try DeploymentChecks.text("deploy/Dockerfile"), executables: try DeploymentChecks.executables(), buildDirectory: build)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(
        "docker-compose.yml: every service runs its executable with only variables the code reads, its healthcheck, port and volume where the code points them; topics as the code creates them"
    )
    func composeFile() throws {
        let problems = DeploymentChecks.compose(try Self.compose(), copiedExecutables: try Self.image().copied)
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test(
        "The observability profile: Prometheus scrapes every service where it listens, Grafana asks the provisioned data source, mounted files exist; broken copies are caught"
    )
    func observabilityProfile() throws {
        let compose = try Self.compose()
        let files = try DeploymentChecks.ObservabilityFiles.load()
        let problems = DeploymentChecks.observability(compose: compose, files: files)
        #expect(problems.isEmpty, "\(problems)")

        var oneTargetFewer = files
        oneTargetFewer.prometheus = ["scrape_configs": [["job_name": "fooddelivery", "static_configs": [["targets": ["orders:8081"]]]]]]
        #expect(!DeploymentChecks.observability(compose: compose, files: oneTargetFewer).isEmpty)
        var otherDataSource = files
        otherDataSource.datasources = ["datasources": [["uid": "another"]]]
        #expect(DeploymentChecks.observability(compose: compose, files: otherDataSource).count >= 2, "the dashboard and the alert")
        var movedPort = compose
        var services = movedPort["services"] as? [String: Any] ?? [:]
        var support = services["support"] as? [String: Any] ?? [:]
        var environment = support["environment"] as? [String: Any] ?? [:]
        environment["FOODDELIVERY_HTTP_PORT"] = "9999"
        support["environment"] = environment
        services["support"] = support
        movedPort["services"] = services
        #expect(!DeploymentChecks.observability(compose: movedPort, files: files).isEmpty)
        /// Compose with one change to one service of the profile.
        func changing(_ name: String, _ change: (inout [String: Any]) -> Void) -> [String: Any] {
            var copy = compose
            var services = copy["services"] as? [String: Any] ?? [:]
            var service = services[name] as? [String: Any] ?? [:]
            change(&service)
            services[name] = service
            copy["services"] = services
            return copy
        }
        let missingFile = changing("grafana") { $0["volumes"] = ["./deploy/observability/no-such-folder:/etc/grafana/provisioning:ro"] }
        #expect(!DeploymentChecks.observability(compose: missingFile, files: files).isEmpty)
        let alwaysOn = changing("prometheus") { $0["profiles"] = nil }
        #expect(!DeploymentChecks.observability(compose: alwaysOn, files: files).isEmpty)
        var noCondition = files
        var groups = noCondition.alerting["groups"] as? [[String: Any]] ?? []
        var rules = groups.first?["rules"] as? [[String: Any]] ?? []
        rules[0]["condition"] = "Z"
        groups[0]["rules"] = rules
        noCondition.alerting["groups"] = groups
        #expect(!DeploymentChecks.observability(compose: compose, files: noCondition).isEmpty)
    }

    @Test("deploy/k8s: StatefulSets, probes, scrape annotations, volumes, Services and KafkaTopics agree with the code")
    func kubernetesManifests() throws {
        let documents = try Self.kubernetes()
        #expect(documents.contains { $0["kind"] as? String == "Kafka" })
        let problems = DeploymentChecks.kubernetes(documents, copiedExecutables: try Self.image().copied)
        #expect(problems.isEmpty, "\(problems)")
    }

    /// Each mutation breaks one thing the checks guard; each must be reported.
    @Test(
        "A broken compose file is caught",
        arguments: [
            "an unknown variable", "a wrong healthcheck port", "a data directory without a volume", "a port that is not a number",
            "too few partitions",
            "a dashboard that shows support on the wrong port", "a broker's log inside its container", "a broker's log beside its volume",
            "topics set up through one broker", "Docker's default grace period", "no operator token", "a token file that is no secret",
        ])
    func brokenCompose(breakage: String) throws {
        var compose = try Self.compose()
        var services = compose["services"] as! [String: Any]
        var support = services["support"] as! [String: Any]
        var environment = support["environment"] as! [String: Any]
        switch breakage {
        case "an unknown variable": environment["FOODDELIVERY_DATADIR"] = "/data"
        case "a wrong healthcheck port": support["healthcheck"] = ["test": ["CMD", "curl", "-fsS", "http://localhost:9999/health"]]
        case "a data directory without a volume": environment["FOODDELIVERY_DATA_DIR"] = "/var/lib/support"
        case "a port that is not a number": environment["FOODDELIVERY_HTTP_PORT"] = "http"
        case "a broker's log inside its container", "a broker's log beside its volume":
            var broker = services["kafka-2"] as! [String: Any]
            var settings = broker["environment"] as! [String: Any]
            settings["KAFKA_LOG_DIRS"] = breakage.hasSuffix("container") ? nil : "/var/lib/kafka-logs"
            broker["environment"] = settings
            services["kafka-2"] = broker
        case "topics set up through one broker":
            var topicInit = services["topic-init"] as! [String: Any]
            topicInit["command"] = (topicInit["command"] as! [String]).map {
                $0.replacingOccurrences(of: "kafka-1:19092,kafka-2:19092,kafka-3:19092", with: "kafka-1:19092")
            }
            services["topic-init"] = topicInit
        case "Docker's default grace period": support["stop_grace_period"] = nil
        case "no operator token": environment[OperatorToken.fileVariable] = nil
        case "a token file that is no secret": support["secrets"] = nil
        case "a dashboard that shows support on the wrong port":
            var dashboard = services["dashboard"] as! [String: Any]
            var shown = dashboard["environment"] as! [String: Any]
            shown["FOODDELIVERY_DASHBOARD_SERVICES"] = "\(shown["FOODDELIVERY_DASHBOARD_SERVICES"]!)".replacingOccurrences(
                of: "support:8084", with: "support:9999")
            dashboard["environment"] = shown
            services["dashboard"] = dashboard
        default:
            var topicInit = services["topic-init"] as! [String: Any]
            topicInit["command"] = (topicInit["command"] as! [String]).map {
                $0.replacingOccurrences(of: "--partitions 6", with: "--partitions 3")
            }
            services["topic-init"] = topicInit
        }
        support["environment"] = environment
        services["support"] = support
        compose["services"] = services
        #expect(!DeploymentChecks.compose(compose, copiedExecutables: try Self.image().copied).isEmpty)
    }

    @Test("Broken manifests and Dockerfiles are caught")
    func brokenKubernetesAndDockerfile() throws {
        let documents = try Self.kubernetes()
        let index = try #require(
            documents.firstIndex {
                $0["kind"] as? String == "StatefulSet" && ($0["metadata"] as? [String: Any])?["name"] as? String == "delivery"
            })
        let text = try #require(String(data: try JSONSerialization.data(withJSONObject: documents[index]), encoding: .utf8))
        // A wrong path; and liveness on /health, which would restart pods during a Kafka outage.
        for (from, to) in [
            ("\"\\/health\"", "\"\\/healthz\""), ("\"\\/live\"", "\"\\/health\""),
            ("\"terminationGracePeriodSeconds\":30", "\"terminationGracePeriodSeconds\":10"),
            // Short of the restricted Pod Security Standard, or without a memory limit.
            ("\"allowPrivilegeEscalation\":false", "\"allowPrivilegeEscalation\":true"), ("\"RuntimeDefault\"", "\"Unconfined\""),
            ("\"limits\":{", "\"claims\":{"),
            // The operator token from a volume that is no Secret, or from outside its mount.
            ("\"secret\":{", "\"emptyDir\":{"),
            ("\"mountPath\":\"\\/etc\\/fooddelivery\\/operator\"", "\"mountPath\":\"\\/etc\\/operator\""),
        ] {
            var broken = documents
            broken[index] = try #require(
                try JSONSerialization.jsonObject(with: Data(text.replacingOccurrences(of: from, with: to).utf8)) as? [String: Any])
            #expect(!DeploymentChecks.kubernetes(broken, copiedExecutables: try Self.image().copied).isEmpty, "\(from) → \(to) not caught")
        }

        // Without delivery's disruption budget.
        let withoutBudget = documents.filter {
            !($0["kind"] as? String == "PodDisruptionBudget" && ($0["metadata"] as? [String: Any])?["name"] as? String == "delivery")
        }
        #expect(withoutBudget.count == documents.count - 1)
        #expect(!DeploymentChecks.kubernetes(withoutBudget, copiedExecutables: try Self.image().copied).isEmpty)

        let dockerfile = try DeploymentChecks.text("deploy/Dockerfile")
        let executables = try DeploymentChecks.executables()
        let oneProductFewer = dockerfile.replacingOccurrences(of: " support analytics;", with: " support;")
        #expect(oneProductFewer != dockerfile && !DeploymentChecks.dockerfile(oneProductFewer, executables: executables).problems.isEmpty)
        let unpinned = dockerfile.replacingOccurrences(of: "COPY Package.swift Package.resolved ./", with: "COPY Package.swift ./")
        #expect(unpinned != dockerfile && !DeploymentChecks.dockerfile(unpinned, executables: executables).problems.isEmpty)
        let unenforced = dockerfile.replacingOccurrences(of: " --force-resolved-versions", with: "")
        #expect(unenforced != dockerfile && !DeploymentChecks.dockerfile(unenforced, executables: executables).problems.isEmpty)
        // The form that built only `analytics`: SwiftPM keeps the last of several --product options.
        let severalInOne = dockerfile.replacing(
            #/for product in [^\n]*\n[^\n]*\n[^\n]*\n[^\n]*done \\\n/#,
            with: "swift build -c release --static-swift-stdlib --force-resolved-versions "
                + executables.sorted().map { "--product \($0)" }.joined(separator: " ") + " \\\n")
        #expect(severalInOne != dockerfile && !DeploymentChecks.dockerfile(severalInOne, executables: executables).problems.isEmpty)
        let build = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        let olderSwift = dockerfile.replacing(/FROM swift:[0-9.]+-bookworm/, with: "FROM swift:6.2-bookworm")
        #expect(olderSwift != dockerfile && !DeploymentChecks.dockerfile(olderSwift, executables: executables).problems.isEmpty)
        let distributionRdkafka = dockerfile.replacingOccurrences(of: "RUN scripts/setup.sh", with: "RUN apt-get install -y librdkafka-dev")
        #expect(
            distributionRdkafka != dockerfile
                && !DeploymentChecks.dockerfile(distributionRdkafka, executables: executables).problems.isEmpty)
        let setup = try DeploymentChecks.text("scripts/setup.sh")
        let otherPin = setup.replacing(/RDKAFKA_VERSION:-[0-9.]+/, with: "RDKAFKA_VERSION:-2.6.1")
        #expect(otherPin != setup)
        #expect(
            !DeploymentChecks.toolchain(dockerfile, setupScript: otherPin).isEmpty
                || !((try? String(contentsOfFile: "/etc/os-release", encoding: .utf8))?.contains("bookworm") ?? false),
            "on Debian 12 the image's librdkafka must be the tests'")
        let noSQLite = try DeploymentChecks.text("deploy/Dockerfile").replacingOccurrences(of: " libsqlite3-0", with: "")
        #expect(
            !(try DeploymentChecks.runtimeLibraries(noSQLite, executables: try DeploymentChecks.executables(), buildDirectory: build))
                .isEmpty)
        // What librdkafka itself links (SASL), and librdkafka not copied at all.
        for broken in [" libsasl2-2", "COPY --from=build /usr/local/lib/librdkafka.so.1 /usr/local/lib/librdkafka.so.1\n"] {
            let copy = dockerfile.replacingOccurrences(of: broken, with: "")
            #expect(copy != dockerfile)
            #expect(!(try DeploymentChecks.runtimeLibraries(copy, executables: executables, buildDirectory: build)).isEmpty, "\(broken)")
        }
    }

    @Test("Environment variables become flags; a flag on the command line wins; a bad value says what to fix")
    func environmentContract() throws {
        let arguments = try ServiceEnvironment.arguments(
            ["--http-port", "1234"], service: "support",
            environment: [
                "FOODDELIVERY_HTTP_PORT": "9999", "FOODDELIVERY_DATA_DIR": "/data", "FOODDELIVERY_PEERS": "http://a:1, http://b:2",
                "FOODDELIVERY_RATE": "5",
            ])
        #expect(arguments == ["--http-port", "1234", "--data-dir", "/data", "--peer", "http://a:1", "--peer", "http://b:2"])
        #expect(throws: ServiceEnvironment.InvalidVariable.self) {
            try ServiceEnvironment.arguments([], service: "orders", environment: ["FOODDELIVERY_SPEED": "fast"])
        }
        let parsed = try DeploymentChecks.parse(
            service: "analytics", environment: ["FOODDELIVERY_DATA_DIR": "/data", "FOODDELIVERY_HTTP_PORT": "8085"])
        #expect(parsed.dataDirectory == "/data" && parsed.httpPort == 8085)
    }

    @Test("docs/CONFIGURATION.md lists every variable of the contract")
    func documented() throws {
        let table = try DeploymentChecks.text("docs/CONFIGURATION.md")
        for name in ServiceEnvironment.variables.map(\.name) + ServiceEnvironment.kafkaVariables {
            #expect(table.contains("`\(name)`"), "\(name) is not in docs/CONFIGURATION.md")
        }
    }
}
