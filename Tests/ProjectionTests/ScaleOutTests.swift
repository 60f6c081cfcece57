import AnalyticsProjection
import Contract
import Foundation
import GRDB
import Kafka
import Operations
import OrderEvents
import Orders
import Outbox
import ProjectionServer
import ServiceAPI
import ServiceRuntime
import SupportProjection
import TestSupport
import Testing

extension SystemTests {
    /// Scale-out: two or three instances of a service share its consumer group. Partitions split;
    /// each instance keeps the partitions it owns; a query about one order is answered right by any
    /// instance (forwarded to the owner), and lists and aggregates are merged across instances.
    @Suite("Scale-out", .timeLimit(.minutes(6)))
    struct ScaleOutTests {
        @Test(
            "support ×3 and analytics ×2 in one group each: partitions split, every instance answers every query right; instances leave and join; nothing lost"
        )
        func scaleOut() async throws {
            let kit = try await KafkaTestKit.make("scale-out")
            let topic = try await OrderFlow.topic(kit, partitions: 6)
            let ordersDB = try OrdersDatabase(path: try ProjectionRunnerTests.temporaryPath("orders"))
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 60)

            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            func cluster(_ service: String, size: Int) throws -> (
                ports: [Int], start: (Int) throws -> ServiceProcess, database: (Int) -> String
            ) {
                let ports = try (0..<size).map { _ in try LocalPort.free() }
                let group = TestNames.unique(service)
                let directories = try (0..<size).map { try TestNames.temporaryDirectory("\(service)-\($0)") }
                let start = { (index: Int) throws -> ServiceProcess in
                    var launch = ServiceLaunch.testConsumer(
                        service, brokers: brokers, topic: topic, group: group, directory: directories[index], logLevel: .error,
                        peers: ports.indices.filter { $0 != index }.map { "http://127.0.0.1:\(ports[$0])" })
                    launch.httpPort = ports[index]
                    return try ServiceProcess(launch)
                }
                return (ports, start, { directories[$0].appendingPathComponent("\(service).sqlite").path })
            }
            let support = try cluster("support", size: 3)
            let analytics = try cluster("analytics", size: 2)
            var supports = [try support.start(0)]
            var analyticses = [try analytics.start(0)]
            try await Self.waitForSplit(supports, sizes: [6])
            supports.append(try support.start(1))
            supports.append(try support.start(2))
            analyticses.append(try analytics.start(1))
            // Range over 6 partitions: two each for three members, three each for two.
            try await Self.waitForSplit(supports, sizes: [2, 2, 2])
            try await Self.waitForSplit(analyticses, sizes: [3, 3])

