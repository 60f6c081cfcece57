import ArgumentParser
import Contract
import Foundation
import Kafka
import OrderEvents
import ServiceAPI
import ServiceRuntime
import SimulationControl

/// Latency through the choreography at a steady rate: `orders`, `restaurants` and `delivery` run
/// as release processes; afterwards the order-event topic says, per order, how long each round trip
/// through the services took (the times are `orders`' own, on one machine's clock).
struct ChoreographyBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "choreography",
        abstract: "Order placed → accepted → delivered latency through orders, restaurants and delivery at a steady rate."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Orders per real second.") var rate = 5.0
    @Option(help: "Seconds of orders.") var seconds = 60
    @Option(help: "Simulated seconds per real second (scales the kitchens' and couriers' delays).") var speed = 10.0
    @Option(help: "Seconds at the start left out (orders' own group joins, the services warm up).") var warmUp = 5
    @Option(help: "Where to write the Markdown report.") var out = "bench/CHOREOGRAPHY.md"

    func run() async throws {
        try await broker.withKafka(clientID: "fooddelivery-bench") { configuration, local in
            try await BenchStage.with(name: "choreography", configuration: configuration, local: local != nil) { stage in
                let topic = stage.topic
                let total = Int(rate * Double(seconds))
                var pids: [String: Int32] = [:]
                // The deciders first, each in its group, so orders meets a running flow.
                for service in ["restaurants", "delivery", "orders"] {
                    let running = try await stage.launch(service) { launch in
                        if service == "orders" {
                            launch.orders = .init(
                                rate: rate / speed, speed: speed, maxOrders: total, output: "quiet", exitWhenPublished: true,
                                steps: "choreographed", profile: stage.profile)
                        } else {
                            launch.consumer = .init(instanceID: "\(service)-1", profile: stage.profile, speed: speed)
                        }
                    }
                    pids[service] = running.pid
                    guard service != "orders" else { continue }
                    let ready = ContinuousClock.now
                    while ContinuousClock.now - ready < .seconds(60) {
                        let report: DecisionsReport? = try? await ServiceClient(port: running.port).get(DecisionEndpoints.decisions)
                        if let report, report.inputs.allSatisfy({ $0.lag != nil }) { break }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                }
                OutputLine.write("choreography: \(total) orders at \(rate)/s, speed \(speed), on \(topic)")
                let deadline = ContinuousClock.now + .seconds(seconds * 3 + 180)
                while SimulationRun.isAlive(pids["orders"]!), ContinuousClock.now < deadline { try await Task.sleep(for: .seconds(1)) }
                for pid in pids.values { await ServiceLauncher.stop(pid) }

                let events = try await KafkaConsumer.readToEnd(topic: topic, configuration: configuration, logger: .init(label: "bench"))
                    .compactMap { try? OrderEventCodec.decode($0.value) }
                var byOrder: [String: [OrderEventType: Date]] = [:]
                for event in events {
                    byOrder[event.orderID, default: [:]][event.type] = byOrder[event.orderID]?[event.type] ?? event.occurredAt
                }
                let start = byOrder.values.compactMap { $0[.created] }.min() ?? Date()
                byOrder = byOrder.filter { ($0.value[.created] ?? start) >= start.addingTimeInterval(Double(warmUp)) }
                func spans(_ from: OrderEventType, _ to: OrderEventType) -> [Double] {
                    byOrder.values.compactMap { steps in
                        guard let start = steps[from], let end = steps[to] else { return nil }
                        return end.timeIntervalSince(start) * 1000
                    }.sorted()
                }
                var lines = [
                    "# Choreography latency (\(ISO8601DateFormatter().string(from: Date())))", "",
                    "- broker: \(local == nil ? stage.brokers : "local Tansu 0.6.0 (memory storage)")",
                    "- \(total) orders at \(rate) orders/s for \(seconds) s; `--speed \(speed)`; the \(byOrder.count) orders created after the first \(warmUp) s are measured",
                    "- times are `orders`' own (`occurredAt` of its canonical events), so each span is a round trip through Kafka and another service, on one clock",
                    "",
                    "| span | what it crosses | orders | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |",
                    "|---|---|---:|---:|---:|---:|---:|",
                ]
                let rows: [(OrderEventType, OrderEventType, String)] = [
                    (
                        .placedWithRestaurant, .acceptedByRestaurant,
                        "kitchen-orders → restaurants → restaurant-events → orders (no simulated delay)"
                    ),
                    (
                        .readyForPickup, .courierAssigned,
                        "courier-requests → delivery → delivery-events → orders (plus the wait for a free courier: 6 per region)"
                    ),
                    (.placedWithRestaurant, .delivered, "the whole order, simulated kitchen and courier delays included"),
                ]
                for (from, to, crossing) in rows {
                    let samples = spans(from, to)
                    func percentile(_ p: Double) -> String {
                        samples.isEmpty ? "–" : String(format: "%.1f", samples[min(samples.count - 1, Int(Double(samples.count) * p))])
                    }
                    let label = "\(from.rawValue) → \(to.rawValue)"
                    OutputLine.write("\(label): p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms over \(samples.count) orders")
                    lines.append(
                        "| \(label) | \(crossing) | \(samples.count) | \(percentile(0.5)) | \(percentile(0.99)) | \(percentile(0.999)) | \(samples.last.map { String(format: "%.1f", $0) } ?? "–") |"
                    )
                }
                let markdown = lines.joined(separator: "\n") + "\n"
                try BenchReport.write(markdown, to: out)
            }
        }
    }
}
