import Foundation
import GRDB
import Kafka
import OrderEvents
import Orders
import Projection
import SupportProjection
import Testing
import TestSupport

/// Exactly-once effect under fire: a real `support` process SIGKILLed again and again while
/// orders keep flowing; at the end its read model must equal a model computed independently from
/// the orders outbox, and a full replay's checksum.
@Suite("Support crash recovery", .timeLimit(.minutes(8)))
struct SupportCrashTests {
    static let kills = 20

    @Test("support SIGKILLed 20 times mid-stream while orders flow: 0 lost, 0 applied twice, replay checksum equal")
    func killAndCatchUp() async throws {
        let kit = try await KafkaTestKit.make("support-crash")
        let topic = try await kit.createTopic("order-events", partitions: 6)
        _ = try await kit.admin.ensureTopic(NewTopic(name: topic + ".dlq", partitions: 1))

        // Orders flow the whole time, through the real outbox relay.
        let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
        let producer = try await kit.makeProducer("orders")
        let relay = OutboxRelay(database: ordersDB, producer: producer, topic: topic, logger: TestLogging.logger("relay"))
        var simulation = CitySimulator.Configuration()
        simulation.speed = 2  // about half a minute of flow, longer than the kill rounds
        simulation.ordersPerSecond = 6
        simulation.maxOrders = 150
        simulation.seed = UInt64.random(in: 1...1_000_000)
        let relaying = Task { try await relay.run() }
        let simulating = Task { try await CitySimulator(configuration: simulation, ledger: OrderLedger(database: ordersDB), logger: TestLogging.logger("sim")).run() }

        let directory = try TestNames.temporaryDirectory("support")
        let group = TestNames.unique("support")
        let arguments = [
            "--brokers", kit.connection.configuration.bootstrapServers.joined(separator: ","), "--data-dir", directory.path, "--topic", topic,
            "--group", group, "--instance-id", "support-1", "--http-port", "0", "--log-level", "critical",
        ]
        let supportDB = directory.appendingPathComponent("support.sqlite").path
        var random = SystemRandomNumberGenerator()
        var lifetimes: [Int] = []
        for _ in 0..<Self.kills {
            let before = try await Self.timelineCount(supportDB)
            let process = try Self.start(arguments)
            // Kill only once it is really consuming (joined, assigned, applying), so the SIGKILL
            // lands mid-stream: between fetch, apply, the SQLite commit and the Kafka commit.
            try await eventually("support applies events again", timeout: .seconds(40)) {
                let now = try await Self.timelineCount(supportDB)
                let published = try await ordersDB.writer.read { try OutboxRecord.filter(OutboxRecord.Columns.sentAt != nil).fetchCount($0) }
                return now > before || (now > 0 && now >= published)
            }
            let lifetime = Int.random(in: 0...1_200, using: &random)
            try await Task.sleep(for: .milliseconds(lifetime))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            lifetimes.append(lifetime)
        }
        try await simulating.value
        try await eventually("the orders outbox is published", timeout: .seconds(60)) { try relay.pendingCount() == 0 }
        relaying.cancel()
        await producer.close()
        let outbox = try await ordersDB.writer.read { try OutboxRecord.fetchAll($0) }

        // The last run catches up, then stops cleanly.
        let final = try Self.start(arguments)
        try await eventually("support catches up with every event", timeout: .seconds(120)) {
            (try? await Self.timelineCount(supportDB)) == outbox.count
        }
        try await Task.sleep(for: .milliseconds(500))
        kill(final.processIdentifier, SIGTERM)
        final.waitUntilExit()

        // The independent model, from the producer's own outbox.
        let expectedTimeline = Set(outbox.map { "\($0.orderId)#\($0.sequence)#\($0.type)" })
        let expectedStatus = try await ordersDB.writer.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: #"SELECT id, status FROM "order""#).map { ($0["id"] as String, $0["status"] as String) })
        }
        let (timeline, statuses) = try await DatabaseQueue(path: supportDB).read { db in
            (try Row.fetchAll(db, sql: "SELECT orderId, sequence, type FROM support_timeline").map { "\($0["orderId"] as String)#\($0["sequence"] as Int)#\($0["type"] as String)" },
             Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT orderId, status FROM support_order").map { ($0["orderId"] as String, $0["status"] as String) }))
        }
        #expect(timeline.count == Set(timeline).count, "no event applied twice")
        #expect(Set(timeline) == expectedTimeline, "missing: \(expectedTimeline.subtracting(timeline).count), unexpected: \(Set(timeline).subtracting(expectedTimeline).count)")
        #expect(statuses == expectedStatus)

        // A full replay into a fresh database reproduces the crashed-and-recovered model exactly.
        let crashed = try ProjectionDatabase(path: supportDB, projection: SupportProjection(name: group))
        let replayPath = try ProjectionRunnerTests.temporaryPath("support-replay")
        let replayName = TestNames.unique("support-replay")
        let replay = try ProjectionRunner(
            database: try ProjectionDatabase(path: replayPath, projection: SupportProjection(name: replayName)),
            consumer: KafkaConsumerConfiguration.localBroker(common: kit.configuration(clientID: replayName), groupID: replayName),
            topic: topic, deadLetterTopic: topic + ".dlq", deadLetters: try await kit.makeProducer("replay-dlq"), logger: TestLogging.logger("replay"))
        let replaying = Task { try await replay.run() }
        try await eventually("the replay catches up", timeout: .seconds(60)) { (try? await Self.timelineCount(replayPath)) == outbox.count }
        replaying.cancel()
        _ = await replaying.result
        #expect(try await replay.database.checksum() == crashed.checksum())
        print("support crash test: \(Self.kills) SIGKILLs (each \(lifetimes.map { "\($0)" }.joined(separator: ", ")) ms after it was seen applying) while orders flowed; \(expectedStatus.count) orders, \(outbox.count) events checked: 0 lost, 0 applied twice, replay checksum equal")
    }

    static func timelineCount(_ path: String) async throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return -1 }
        return try await DatabaseQueue(path: path).read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM support_timeline") ?? 0 }
    }

    static func start(_ arguments: [String]) throws -> Process { try ChildConsumer.launch("support", arguments) }
}