            // More orders while the group is split.
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 40)
            var outbox = try await ordersDB.writer.read { try OutboxRecord.fetchAll($0) }
            #expect(
                outbox.allSatisfy { $0.partition == KafkaPartitioner.partition(forKey: $0.orderId, partitions: 6) },
                "routing computes the producer's partition")
            try await Self.checkQueries(supports, analyticses, outbox: outbox)

            // One support instance leaves cleanly, another is SIGKILLed: the survivor takes over.
            try await supports.removeLast().terminate()
            try await Self.waitForSplit(supports, sizes: [3, 3])
            try await OrderFlow.publish(kit, topic: topic, database: ordersDB, orders: 20)
            outbox = try await ordersDB.writer.read { try OutboxRecord.fetchAll($0) }
            try await Self.checkQueries(supports, analyticses, outbox: outbox)
            supports.removeLast().sigkill()
            try await Self.waitForSplit(supports, sizes: [6], timeout: .seconds(60))
            // And a third instance joins again, from the database it left behind.
            supports.append(try support.start(2))
            try await Self.waitForSplit(supports, sizes: [2, 4], exact: false)
            try await Self.checkQueries(supports, analyticses, outbox: outbox)

            // Back to one: the survivor's own database equals the independent model.
            try await supports.removeLast().terminate()
            try await Self.waitForSplit(supports, sizes: [6])
            try await eventually("support-0 catches up alone", timeout: .seconds(60)) {
                try await IndependentModel.appliedEvents(support.database(0)) == outbox.count
            }
            let expected = IndependentModel.expected("support", try IndependentModel.events(outbox))
            let actual = try await IndependentModel.actual("support", path: support.database(0))
            #expect(actual == expected, "\(IndependentModel.difference(expected: expected, actual: actual))")
            // analytics' statistics, published in Kafka transactions by two instances, whose partitions
            // moved when the second one joined.
            let statsTopic = Topics.named(Topics.orderStats, beside: topic)
            let expectedStats = try OrderStatsPublisherTests.expectedTotals(
                try await OrderStatsPublisherTests.orderEvents(kit, topic: topic))
            try await eventually("order-stats from two analytics instances holds every order's counts", timeout: .seconds(60)) {
                try await OrderStatsReader.totals(
                    topic: statsTopic, configuration: kit.configuration(clientID: "stats-reader"),
                    logger: TestLogging.logger("stats-reader"))
                    == expectedStats
            }
            for process in supports + analyticses { try await process.terminate() }
            print(
                "scale-out: \(outbox.count) events of \(Set(outbox.map(\.orderId)).count) orders; 3→2→1→2→1 support instances, 2 analytics instances; every instance answered every timeline, customer and summary query right"
            )
        }

        /// Waits until the instances' assignments have these sizes (in any order) and cover all six partitions.
        static func waitForSplit(_ instances: [ServiceProcess], sizes: [Int], exact: Bool = true, timeout: Duration = .seconds(45))
            async throws
        {
            try await eventually("assignments of \(instances.map(\.port)) become \(sizes)", timeout: timeout) {
                var owned: [[Int32]] = []
                for instance in instances {
                    guard let info: InstanceInfo = try? await instance.get("/instance") else { return false }
                    owned.append(info.assignment)
                }
                let all = owned.flatMap { $0 }
                return Set(all) == Set(0..<6) && all.count == 6 && (!exact || owned.map(\.count).sorted() == sizes.sorted())
            }
        }

        /// Every instance answers: timelines of sampled orders, a few customers' orders, the analytics summary.
        static func checkQueries(_ supports: [ServiceProcess], _ analyticses: [ServiceProcess], outbox: [OutboxRecord]) async throws {
            let orders = try IndependentModel.events(outbox)
            // Wait until the owners have applied everything (each answers for its partitions only).
            try await eventually("the group has applied every event", timeout: .seconds(60)) {
                var total: Int64 = 0
                for instance in supports {
                    guard let offsets: OffsetsReport = try? await instance.get(ProjectionEndpoints.offsets.path()) else { return false }
                    total += offsets.partitions.filter(\.assigned).compactMap(\.storedOffset).reduce(0, +)
                }
                return total == Int64(outbox.count)
            }
            for (id, events) in orders.shuffled().prefix(15) {
                for instance in supports {
                    let timeline: SupportAPI.Timeline = try await instance.get("/orders/\(id)/timeline")
                    #expect(timeline.events.map(\.type) == events.map(\.event.type.rawValue), "\(id) asked of \(instance.port)")
                    #expect(timeline.order.status == events.last!.event.order.status.rawValue)
                }
            }
            // Tracking streams are served by the owner of the order's partition; the others redirect
            // there, so every instance's URL gives the whole stream.
            let finished = orders.filter { $0.value.last!.event.type.resultingStatus.isTerminal }
            for (id, events) in finished.shuffled().prefix(5) {
                for instance in supports {
                    let (status, body) = await instance.request(TrackingEndpoints.updates.path(id), timeout: 20)
                    let updates = String(decoding: body, as: UTF8.self).components(separatedBy: "\n\n").filter { $0.hasPrefix("data: ") }
                        .map { try? JSONDecoder().decode(OrderUpdate.self, from: Data($0.dropFirst(6).utf8)) }
                    #expect(status == 200, "tracking \(id) asked of \(instance.port)")
                    #expect(updates.map { $0?.type } == events.map(\.event.type.rawValue), "tracking \(id) asked of \(instance.port)")
                }
            }
            for customer in Set(orders.values.map { $0[0].event.order.customer.id }).shuffled().prefix(5) {
                let expected = Set(orders.filter { $0.value[0].event.order.customer.id == customer }.keys)
                for instance in supports {
                    let page: Page<SupportAPI.OrderSummary> = try await instance.get("/customers/\(customer)/orders?limit=500")
                    #expect(
                        Set(page.items.map(\.orderId)) == expected && page.items.count == expected.count,
                        "\(customer) asked of \(instance.port)")
                }
            }
            try await eventually("analytics instances have applied every event", timeout: .seconds(60)) {
                guard let summary: AnalyticsAPI.Summary = try? await analyticses[0].get("/summary") else { return false }
                return summary.orders == orders.count
            }
            let delivered = orders.values.filter { $0.last!.event.order.status == .delivered }.count
            let cancelled = orders.values.filter { $0.last!.event.order.status == .cancelled }.count
            for instance in analyticses {
                let summary: AnalyticsAPI.Summary = try await instance.get("/summary")
                #expect(
                    summary.orders == orders.count && summary.delivered == delivered && summary.cancelled == cancelled,
                    "summary asked of \(instance.port)")
                #expect(summary.funnel.first?.orders == orders.count)
            }
        }
    }
}
