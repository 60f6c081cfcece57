import Foundation
import ServiceRuntime
import Testing
import Yams

/// The deployment files against their real schemas and a real linter, run by independent tools
/// that `scripts/setup.sh --for-tests` installs from PyPI (pinned): check-jsonschema with the
/// Compose specification's schema, kubernetes-validate with Kubernetes' own schemas, and
/// hadolint. Each is also shown to reject a broken copy, so a check that passes is one that could
/// have failed.
@Suite("Deployment files under independent validators")
struct IndependentValidatorTests {
    struct ValidatorMissing: Error, CustomStringConvertible {
        var description: String
    }

    /// A validator from the venv `scripts/setup.sh --for-tests` makes in the cache
    /// (`$FOODDELIVERY_CACHE`, default `~/.cache/fooddelivery`).
    static func tool(_ name: String) throws -> String {
        let environment = ProcessInfo.processInfo.environment
        func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let cache = set("FOODDELIVERY_CACHE") ?? (set("XDG_CACHE_HOME") ?? NSHomeDirectory() + "/.cache") + "/fooddelivery"
        let path = cache + "/deploy-checks/bin/" + name
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw ValidatorMissing(
                description: "\(path) is missing: run scripts/setup.sh --for-tests (it installs the deployment validators)")
        }
        return path
    }

    /// Runs a validator to its end: its exit status and output.
    static func run(_ name: String, _ arguments: [String]) throws -> ProgramRun {
        try ProgramRun(try tool(name), arguments, in: DeploymentChecks.root)
    }

    /// A copy of a repository file with one change, under the same name in a directory of its own.
    static func brokenCopy(of path: String, replacing original: String, with broken: String) throws -> String {
        let text = try DeploymentChecks.text(path)
        #expect(text.contains(original), "\(path) no longer contains \(original); pick another breakage")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("broken-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let copy = directory.appendingPathComponent((path as NSString).lastPathComponent)
        try text.replacingOccurrences(of: original, with: broken).write(to: copy, atomically: true, encoding: .utf8)
        return copy.path
    }

    @Test("docker-compose.yml passes the Compose specification's schema (check-jsonschema); a broken copy does not")
    func composeSchema() throws {
        let arguments = ["--builtin-schema", "vendor.compose-spec"]
        let result = try Self.run("check-jsonschema", arguments + ["docker-compose.yml"])
        #expect(result.status == 0, "\(result.output)")
        // A duration written as a bare number, which Compose refuses.
        let broken = try Self.brokenCopy(of: "docker-compose.yml", replacing: "stop_grace_period: 30s", with: "stop_grace_period: 30")
        #expect(try Self.run("check-jsonschema", arguments + [broken]).status != 0)
    }

    @Test(
        "deploy/k8s passes Kubernetes' own schemas, strictly (kubernetes-validate; it has none for Strimzi's kinds); a broken copy does not"
    )
    func kubernetesSchemas() throws {
        let kustomization = try DeploymentChecks.text("deploy/k8s/kustomization.yaml")
        let files = kustomization.matches(of: /^\s*-\s*([a-z-]+\.yaml)\s*$/.anchorsMatchLineEndings()).map { "deploy/k8s/\($0.1)" }
        #expect(files.count >= 8, "kustomization.yaml lists \(files)")
        let result = try Self.run("kubernetes-validate", ["--strict", "--quiet"] + files)
        #expect(result.status == 0, "\(result.output)")
        // It only warns of a kind it has no schema for: acceptable for Strimzi's, never for a core kind.
        let unchecked = result.output.split(separator: "\n").filter { $0.contains("WARN") && !$0.contains("kafka.strimzi.io") }
        #expect(unchecked.isEmpty, "\(unchecked)")
        // A misspelt field, which Kubernetes would drop silently without strict validation.
        let broken = try Self.brokenCopy(of: "deploy/k8s/delivery.yaml", replacing: "readinessProbe:", with: "readinessProbes:")
        #expect(try Self.run("kubernetes-validate", ["--strict", "--quiet", broken]).status != 0)
    }

    @Test(
        "deploy/k8s's Strimzi resources pass the CRD schemas of the Strimzi release the docs install (check-jsonschema, strictly); a broken copy does not"
    )
    func strimziSchemas() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("strimzi-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let schemas = try StrimziSchemas(writingInto: directory)
        #expect(Set(schemas.schemas.keys) == ["Kafka", "KafkaNodePool", "KafkaTopic"], "\(schemas.schemas.keys)")
        // The vendored CRDs are themselves well-formed CustomResourceDefinitions.
        let crds = try FileManager.default.contentsOfDirectory(
            atPath: DeploymentChecks.root.path + "/deploy/schemas/strimzi-\(StrimziSchemas.version)"
        )
        .filter { $0.contains("-Crd-") }.map { "deploy/schemas/strimzi-\(StrimziSchemas.version)/\($0)" }
        let crdCheck = try Self.run("kubernetes-validate", ["--strict", "--quiet"] + crds)
        #expect(crdCheck.status == 0, "\(crdCheck.output)")

        /// The problems check-jsonschema and the served versions find in these manifests.
        func validate(_ paths: [String]) throws -> [String] {
            let (bySchema, problems) = try schemas.instances(of: paths, writingInto: directory)
            var found = problems
            for (schema, instances) in bySchema.sorted(by: { $0.key.path < $1.key.path }) {
                let result = try Self.run("check-jsonschema", ["--schemafile", schema.path] + instances.map(\.path))
                if result.status != 0 { found.append(result.output) }
            }
            return found + (bySchema.isEmpty ? ["no Strimzi resources in \(paths)"] : [])
        }
        let manifests = ["deploy/k8s/kafka.yaml", "deploy/k8s/topics.yaml"]
        let problems = try validate(manifests)
        #expect(problems.isEmpty, "\(problems)")
        // The operator runs only the Kafka versions it supports; compose runs the same one.
        let kafka = try DeploymentChecks.text("deploy/k8s/kafka.yaml")
        let compose = try DeploymentChecks.text("docker-compose.yml")
        let versionProblems = try StrimziSchemas.kafkaVersionProblems(kafka: kafka, compose: compose)
        #expect(versionProblems.isEmpty, "\(versionProblems)")
        for (original, broken) in [("version: 4.3.1", "version: 3.9.0"), ("metadataVersion: 4.3-IV0", "metadataVersion: 4.2-IV1")] {
            let copy = kafka.replacingOccurrences(of: original, with: broken)
            #expect(copy != kafka)
            #expect(!(try StrimziSchemas.kafkaVersionProblems(kafka: copy, compose: compose)).isEmpty)
        }
        let olderCompose = compose.replacingOccurrences(of: "apache/kafka:4.3.1", with: "apache/kafka:4.2.0")
        #expect(olderCompose != compose)
        #expect(!(try StrimziSchemas.kafkaVersionProblems(kafka: kafka, compose: olderCompose)).isEmpty)
        // A field behind a oneOf (an environment variable has `value` or `valueFrom`) is accepted.
        let withEnvironment = try Self.brokenCopy(
            of: "deploy/k8s/kafka.yaml", replacing: "    config:\n      default.replication.factor",
            with:
                "    template:\n      kafkaContainer:\n        env:\n          - name: KAFKA_HEAP_OPTS\n            value: -Xmx2g\n    config:\n      default.replication.factor"
        )
        #expect(try validate([withEnvironment]).isEmpty)
        // A misspelt field, which strict field validation refuses.
        let misspelt = try Self.brokenCopy(of: "deploy/k8s/topics.yaml", replacing: "partitions: 6", with: "partition: 6")
        #expect(try validate([misspelt]).contains { $0.contains("partition") })
        // An API version Strimzi 1.x no longer serves.
        let retired = try Self.brokenCopy(
            of: "deploy/k8s/kafka.yaml", replacing: "kafka.strimzi.io/v1\n", with: "kafka.strimzi.io/v1beta2\n")
        #expect(try validate([retired]).contains { $0.contains("does not serve") })
    }

    @Test("deploy/Dockerfile passes hadolint with the project's settings; a broken copy does not")
    func dockerfileLint() throws {
        let arguments = ["--config", "deploy/.hadolint.yaml"]
        let result = try Self.run("hadolint", arguments + ["deploy/Dockerfile"])
        #expect(result.status == 0, "\(result.output)")
        // A base image that moves under the build.
        let broken = try Self.brokenCopy(of: "deploy/Dockerfile", replacing: "FROM debian:bookworm-slim", with: "FROM debian:latest")
        #expect(try Self.run("hadolint", arguments + [broken]).status != 0)
    }
}
