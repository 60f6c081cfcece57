import ArgumentParser
import Kafka
import Orders
import ProjectionServer
import ServiceRuntime
import Testing

/// `ServiceLaunch` renders command lines the services' own options parse back to the same
/// settings: a flag cannot drift between the launchers (`up`, `scale`, the benchmarks, the tests)
/// and the services.
@Suite("Service launch")
struct ServiceLaunchTests {
    @Test("orders: every setting survives rendering and parsing")
    func orders() throws {
        let launch = ServiceLaunch(
            service: "orders", brokers: "k:9092", dataDir: "/data/orders", topic: "events", httpHost: "0.0.0.0", httpPort: 9001,
            logLevel: .warning, supervisorPid: 42,
            orders: .init(
                rate: 3.5, speed: 20, seed: 7, maxOrders: 90, output: "quiet", partitions: 12, exitWhenPublished: true, steps: "simulated",
                profile: .local))
        let options = try OrdersServiceOptions.parse(launch.arguments)
        #expect(options.connection.brokers == "k:9092" && options.dataDir == "/data/orders" && options.topic == "events")
        #expect(options.httpHost == "0.0.0.0" && options.httpPort == 9001 && options.logLevel == .warning && options.supervisorPid == 42)
        #expect(options.rate == 3.5 && options.speed == 20 && options.seed == 7 && options.maxOrders == 90)
        #expect(options.output == .quiet && options.partitions == 12 && options.exitWhenPublished)
        #expect(options.steps == .simulated && options.kafkaProfile == .local)
        #expect(try OrdersServiceOptions.parse([]).steps == .choreographed)
    }

    @Test("a consumer service: every setting survives rendering and parsing")
    func consumer() throws {
        let launch = ServiceLaunch(
            service: "support", brokers: "k:9092", dataDir: "/data/support", topic: "events", httpPort: 9004, logLevel: .error,
            logFormat: .json, supervisorPid: 42,
            consumer: .init(
                group: "support-x", instanceID: "support-1", peers: ["http://a:1", "http://b:2"], profile: .local, assignor: .roundRobin,
                sessionTimeout: 9, fetchWaitMs: 40, speed: 12.5, seed: 99))
        let options = try ProjectionServiceOptions.parse(launch.arguments)
        #expect(options.connection.brokers == "k:9092" && options.dataDir == "/data/support" && options.topic == "events")
        #expect(options.httpPort == 9004 && options.logLevel == .error && options.logFormat == .json && options.supervisorPid == 42)
        #expect(options.group == "support-x" && options.instanceID == "support-1" && options.peers == ["http://a:1", "http://b:2"])
        #expect(options.kafkaProfile == .local && options.assignor == "roundrobin")
        #expect(options.sessionTimeout == 9 && options.fetchWaitMs == 40 && options.speed == 12.5 && options.seed == 99)
    }

    @Test("The production defaults are Kafka's; the local profile is applied only when asked for")
    func profiles() throws {
        let common = KafkaConfiguration(bootstrapServers: ["k:9092"])
        let neutral = try ProjectionServiceOptions.parse([]).consumerConfiguration(common: common, group: "g")
        #expect(neutral.assignmentStrategy == .cooperativeSticky && neutral.sessionTimeout == .seconds(45))
        #expect(neutral.fetchWaitMax == .milliseconds(500))
        let local = try ProjectionServiceOptions.parse(["--kafka-profile", "local"]).consumerConfiguration(common: common, group: "g")
        #expect(local.assignmentStrategy == .range && local.sessionTimeout == .seconds(6) && local.fetchWaitMax == .milliseconds(10))
        let overridden = try ProjectionServiceOptions.parse(["--kafka-profile", "local", "--session-timeout", "12"])
            .consumerConfiguration(common: common, group: "g")
        #expect(overridden.sessionTimeout == .seconds(12) && overridden.assignmentStrategy == .range)
    }

    @Test("Bad values are refused with what to fix")
    func validation() {
        #expect(throws: (any Error).self) { try ProjectionServiceOptions.parse(["--assignor", "sticky"]) }
        #expect(throws: (any Error).self) { try ProjectionServiceOptions.parse(["--peer", "support:8084"]) }
        #expect(throws: (any Error).self) { try OrdersServiceOptions.parse(["--exit-when-published"]) }
        #expect(throws: (any Error).self) { try OrdersServiceOptions.parse(["--steps", "orchestrated"]) }
        #expect(throws: (any Error).self) { try ProjectionServiceOptions.parse(["--speed", "0"]) }
    }
}
