import Choreography
import Contract
import Foundation
import Kafka
import OrderEvents
import ServiceAPI
import ServiceRuntime
import SimulationControl

/// Choreography with a participant down: `orders`, `restaurants` and `delivery` run as real
/// processes; `restaurants` is SIGKILLed while orders keep coming. Placed orders wait (nothing is
/// accepted: nobody decides), and after the restart every waiting order is decided exactly once,
/// each kitchen's orders in the order they were placed.
package struct SagaScenario: Scenario {
    package let name = "saga"
    package let concept: KafkaConcept? = nil
    package let summary =
        "kill restaurants while orders flow: placed orders wait and nothing is accepted; restart it: every waiting order is decided exactly once, in order per restaurant"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = kafka.freshName("saga") + "." + Topics.orderEvents
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(kafka.freshName("saga")).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let brokers = kafka.configuration.bootstrapServers.joined(separator: ",")
        let (speed, seed): (Double, UInt64) = (5, 7)
        func launch(_ service: String) async throws -> (pid: Int32, port: Int) {
            let port = try LocalPort.free()
            var launch = ServiceLaunch(
                service: service, brokers: brokers, dataDir: "\(directory)/\(service)", topic: topic, httpPort: port, logLevel: .error)
            if service == ServiceNames.orders {
                launch.orders = .init(
                    rate: 1, speed: speed, seed: seed, output: "quiet", partitions: 3, steps: "choreographed", profile: .local)
            } else {
                launch.consumer = .init(instanceID: "\(service)-1", profile: .local, speed: speed, seed: seed)
            }
            let log = "\(directory)/\(service).log"
            let pid = try ServiceLauncher.launch(launch, log: log)
            try await ServiceLauncher.waitUntilServing(pid: pid, port: port, name: service, log: log)
            return (pid, port)
        }
        var running: [String: Int32] = [:]
        defer {
            for pid in running.values where SimulationRun.isAlive(pid) {
                kill(pid, SIGKILL)
                ServiceLauncher.reap(pid)
            }
        }
        let orders = try await launch(ServiceNames.orders)
        running[ServiceNames.orders] = orders.pid
        running[ServiceNames.restaurants] = try await launch(ServiceNames.restaurants).pid
        running[ServiceNames.delivery] = try await launch(ServiceNames.delivery).pid
        let client = ServiceClient(port: orders.port)
        func stats() async throws -> OrdersEndpoints.Stats { try await client.get(OrdersEndpoints.stats) }
        func accepted() async throws -> Int { try await stats().publishedByType[OrderEventType.acceptedByRestaurant.rawValue, default: 0] }
        kafka.say("orders (1 order per simulated second, speed \(speed)), restaurants and delivery run on \(topic) and its neighbours")

        let flowing = ContinuousClock.now
        while try await stats().publishedByType[OrderEventType.delivered.rawValue, default: 0] < 3 {
            guard ContinuousClock.now - flowing < .seconds(90) else {
                return ScenarioVerdict(passed: false, evidence: "no order was delivered within 90 s of the start")
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        kafka.say("orders are being delivered: \(try await stats().publishedByType[OrderEventType.delivered.rawValue, default: 0]) so far")

        kill(running[ServiceNames.restaurants]!, SIGKILL)
        ServiceLauncher.reap(running[ServiceNames.restaurants]!)
        kafka.say("SIGKILL restaurants; orders keep coming")
        try await Task.sleep(for: .seconds(3))  // decisions already on their way are taken
        let acceptedBefore = try await accepted()
        var placed: [Int] = []
        for _ in 0..<10 {
            placed.append(try await stats().waiting[OrderStatus.placed.rawValue, default: 0])
            try await Task.sleep(for: .seconds(1))
        }
        let acceptedDuring = try await accepted() - acceptedBefore
        kafka.say(
            "orders waiting in placed, second by second: \(placed.map(String.init).joined(separator: " → ")); accepted meanwhile: \(acceptedDuring)"
        )

        running[ServiceNames.restaurants] = try await launch(ServiceNames.restaurants).pid
        kafka.say("restaurants restarted")
        let restart = ContinuousClock.now
        var drained: Duration?
        while ContinuousClock.now - restart < .seconds(60) {
            if try await stats().waiting[OrderStatus.placed.rawValue, default: 0] <= 2 {
                drained = ContinuousClock.now - restart
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        kafka.say(
            "orders waiting in placed after the restart: \(try await stats().waiting[OrderStatus.placed.rawValue, default: 0])\(drained.map { " (back to normal in \($0))" } ?? "")"
        )

        // What the kitchens decided, from the topics themselves: orders stops placing, the kitchens
        // decide what is left, and both topics are read to their ends.
        await ServiceLauncher.stop(running.removeValue(forKey: ServiceNames.orders)!)
        var kitchenOrders: [FlowMessage] = []
        var decided: [String: [FlowMessage]] = [:]
        var undecided: [String] = []
        let reading = ContinuousClock.now
        repeat {
            kitchenOrders = try await readAll(FlowMessageType.Topic.kitchenOrders.name(beside: topic), kafka)
            decided = Dictionary(
                grouping: try await readAll(FlowMessageType.Topic.restaurantEvents.name(beside: topic), kafka)
                    .filter { $0.type == .orderAccepted || $0.type == .orderRejected }, by: \.orderId)
            let cancelledEarly = Set(kitchenOrders.filter { $0.type == .kitchenOrderCancelled }.map(\.orderId))
            undecided = kitchenOrders.filter {
                $0.type == .kitchenOrderPlaced && decided[$0.orderId] == nil && !cancelledEarly.contains($0.orderId)
            }
            .map(\.orderId)
        } while !undecided.isEmpty && ContinuousClock.now - reading < .seconds(30)
        let placedOrders = kitchenOrders.filter { $0.type == .kitchenOrderPlaced }
        let twice = decided.filter { Set($0.value.map(\.sequence)).count > 1 }.keys.sorted()
        // Per kitchen, decisions must come in the order its orders were placed (its partition's order).
        var outOfOrder: [String] = []
        for (restaurant, tickets) in Dictionary(grouping: placedOrders, by: { $0.restaurant!.id }) {
            let times = tickets.compactMap { decided[$0.orderId]?.first?.occurredAt }
            if zip(times, times.dropFirst()).contains(where: { $0 > $1 }) { outOfOrder.append(restaurant) }
        }
        kafka.say(
            "\(placedOrders.count) orders reached the kitchens; \(decided.count) decided, \(twice.count) decided twice, \(undecided.count) undecided, kitchens out of order: \(outOfOrder.count)"
        )
        for service in [ServiceNames.delivery, ServiceNames.restaurants] {
            if let pid = running[service] { await ServiceLauncher.stop(pid) }
        }
        running.removeAll()
        let piledUp = (placed.last ?? 0) > (placed.first ?? 0)
        let passed = acceptedDuring == 0 && piledUp && drained != nil && twice.isEmpty && undecided.isEmpty && outOfOrder.isEmpty
        return ScenarioVerdict(
            passed: passed,
            evidence:
                "while restaurants was down, placed orders went \(placed.first ?? 0) → \(placed.last ?? 0) and \(acceptedDuring) were accepted; after the restart every one of \(placedOrders.count) was decided once (\(twice.count) twice, \(undecided.count) never), each kitchen in order (\(outOfOrder.count) not)"
        )
    }

    /// Every message of `topic` so far.
    private func readAll(_ topic: String, _ kafka: ScenarioKafka) async throws -> [FlowMessage] {
        try await KafkaConsumer.readToEnd(topic: topic, configuration: kafka.configuration, logger: kafka.logger).compactMap {
            try? FlowMessage.decode($0.value)
        }
    }
}
