import ArgumentParser
import Contract
import Foundation
public import Hummingbird
import Kafka
public import Logging
import Outbox
public import Projection
public import Prometheus
import ServiceAPI
public import ServiceLifecycle
import ServiceRuntime

/// A consumer service, built from its validated options: its projection kept by a
/// `ProjectionRunner` in its own consumer group and SQLite database, its queries over HTTP (routed
/// across instances), and the operational routes — `/offsets`, `/instance`, `/replay`, `/health`,
/// `/metrics`. The executable runs it; tests build it in-process and call its router.
public struct ProjectionService {
    public let definition: ProjectionServiceDefinition
    public let database: ProjectionDatabase
    public let runner: ProjectionRunner
    /// The service's decisions, for one that takes part in the choreography.
    public let decisions: DecisionRunner?
    /// What it publishes besides its read model (analytics' statistics), unless turned off.
    public let publisher: (any StreamPublisher)?
    public let router: Router<BasicRequestContext>
    /// Everything that runs, in start order (shutdown runs in reverse).
    public let services: [ServiceGroupConfiguration.ServiceConfiguration]
    public let logger: Logger

    /// Builds the service; nothing runs until `run()`. `metrics` is the registry `/metrics` shows
    /// (nil: none, as in tests that build several services in one process).
    public static func build(
        _ options: ProjectionServiceOptions, definition: ProjectionServiceDefinition, logger: Logger,
        metrics: PrometheusCollectorRegistry? = nil
    ) throws -> ProjectionService {
        let group = ConsumerGroups.group(ofService: definition.name, override: options.group)
        let kafka = try options.connection.requiredConfiguration(clientID: options.instanceID.map { "\(group)-\($0)" } ?? group)
        let peers = try options.peerURLs()
        let directory = options.dataDir ?? ".fooddelivery/\(group)"
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ValidationError(
                "cannot create the data directory \(directory) (\(error.localizedDescription)): pass a writable --data-dir")
        }
        let path = (directory as NSString).appendingPathComponent("\(definition.name).sqlite")
        let database = try ProjectionDatabase(path: path, projection: definition.projection(group))

        let consumer = options.consumerConfiguration(common: kafka, group: group)
        let deadLetters = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: kafka), logger: logger)
        let committed = CommittedEvents()
        let runner = try ProjectionRunner(
            database: database, consumer: consumer, topic: options.topic,
            deadLetters: deadLetters, logger: logger, onCommitted: { committed.publish($0) })
        let replay = ProjectionReplay(runner: runner, shadowPath: path + ".replay", logger: logger)
        let partitions = TopicPartitionCount(topic: options.topic, kafka: kafka, logger: logger)
        // A service that decides keeps its decisions in a database and a consumer group of their own.
        let decisions = try definition.decider.map { makeDecider in
            let decider = makeDecider(options.seed, options.speed)
            let database = try DecisionDatabase.open(
                path: (directory as NSString).appendingPathComponent("\(definition.name).decisions.sqlite"), decider: decider)
            let runner = try DecisionRunner(
                database: database, decider: decider,
                consumer: options.consumerConfiguration(common: kafka, group: ConsumerGroups.decisions(of: group)),
                orderTopic: options.topic, deadLetters: deadLetters, logger: logger)
            // `orders` creates the choreography's topics.
            return (runner, OutboxRelay(database: database, producer: deadLetters, orderTopic: options.topic, logger: logger))
        }
        var publisher: (any StreamPublisher)?
        if let makePublisher = definition.publisher, options.publishStats {
            let settings = options.consumerConfiguration(common: kafka, group: group)
            publisher = try makePublisher(
                .init(
                    kafka: kafka, group: group, orderTopic: options.topic,
                    instance: try options.instanceID ?? InstanceIdentity.kept(in: directory), logger: logger,
                    consumerConfiguration: { publisherGroup in
                        var settings = settings
                        settings.groupID = publisherGroup
                        return settings
                    }))
        }

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
            threshold: consumer.sessionTimeout * 2, logger: logger)
        let router = OperationalRoutes.router(
            endpoints: ConsumerQueries.byService[definition.name, default: []].map(\.route) + [
                ProjectionEndpoints.offsets, ProjectionEndpoints.instance, ProjectionEndpoints.replay, ProjectionEndpoints.replayState,
                OperationalEndpoints.health, OperationalEndpoints.metrics,
            ])
        definition.queries(QueryRoutes(router: router, database: database, routing: routing, committed: committed))
        let operatorToken = try OperatorToken(token: options.operatorToken, file: options.operatorTokenFile)
        logger.info(
            "\(ProjectionEndpoints.replay): \(operatorToken.isConfigured ? "needs the operator token" : "open (no operator token configured)")"
        )
        OperationsRoutes(runner: runner, replay: replay, groupWatch: groupWatch, instance: instance, operatorToken: operatorToken).add(
            to: router)
        if let (decisionRunner, _) = decisions { router.on(DecisionEndpoints.decisions) { _, _ in try await decisionRunner.report() } }
        OperationalRoutes.add(to: router, registry: metrics) { ProjectionHealth.report(runner, groupWatch: groupWatch) }
        let http = Application(
            router: router,
            configuration: .init(
                address: .hostname(options.httpHost, port: options.httpPort ?? definition.defaultPort), serverName: definition.name),
            logger: logger)
        return ProjectionService(
            definition: definition, database: database, runner: runner, decisions: decisions?.0, publisher: publisher, router: router,
            services: [.init(service: deadLetters)] + (decisions.map { [.init(service: $0.1), .init(service: $0.0)] } ?? []) + [
                .init(service: runner)
            ] + (publisher.map { [.init(service: $0)] } ?? []) + [
                .init(service: http),
                .init(service: groupWatch, successTerminationBehavior: .ignore),
                .init(service: HeapTrimmer(), successTerminationBehavior: .ignore),
            ] + SupervisorWatch.configurations(pid: options.supervisorPid, logger: logger),
            logger: logger)
    }

    /// Closes the Kafka clients of a service that was built but never run (a test's).
    public func closeUnused() async {
        await runner.closeUnused()
        await decisions?.closeUnused()
        await publisher?.closeUnused()
    }

    /// Runs every part until SIGTERM or SIGINT, then shuts down gracefully (bounded in time).
    /// `leading` start before the service's parts and stop after them (a trace exporter).
    public func run(leading: [ServiceGroupConfiguration.ServiceConfiguration] = []) async throws {
        try await ServiceGroup(configuration: .bounded(services: leading + services, logger: logger)).run()
    }

    /// A service executable's whole `run`: process-wide logging, metrics and tracing, then build
    /// and run.
    public static func main(_ options: ProjectionServiceOptions, definition: ProjectionServiceDefinition) async throws {
        ProcessMemory.returnLargeBlocksToTheSystem()
        let observability = try ServiceObservability.bootstrap(
            service: definition.name, logLevel: options.logLevel, logFormat: options.logFormat)
        try await build(options, definition: definition, logger: observability.logger, metrics: observability.metrics)
            .run(leading: observability.leadingServices)
    }
}
