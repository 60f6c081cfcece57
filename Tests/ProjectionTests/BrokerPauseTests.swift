import Foundation
import GRDB
import Kafka
import Orders
import Outbox
import ServiceHTTPClient
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// A broker that stops answering without closing anything (SIGSTOP: the process is frozen, its
    /// sockets stay open) is the failure a consumer cannot see in any error: fetches just never
    /// return. All five services run as real processes against this test's own broker, which is
    /// frozen for 30 s while orders keep being taken. Each service must stay up, say so on
    /// `/health` (503, naming the silent broker), recover by itself, and end with every event
    /// applied exactly once.
    @Suite("Broker paused (SIGSTOP) for 30 s", .timeLimit(.minutes(6)))
    struct BrokerPauseTests {
        static let pause = Duration.seconds(30)

        @Test("Every service stays up, reports unhealthy while the broker is silent, recovers, and loses nothing")
        func pauseAndResume() async throws {
            try await KafkaTestKit.withDedicatedBroker("broker-pause") { kit, tansu in try await pauseAndResume(kit, tansu: tansu) }
        }

        private func pauseAndResume(_ kit: KafkaTestKit, tansu: Int32) async throws {
            let topic = try await OrderFlow.topic(kit, partitions: 6)
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")

            // orders: ~150 orders over about a minute of real time, so they keep coming before, during and after the pause.
            let ordersDirectory = try TestNames.temporaryDirectory("pause-orders")
            let ordersPort = try LocalPort.free()
            let orders = try ChildConsumer.launch(
                .testOrders(
                    brokers: brokers, topic: topic, directory: ordersDirectory, httpPort: ordersPort,
                    orders: .init(rate: 0.8, speed: 3, seed: UInt64.random(in: 1...1_000_000), maxOrders: 150)))
            defer { if orders.isRunning { kill(orders.processIdentifier, SIGKILL) } }
            let ordersHealth = HealthProbe(name: "orders", port: ordersPort)

            let suffix = TestNames.unique("g")
            var consumers: [(process: ServiceProcess, database: String)] = []
            for service in IndependentModel.services {
                let directory = try TestNames.temporaryDirectory(service)
                let process = try ServiceProcess(
                    .testConsumer(service, brokers: brokers, topic: topic, group: "\(service)-\(suffix)", directory: directory))
                consumers.append((process, directory.appendingPathComponent("\(service).sqlite").path))
            }
            let probes = [ordersHealth] + consumers.map { HealthProbe(name: $0.process.service, port: $0.process.port) }

            // Before: everyone healthy and consuming.
            for consumer in consumers {
                try await eventually("\(consumer.process.service) applies events", timeout: .seconds(60)) {
                    (try? await IndependentModel.appliedEvents(consumer.database)) ?? 0 > 0
                }
            }
            for probe in probes {
                try await eventually("\(probe.name) is healthy before the pause", timeout: .seconds(30)) { await probe.status() == 200 }
            }

            // Freeze the broker.
            let frozenAt = ContinuousClock.now
            kill(tansu, SIGSTOP)
            var unhealthyAfter: [String: Duration] = [:]
            var reasons: [String: String] = [:]
            while ContinuousClock.now - frozenAt < Self.pause {
                for probe in probes where unhealthyAfter[probe.name] == nil {
                    let (status, body) = await probe.health()
                    if status == 503 {
                        unhealthyAfter[probe.name] = ContinuousClock.now - frozenAt
                        reasons[probe.name] = body
                    }
                }
                try await Task.sleep(for: .milliseconds(500))
            }
            let stillRunning = [orders.isRunning] + consumers.map(\.process.isRunning)
            // Liveness is not readiness: a process waiting out a broker outage must not be restarted.
            for probe in probes {
                #expect(await probe.get("/live").status == 200, "\(probe.name) /live during the pause")
            }
            kill(tansu, SIGCONT)
            let resumedAt = ContinuousClock.now

            #expect(stillRunning.allSatisfy { $0 }, "a service exited while the broker was paused")
            for probe in probes {
                #expect(unhealthyAfter[probe.name] != nil, "\(probe.name) never reported unhealthy during a \(Self.pause) broker pause")
            }
            for (name, reason) in reasons.sorted(by: { $0.key < $1.key }) where name != "orders" {
                #expect(reason.contains("has not answered"), "\(name)'s /health does not name the silent broker: \(reason)")
            }

            // After: healthy again by themselves, and every event applied exactly once.
            var healthyAfter: [String: Duration] = [:]
            for probe in probes {
                try await eventually("\(probe.name) is healthy again after the broker resumed", timeout: .seconds(60)) {
                    await probe.status() == 200
                }
                healthyAfter[probe.name] = ContinuousClock.now - resumedAt
            }
            let ordersDatabase = try OrdersDatabase(path: ordersDirectory.appendingPathComponent("orders.sqlite").path)
            try await eventually("orders has taken and published all 150 orders", timeout: .seconds(120)) {
                try await ordersDatabase.writer.read { db in
                    let finished = try Int.fetchOne(
                        db, sql: #"SELECT COUNT(*) FROM "order" WHERE status IN ('delivered','rejected','cancelled','delivery_failed')"#)
                    let unsent = try OutboxRecord.filter(OutboxRecord.Columns.sentAt == nil).fetchCount(db)
                    return finished == 150 && unsent == 0
                }
            }
            let outbox = try await ordersDatabase.writer.read { try OutboxRecord.fetchAll($0) }
            let model = try IndependentModel.events(outbox)
            for consumer in consumers {
                let service = consumer.process.service
                try await eventually("\(service) catches up with every event", timeout: .seconds(60)) {
                    (try? await IndependentModel.appliedEvents(consumer.database)) == outbox.count
                }
                let expected = IndependentModel.expected(service, model)
                let actual = try await IndependentModel.actual(service, path: consumer.database)
                #expect(actual == expected, "\(service): \(IndependentModel.difference(expected: expected, actual: actual))")
                try await consumer.process.terminate()
            }
            kill(orders.processIdentifier, SIGTERM)

            func seconds(_ duration: Duration?) -> String { duration.map { String(format: "%.1f s", $0.seconds) } ?? "never" }
            print(
                "broker paused (SIGSTOP) for \(Self.pause): all 5 services stayed up; unhealthy after "
                    + probes.map { "\($0.name) \(seconds(unhealthyAfter[$0.name]))" }.joined(separator: ", ")
                    + "; healthy again " + probes.map { "\($0.name) \(seconds(healthyAfter[$0.name]))" }.joined(separator: ", ")
                    + " after the resume; \(model.count) orders, \(outbox.count) events checked in each of 4 projections: 0 lost, 0 applied twice"
            )
        }
    }
}

/// `/health` of a service on a local port.
private struct HealthProbe: Sendable {
    let name: String
    let port: Int

    func health() async -> (status: Int, body: String) { await get("/health") }

    func get(_ path: String) async -> (status: Int, body: String) {
        guard let answer = try? await ServiceHTTPRequest("http://127.0.0.1:\(port)\(path)", timeout: .seconds(2)).send() else {
            return (0, "")
        }
        return (answer.status, answer.text)
    }

    func status() async -> Int { await health().status }
}
