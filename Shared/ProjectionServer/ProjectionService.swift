import ArgumentParser
import Contract
import Foundation
import Hummingbird
import Kafka
import Logging
public import Projection
import ServiceLifecycle
import ServiceRuntime

/// A consumer service's whole `main`: its projection kept by a `ProjectionRunner` in its own
/// consumer group and SQLite database, its queries over HTTP (routed across instances), and the
/// operational routes — `/offsets`, `/instance`, `/replay`, `/health`, `/metrics`.
public enum ProjectionService {
    public static func run(
        _ options: ProjectionServiceOptions, service: String, defaultPort: Int, projection: (_ group: String) -> any Projection,
        queries: (QueryRoutes) -> Void
    ) async throws {
        let group = ConsumerGroups.group(ofService: service, override: options.group)
        ProcessMemory.returnLargeBlocksToTheSystem()
        let logger = ServiceLogging.bootstrap(level: options.logLevel, label: service)
        let registry = OperationalRoutes.bootstrapMetrics()
        let kafka = try options.connection.requiredConfiguration(clientID: options.instanceID.map { "\(group)-\($0)" } ?? group)
        guard let strategy = KafkaConsumerConfiguration.AssignmentStrategy(rawValue: options.assignor) else {
            throw ValidationError("--assignor must be range, roundrobin or cooperative-sticky")
        }
        guard (1...300).contains(options.sessionTimeout) else { throw ValidationError("--session-timeout must be 1…300 seconds") }
        guard (1...5_000).contains(options.fetchWaitMs) else { throw ValidationError("--fetch-wait-ms must be 1…5000") }
        let peers = try options.peers.map { text in
            guard let url = URL(string: text), ["http", "dns+http"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError(
                    "--peer \(text): give an instance's base URL, like http://127.0.0.1:8085, or dns+http://<headless service>:<port> for every address of a name"
                )
            }
            return url
        }
        let directory = options.dataDir ?? ".fooddelivery/\(group)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError(
                "cannot create the data directory \(directory) (\(error.localizedDescription)): pass a writable --data-dir")
        }
        let path = (directory as NSString).appendingPathComponent("\(service).sqlite")
        let database = try ProjectionDatabase(path: path, projection: projection(group))

        var consumer = KafkaConsumerConfiguration.localBroker(common: kafka, groupID: group)
        consumer.assignmentStrategy = strategy
        consumer.groupInstanceID = options.instanceID
        consumer.sessionTimeout = .seconds(options.sessionTimeout)
        consumer.fetchWaitMax = .milliseconds(options.fetchWaitMs)
        consumer.heartbeatInterval = .milliseconds(max(options.sessionTimeout * 1000 / 6, 500))
        consumer.boundPrefetchForProjection()
        let deadLetters = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: kafka), logger: logger)
        let runner = try ProjectionRunner(
            database: database, consumer: consumer, topic: options.topic, deadLetterTopic: Topics.deadLetters(of: options.topic),
            deadLetters: deadLetters,
            logger: logger)
        let replay = ProjectionReplay(runner: runner, shadowPath: path + ".replay", logger: logger)
        let partitions = TopicPartitionCount(topic: options.topic, kafka: kafka, logger: logger)

        let (instanceID, topic, peerNames) = (options.instanceID, options.topic, options.peers)
        let instance: @Sendable () async -> InstanceInfo = {
            let assignment = runner.assignment.map(\.partition)
            let stored = (try? await database.storedOffsets(topic: topic)) ?? [:]
            return InstanceInfo(
                group: group, memberID: runner.memberID, instanceID: instanceID, topic: topic,
                partitionCount: await partitions.value(), assignment: assignment, peers: peerNames,
                owned: assignment.map { .init(partition: $0, storedOffset: stored[$0], logEnd: runner.cachedLogEnd($0)) })
        }
        let routing = PeerRouting(peers: peers, local: instance)
        let groupWatch = GroupWatch(
            runner: runner, routing: routing, instance: instance,
            admin: try KafkaAdmin.make(configuration: kafka, logger: logger, requestTimeout: .seconds(60)),
            threshold: .seconds(2 * options.sessionTimeout), logger: logger)
        let router = Router()
        router.add(
            middleware: ExplainedErrors(
                endpoints: "its queries (README: The consumer services), /offsets, /instance, /replay, /health, /metrics"))
        queries(QueryRoutes(router: router, database: database, routing: routing))
        OperationsRoutes(runner: runner, replay: replay, groupWatch: groupWatch, instance: instance).add(to: router)
        OperationalRoutes.add(to: router, registry: registry) { ProjectionHealth.report(runner, groupWatch: groupWatch) }
        let http = Application(
            router: router,
            configuration: .init(address: .hostname(options.httpHost, port: options.httpPort ?? defaultPort), serverName: service),
            logger: logger)
        let services = ServiceGroup(
            configuration: .bounded(
                services: [
                    .init(service: deadLetters), .init(service: runner), .init(service: http),
                    .init(service: groupWatch, successTerminationBehavior: .ignore),
                    .init(service: HeapTrimmer(), successTerminationBehavior: .ignore),
                ] + SupervisorWatch.configurations(pid: options.supervisorPid, logger: logger),
                logger: logger))
        try await services.run()
    }
}
