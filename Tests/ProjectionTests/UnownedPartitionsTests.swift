import Foundation
import Kafka
import Orders
import Outbox
import ProjectionServer
import ServiceAPI
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// Partitions nobody owns must not hide. Two `support` instances split the topic; the second is
    /// SIGKILLed and the broker frozen for 20 s right after, which the local broker answers by
    /// dropping the dead member without a rebalance (the conformance suite pins it). The survivor
    /// must show it (`/offsets` counts the lag of every partition, `/health` turns unhealthy naming
    /// the unowned partitions), then heal the group by rejoining, take every partition, and apply
    /// the backlog: its read model equals the independent model, nothing lost, nothing twice.
    @Suite("Partitions without an owner", .timeLimit(.minutes(5)))
    struct UnownedPartitionsTests {
        @Test(
            "A member dies as the broker freezes: the survivor reports the unowned partitions and their lag, rejoins, and applies everything once"
        )
        func unownedPartitionsShowAndHeal() async throws {
            try await KafkaTestKit.withDedicatedBroker("unowned") { kit, tansu in try await unownedPartitionsShowAndHeal(kit, tansu: tansu)
            }
        }

        private func unownedPartitionsShowAndHeal(_ kit: KafkaTestKit, tansu: Int32) async throws {
            let topic = try await OrderFlow.topic(kit, partitions: 6)
            let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 40)

            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let group = TestNames.unique("support")
            let ports = try [LocalPort.free(), LocalPort.free()]
            let directories = try (0..<2).map { try TestNames.temporaryDirectory("unowned-support-\($0)") }
            // As `up` and `scale` start them: the first a static member, the added one dynamic.
            func start(_ index: Int) throws -> ServiceProcess {
                var launch = ServiceLaunch.testConsumer(
                    "support", brokers: brokers, topic: topic, group: group, directory: directories[index], logLevel: .warning,
                    instanceID: index == 0 ? "\(group)-1" : nil, peers: ports.map { "http://127.0.0.1:\($0)" })
                launch.httpPort = ports[index]
                return try ServiceProcess(launch)
            }
            let survivor = try start(0)
            try await ScaleOutTests.waitForSplit([survivor], sizes: [6])
            let victim = try start(1)
            try await ScaleOutTests.waitForSplit([survivor, victim], sizes: [3, 3])
            let survivorShare = Set(try await survivor.get("/instance", as: InstanceInfo.self).assignment)

            victim.sigkill()
            try await Task.sleep(for: .seconds(1))
            kill(tansu, SIGSTOP)
            try await Task.sleep(for: .seconds(20))
            kill(tansu, SIGCONT)
            // More orders after the resume, to all partitions: a backlog on the unowned ones.
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 30)
            let outbox = try await ordersDB.writer.read { try OutboxRecord.fetchAll($0) }

            // Watch the survivor until it owns every partition again; while its health says
            // partitions have no owner, note which (from /offsets) and what lag they carry.
            var unowned: (partitions: [Int32], lag: Int64)?
            var unhealthy: String?
            try await eventually("the survivor owns every partition", timeout: .seconds(120), every: .milliseconds(250)) {
                let health = await survivor.request("/health", timeout: 2)
                let text = String(decoding: health.body, as: UTF8.self)
                if health.status == 503, text.contains("no owner") {
                    unhealthy = unhealthy ?? text
                    if let offsets: OffsetsReport = try? await survivor.get(ProjectionEndpoints.offsets.path()),
                        let view = offsets.groupView, !view.unowned.isEmpty,
                        view.unownedLag > (unowned?.lag ?? -1)
                    {
                        unowned = (view.unowned, view.unownedLag)
                    }
                }
                let info: InstanceInfo = try await survivor.get("/instance")
                return Set(info.assignment) == Set(0..<6)
            }
            // The local broker left the dead member's partitions to nobody (the conformance suite
            // pins that): it must show, and heal.
            let dropped = Set(0..<6).subtracting(survivorShare)
            let reason = try #require(unhealthy, "/health never said that partitions \(dropped.sorted()) had no owner")
            let named = reason.components(separatedBy: "partition(s) ").dropFirst().first?.components(separatedBy: " of ").first ?? ""
            #expect(
                Set(named.components(separatedBy: ", ").compactMap { Int32($0) }) == dropped,
                "the dead member had \(dropped.sorted()): \(reason)")
            #expect(unowned.map { Set($0.partitions) == dropped } == true, "/offsets: \(String(describing: unowned))")
            #expect((unowned?.lag ?? 0) > 0, "/offsets counts the lag of the unowned partitions")
            let rejoins = try await survivor.get(ProjectionEndpoints.offsets.path(), as: OffsetsReport.self).rejoins
            #expect(rejoins >= 1, "the survivor rejoined its group to heal it")

            try await eventually("the survivor applies every event", timeout: .seconds(60)) {
                (try? await IndependentModel.appliedEvents(directories[0].appendingPathComponent("support.sqlite").path)) == outbox.count
            }
            let expected = IndependentModel.expected("support", try IndependentModel.events(outbox))
            let actual = try await IndependentModel.actual("support", path: directories[0].appendingPathComponent("support.sqlite").path)
            #expect(actual == expected, "\(IndependentModel.difference(expected: expected, actual: actual))")
            try await eventually("the survivor is healthy again", timeout: .seconds(30)) {
                await survivor.request("/health", timeout: 2).status == 200
            }
            try await survivor.terminate()
            print(
                "unowned partitions: after the freeze partitions \(unowned.map { $0.partitions.map(String.init).joined(separator: ",") } ?? "?") had no owner"
                    + " (their lag \(unowned.map { String($0.lag) } ?? "?")); /health said: \(reason); the survivor rejoined \(rejoins) time(s) and took them;"
                    + " \(outbox.count) events checked: 0 lost, 0 applied twice")
        }
    }
}
