import Contract
import Foundation
import Kafka
import ServiceRuntime
import SimulationControl

/// Where a benchmark runs the services as release processes: topics of its own (the order-event
/// topic and the choreography's, under a fresh prefix) and a working directory that goes with it.
struct BenchStage {
    let brokers: String
    let topic: String
    let directory: String
    let profile: KafkaProfile

    /// Runs `body` on a fresh stage, then removes its directory.
    static func with<T>(
        name: String, configuration: KafkaConfiguration, local: Bool, _ body: (BenchStage) async throws -> T
    ) async throws -> T {
        let topic = "bench-\(UUID().uuidString.prefix(6).lowercased()).\(Topics.orderEvents)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-bench-\(getpid())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let admin = try KafkaAdmin.make(configuration: configuration, logger: .init(label: "bench"))
        try await ServiceTopics(events: topic, others: ServiceTopics.choreography).ensure(using: admin)
        let stage = BenchStage(
            brokers: configuration.bootstrapServers.joined(separator: ","), topic: topic, directory: directory,
            profile: local ? .local : .kafka)
        return try await body(stage)
    }

    /// A service started on this stage, serving HTTP.
    struct Running {
        let pid: Int32
        let port: Int
        let log: String
    }

    /// Starts `service` (as `configure` sets it up) on a free port, its data and log in the stage's
    /// directory, and waits until it serves HTTP.
    func launch(_ service: String, _ configure: (inout ServiceLaunch) -> Void) async throws -> Running {
        let port = try LocalPort.free()
        var launch = ServiceLaunch(
            service: service, brokers: brokers, dataDir: "\(directory)/\(service)", topic: topic, httpPort: port, logLevel: .error)
        configure(&launch)
        let log = "\(directory)/\(service).log"
        let pid = try ServiceLauncher.launch(launch, log: log)
        try await ServiceLauncher.waitUntilServing(pid: pid, port: port, name: service, log: log)
        return Running(pid: pid, port: port, log: log)
    }
}
