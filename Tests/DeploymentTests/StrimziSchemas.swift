import Foundation
import Yams

/// Strimzi's own CRD schemas (deploy/schemas, as Strimzi releases them) made into JSON Schemas
/// that check-jsonschema applies to the Strimzi resources of deploy/k8s. The API server checks
/// a custom resource against its CRD's `openAPIV3Schema`, and with strict field validation
/// (kubectl's default) refuses a field the schema does not declare; the JSON Schema does both.
struct StrimziSchemas {
    /// The Strimzi release whose CRDs are vendored, the one the docs tell users to install.
    static let version = "1.2.0"
    static let group = "kafka.strimzi.io"

    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    static let folder = DeploymentChecks.root.appendingPathComponent("deploy/schemas/strimzi-\(version)")

    /// The Kafka versions the release supports, with the metadata version of each (its
    /// kafka-versions.yaml). The CRD takes any string; the operator refuses any other version.
    static func supportedKafkaVersions() throws -> [String: String] {
        let text = try String(contentsOf: folder.appendingPathComponent("kafka-versions.yaml"), encoding: .utf8)
        var supported: [String: String] = [:]
        for entry in try Yams.load(yaml: text) as? [[String: Any]] ?? [] where entry["supported"] as? Bool == true {
            if let version = entry["version"] as? String { supported[version] = "\(entry["metadata"] ?? "")" }
        }
        return supported
    }

    /// The `Kafka` resource's version and metadata version against what the release supports,
    /// and compose's Kafka image against the same version.
    static func kafkaVersionProblems(kafka: String, compose: String) throws -> [String] {
        let supported = try supportedKafkaVersions()
        let resource = try Yams.load_all(yaml: kafka).compactMap { $0 as? [String: Any] }.first { $0["kind"] as? String == "Kafka" }
        let cluster = (resource?["spec"] as? [String: Any])?["kafka"] as? [String: Any]
        let version = "\(cluster?["version"] ?? "none")"
        var problems: [String] = []
        if supported[version] == nil {
            problems.append("Kafka \(version) is not one Strimzi \(Self.version) supports: \(supported.keys.sorted())")
        }
        if let metadata = cluster?["metadataVersion"], "\(metadata)" != supported[version] {
            problems.append("metadataVersion \(metadata) is not Kafka \(version)'s \(supported[version] ?? "?")")
        }
        let images = Set(compose.matches(of: /image: apache\/kafka:([0-9.]+)/).map { String($0.1) })
        if images != [version] { problems.append("compose runs apache/kafka \(images.sorted()), Kubernetes \(version)") }
        return problems
    }

    /// Per kind: the JSON Schema file of each API version the release serves.
    let schemas: [String: [String: URL]]

    /// Reads the vendored CRDs and writes one JSON Schema per kind and served version into `directory`.
    init(writingInto directory: URL) throws {
        let folder = Self.folder
        var schemas: [String: [String: URL]] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.contains("-Crd-") {
            let crd = try Yams.load(yaml: String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)) as? [String: Any]
            guard let spec = crd?["spec"] as? [String: Any], let kind = (spec["names"] as? [String: Any])?["kind"] as? String,
                let versions = spec["versions"] as? [[String: Any]]
            else { throw Malformed(description: "\(file) is not a CustomResourceDefinition") }
            for version in versions where version["served"] as? Bool == true {
                guard let name = version["name"] as? String,
                    var schema = (version["schema"] as? [String: Any])?["openAPIV3Schema"] as? [String: Any]
                else { throw Malformed(description: "\(file): a served version without a schema") }
                schema = Self.strict(schema)
                var properties = schema["properties"] as? [String: Any] ?? [:]
                properties["apiVersion"] = ["const": "\(Self.group)/\(name)"]
                properties["kind"] = ["const": kind]
                schema["properties"] = properties
                schema["required"] = ["apiVersion", "kind", "metadata", "spec"]
                let url = directory.appendingPathComponent("\(kind)-\(name).json")
                try JSONSerialization.data(withJSONObject: schema, options: [.sortedKeys]).write(to: url)
                schemas[kind, default: [:]][name] = url
            }
        }
        self.schemas = schemas
    }

    /// The schema with every object that lists its properties closed to others, as the API
    /// server's strict field validation is; objects that keep unknown fields stay open. A branch
    /// of `oneOf`/`anyOf`/`allOf`/`not` is left open itself: in a structural schema it only
    /// constrains (e.g. "has `value` or `valueFrom`"), and the object it belongs to lists the fields.
    static func strict(_ schema: [String: Any], closing: Bool = true) -> [String: Any] {
        var schema = schema
        for key in ["properties", "patternProperties"] {
            if let properties = schema[key] as? [String: Any] {
                schema[key] = properties.mapValues { ($0 as? [String: Any]).map { strict($0) } ?? $0 }
            }
        }
        for key in ["items", "additionalProperties"] {
            if let nested = schema[key] as? [String: Any] { schema[key] = strict(nested) }
        }
        if let nested = schema["not"] as? [String: Any] { schema["not"] = strict(nested, closing: false) }
        for key in ["anyOf", "oneOf", "allOf"] {
            if let list = schema[key] as? [[String: Any]] { schema[key] = list.map { strict($0, closing: false) } }
        }
        if closing, schema["properties"] != nil, schema["additionalProperties"] == nil,
            schema["x-kubernetes-preserve-unknown-fields"] as? Bool != true
        {
            schema["additionalProperties"] = false
        }
        return schema
    }

    /// Splits manifests into one JSON file per Strimzi resource, grouped by the schema that must
    /// accept it; a resource of a kind or API version the release does not serve is a problem.
    func instances(of paths: [String], writingInto parent: URL) throws -> (bySchema: [URL: [URL]], problems: [String]) {
        let directory = parent.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var bySchema: [URL: [URL]] = [:]
        var problems: [String] = []
        for path in paths {
            let text = try String(
                contentsOfFile: path.hasPrefix("/") ? path : DeploymentChecks.root.appendingPathComponent(path).path, encoding: .utf8)
            for (index, document) in try Yams.load_all(yaml: text).enumerated() {
                guard let resource = document as? [String: Any], let apiVersion = resource["apiVersion"] as? String,
                    apiVersion.hasPrefix(Self.group + "/")
                else { continue }
                let kind = resource["kind"] as? String ?? "?"
                let version = String(apiVersion.dropFirst(Self.group.count + 1))
                guard let schema = schemas[kind]?[version] else {
                    problems.append(
                        "\(path) #\(index + 1): Strimzi \(Self.version) does not serve \(kind) in \(apiVersion) (it serves \(schemas[kind].map { $0.keys.sorted() } ?? []))"
                    )
                    continue
                }
                let url = directory.appendingPathComponent("\((path as NSString).lastPathComponent)-\(index + 1)-\(kind).json")
                try JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys]).write(to: url)
                bySchema[schema, default: []].append(url)
            }
        }
        return (bySchema, problems)
    }
}
