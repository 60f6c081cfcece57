import ArgumentParser
import Foundation
import Orders
import ProjectionServer
import ServiceRuntime
import TestSupport
import Yams

/// What keeps docker-compose.yml, deploy/k8s and deploy/Dockerfile in step with the code. Each
/// check returns the problems it found (empty: all agree), so tests can also show that a broken
/// file is caught.
enum DeploymentChecks {
    static let root = Repository.root

    static func text(_ path: String) throws -> String { try Repository.text(path) }

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
            ServiceEnvironment.variables.filter { $0.services.contains(service) }.map(\.name) + ServiceEnvironment.kafkaVariables
                + ServiceEnvironment.openTelemetryVariables)
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
            if parsed.topic != ServiceTopics().events {
                problems.append("\(place): topic \(parsed.topic), but the topics are created as \(ServiceTopics().events)")
            }
            return (problems, parsed)
        } catch {
            problems.append("\(place): \(service) would refuse this environment: \(error)")
            return (problems, nil)
        }
    }
}
