import ArgumentParser
import Foundation
import Hummingbird
import Kafka
import Logging
import Projection
import ServiceLifecycle
import ServiceRuntime
import SupportProjection

/// `support`: keeps support's read model of the order-event stream (its own consumer group and
/// SQLite database) and answers queries about orders over HTTP.
@main
struct SupportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "support",
        abstract: "Project the order-event stream into support's read model and serve its queries."
    )

    @OptionGroup var connection: KafkaConnectionOptions
    @Option(help: "Directory of the service's SQLite database.") var dataDir = ".fooddelivery/support"
    @Option(help: "The order-event topic (dead letters go to <topic>.dlq).") var topic = "order-events"
    @Option(help: "Consumer group (and projection) name.") var group = "support"
    @Option(help: "Static group membership id: a restarted instance gets its partitions back at once.") var instanceID: String?
    @Option(help: "Partition assignor: range (local broker), roundrobin or cooperative-sticky (Apache Kafka).") var assignor = "range"
    @Option(help: "Address the HTTP API listens on.") var httpHost = "127.0.0.1"
    @Option(help: "Port of the HTTP API (0: any free port).") var httpPort = 8084
    @Option(help: "Log level.") var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = ServiceLogging.bootstrap(level: logLevel, label: "support")
        let registry = OperationalRoutes.bootstrapMetrics()
        let kafka = try connection.requiredConfiguration(clientID: group)
        guard let strategy = KafkaConsumerConfiguration.AssignmentStrategy(rawValue: assignor) else {
            throw ValidationError("--assignor must be range, roundrobin or cooperative-sticky")
        }
        try FileManager.default.createDirectory(atPath: dataDir, withIntermediateDirectories: true)
        let database = try ProjectionDatabase(path: (dataDir as NSString).appendingPathComponent("support.sqlite"), projection: SupportProjection(name: group))
        var consumer = KafkaConsumerConfiguration.localBroker(common: kafka, groupID: group)
        consumer.assignmentStrategy = strategy
        consumer.groupInstanceID = instanceID
        let deadLetters = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: kafka), logger: logger)
        let runner = try ProjectionRunner(
            database: database, consumer: consumer, topic: topic, deadLetterTopic: topic + ".dlq", deadLetters: deadLetters, logger: logger)

        let router = Router()
        SupportAPI(database: database).addRoutes(to: router)
        router.get("/offsets") { _, _ in try await OffsetsResponse(partitions: runner.offsetsReport(), counts: runner.counts) }
        OperationalRoutes.add(to: router, registry: registry) {
            HealthReport(checks: [.init(name: "projection", status: .ok, detail: "\(runner.counts.applied) events applied since start")])
        }
        let http = Application(router: router, configuration: .init(address: .hostname(httpHost, port: httpPort), serverName: "support"), logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: deadLetters), .init(service: runner), .init(service: http)],
                gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

struct OffsetsResponse: ResponseEncodable {
    var partitions: [ProjectionRunner.PartitionReport]
    var counts: ProjectionRunner.Counters
}
