import Foundation
import GRDB
import Orders
import TestSupport
import Testing

extension SystemTests {
    /// Decoupling, measured: the `orders` producer publishes at the same rate, with the same relay
    /// latency, whether the four consumer services are running or all dead.
    @Suite("Decoupling", .timeLimit(.minutes(3)))
    struct DecouplingTests {
        @Test("Killing every consumer leaves the orders publish rate and relay latency unchanged")
        func producerDoesNotCare() async throws {
            let kit = try await KafkaTestKit.make("decoupling")
            let topic = TestNames.unique("order-events")
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let ordersDirectory = try TestNames.temporaryDirectory("orders")
            let orders = try ChildConsumer.launch(
                .testOrders(
                    brokers: brokers, topic: topic, directory: ordersDirectory, logLevel: .error,
                    orders: .init(rate: 2, speed: 20, seed: UInt64.random(in: 1...1_000_000))))
            defer { if orders.isRunning { kill(orders.processIdentifier, SIGKILL) } }
            let ordersDB = ordersDirectory.appendingPathComponent("orders.sqlite").path
            var consumers: [(ServiceProcess, String)] = []
            for service in IndependentModel.services {
                let directory = try TestNames.temporaryDirectory(service)
                consumers.append(
                    (
                        try ServiceProcess(
                            .testConsumer(
                                service, brokers: brokers, topic: topic, group: TestNames.unique(service), directory: directory,
                                logLevel: .error)),
                        directory.appendingPathComponent("\(service).sqlite").path
                    ))
            }
            // Warm up until every consumer applies and the order flow is steady.
            try await eventually("every consumer applies events", timeout: .seconds(60)) {
                for (_, path) in consumers where (try? await IndependentModel.appliedEvents(path)) ?? 0 <= 0 { return false }
                return true
            }
            try await Task.sleep(for: .seconds(4))
            let window: TimeInterval = 8
            let appliedBefore = try await consumers.asyncMap { try await IndependentModel.appliedEvents($0.1) }
            let up = try await Self.measure(ordersDB, for: window)
            let appliedAfter = try await consumers.asyncMap { try await IndependentModel.appliedEvents($0.1) }
            #expect(zip(appliedBefore, appliedAfter).allSatisfy { $0 < $1 }, "the consumers were consuming while measured")
            for (process, _) in consumers { process.sigkill() }
            let down = try await Self.measure(ordersDB, for: window)
            kill(orders.processIdentifier, SIGTERM)

            let ratio = Double(down.published) / Double(up.published)
            #expect(up.published > 500, "enough events to compare: \(up.published)")
            // Coupled, the producer would slow down or stall when its consumers die. It may speed
            // up: on a 2-core machine the dead consumers' CPU goes to it.
            #expect(ratio >= 0.75, "published \(up.published) events with consumers up, \(down.published) with all down")
            #expect(
                down.p99LagMilliseconds <= max(2 * up.p99LagMilliseconds, 250),
                "relay p99 lag \(up.p99LagMilliseconds) ms up vs \(down.p99LagMilliseconds) ms down")
            print(
                "decoupling: \(up.published) events in \(Int(window)) s with 4 consumers up, \(down.published) with all 4 SIGKILLed (ratio \(String(format: "%.2f", ratio))); relay p99 lag \(up.p99LagMilliseconds) ms vs \(down.p99LagMilliseconds) ms"
            )
        }

        /// Events the outbox relay published in the next `seconds`, and the p99 of (sent − created).
        static func measure(_ path: String, for seconds: TimeInterval) async throws -> (published: Int, p99LagMilliseconds: Int) {
            let start = Date().timeIntervalSince1970
            try await Task.sleep(for: .seconds(seconds))
            let end = start + seconds
            let lags = try await IndependentModel.open(path).read { db in
                try Double.fetchAll(
                    db, sql: "SELECT sentAt - createdAt FROM outbox WHERE sentAt >= ? AND sentAt < ? ORDER BY 1", arguments: [start, end])
            }
            let p99 = lags.isEmpty ? 0 : lags[min(lags.count - 1, Int(Double(lags.count) * 0.99))]
            return (lags.count, Int(p99 * 1000))
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
