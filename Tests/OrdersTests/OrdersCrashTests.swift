import Contract
import Foundation
import GRDB
import Kafka
import LocalBroker
import Orders
import Outbox
import ServiceHTTPClient
import ServiceRuntime
import TestSupport
import Testing

/// The transactional outbox under fire: a real `orders` process SIGKILLed at random instants
/// (between a commit and its publish, mid-batch, mid-mark-sent), then restarted on the same
/// database until it finishes. The broker is this test's own, so it can be paused (SIGSTOP) while
/// `orders` runs: records then pile up unacknowledged and the kill lands on them.
@Suite("Orders crash recovery", .timeLimit(.minutes(ProcessInfo.processInfo.environment["FOODDELIVERY_SOAK"] == "1" ? 20 : 5)))
struct OrdersCrashTests {
    /// `FOODDELIVERY_SOAK=1`: the long run, 30 kills over 400 orders (by hand:
    /// `FOODDELIVERY_SOAK=1 scripts/test.sh --filter OrdersCrashTests`).
    static let soak = ProcessInfo.processInfo.environment["FOODDELIVERY_SOAK"] == "1"
    static let kills = soak ? 30 : 8
    static let orders = soak ? 400 : 120

    @Test("SIGKILLed 8 times (30 in soak mode) at random points: every committed event reaches the topic, exactly once in effect")
    func killAndResume() async throws {
        let broker = try await LocalBroker.start(logger: TestLogging.logger("crash-broker"))
        let tansu = try #require(broker.brokerPID)
        let kit = try await KafkaTestKit.make("orders-crash", connection: .init(dedicated: broker))
        let topic = try await kit.createTopic("order-events", partitions: 6)
        let directory = try TestNames.temporaryDirectory("orders-crash")
        // About 15 s of simulated business in real time, so the kills land while orders are in flight.
        var launch = ServiceLaunch.testOrders(
            brokers: kit.connection.configuration.bootstrapServers.joined(separator: ","), topic: topic, directory: directory,
            logLevel: .error, httpPort: nil, orders: .init(rate: 4, speed: 5, maxOrders: Self.orders))
        var random = SystemRandomNumberGenerator()
        var killedAfter: [Duration] = []
        var killedWhilePaused = 0
        for round in 0..<Self.kills {
            let process = try ChildConsumer.launch(launch)
            let lifetime = Duration.milliseconds(Int.random(in: 300...2_500, using: &random))
            // Every other round the broker freezes for the second half of the run.
            let pause = round % 2 == 1
            try await Task.sleep(for: pause ? lifetime / 2 : lifetime)
            if pause {
                kill(tansu, SIGSTOP)
                try await Task.sleep(for: lifetime / 2)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            if pause {
                kill(tansu, SIGCONT)
                killedWhilePaused += 1
            }
            killedAfter.append(lifetime)
        }
        launch.orders?.exitWhenPublished = true
        let final = try ChildConsumer.launch(launch)
        do {
            try await eventually("the last run publishes everything and exits", timeout: .seconds(60)) { !final.isRunning }
            #expect(final.terminationStatus == 0)
        } catch {
            // Still pending after a minute: stop it and let the verification name what is missing.
            kill(final.processIdentifier, SIGKILL)
            final.waitUntilExit()
            Issue.record("the final run did not finish publishing: \(error)")
        }

        let database = try OrdersDatabase(path: directory.appendingPathComponent("orders.sqlite").path)
        let rows = try await database.writer.read { try OutboxRecord.order(OutboxRecord.Columns.id).fetchAll($0) }
        let unfinished = try await database.writer.read { db in
            try Int.fetchOne(
                db, sql: #"SELECT COUNT(*) FROM "order" WHERE status NOT IN ('delivered','rejected','cancelled','delivery_failed')"#)
        }
        #expect(unfinished == 0, "every order reached an end")
        let result = try OrderStreamVerifier.verify(topic: try await kit.readAll(topic, partitions: 6), outbox: rows)
        #expect(result.orders == Self.orders)
        await broker.stop()
        print(
            "orders crash test: \(Self.kills) SIGKILLs, \(killedWhilePaused) while the broker was paused (after \(killedAfter.map { "\($0.milliseconds) ms" }.joined(separator: ", "))); \(result.orders) orders, \(result.events) events checked, 0 lost, \(result.duplicates) repeated on the topic (exact copies, deduplicated by order id + sequence)"
        )
    }

}

@Suite("Orders without Kafka", .timeLimit(.minutes(3)))
struct OrdersWithoutKafkaTests {
    @Test("Started before the broker exists: takes orders into the outbox, reports unhealthy, drains once Kafka is up")
    func startsBeforeTheBroker() async throws {
        // Free ports from the kernel: a random one in the ephemeral range can be some connection's
        // local port already (the broker then failed to start with 'Address in use').
        let port = try LocalPort.free()
        let directory = try TestNames.temporaryDirectory("orders-nokafka")
        let httpPort = try LocalPort.free()
        let process = try ChildConsumer.launch(
            .testOrders(
                brokers: "127.0.0.1:\(port)", topic: Topics.orderEvents, directory: directory, httpPort: httpPort,
                orders: .init(rate: 20, speed: 20, maxOrders: 30, exitWhenPublished: true)))
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        // No broker: the simulation runs and the outbox fills.
        let database = directory.appendingPathComponent("orders.sqlite").path
        try await eventually("orders are written while Kafka is down", timeout: .seconds(30)) {
            FileManager.default.fileExists(atPath: database) && (try? Self.pending(database)) ?? 0 > 20
        }
        try await eventually("/health says unhealthy", timeout: .seconds(30)) {
            (try? await Self.health(port: httpPort))?.contains(#""status":"unhealthy""#) == true
        }
        #expect(process.isRunning)

        let broker = try await LocalBroker.start(port: port, logger: TestLogging.logger("late-broker"))
        try await eventually("the outbox drains and orders exits", timeout: .seconds(90)) { !process.isRunning }
        #expect(process.terminationStatus == 0)
        let kit = try await KafkaTestKit.make("nokafka", connection: .init(dedicated: broker))
        let rows = try await OrdersDatabase(path: database).writer.read { try OutboxRecord.order(OutboxRecord.Columns.id).fetchAll($0) }
        let result = try OrderStreamVerifier.verify(topic: try await kit.readAll("order-events", partitions: 6), outbox: rows)
        #expect(result.orders == 30)
        print("orders without Kafka: \(result.events) events buffered and then published, \(result.duplicates) repeats")
        await broker.stop()
    }

    static func pending(_ path: String) throws -> Int {
        try DatabaseQueue(path: path).read { try OutboxRecord.filter(OutboxRecord.Columns.sentAt == nil).fetchCount($0) }
    }

    static func health(port: Int) async throws -> String {
        try await ServiceHTTPRequest("http://127.0.0.1:\(port)/health", timeout: .seconds(60)).send().text
    }
}
