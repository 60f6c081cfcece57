import ArgumentParser
import Contract
import Foundation
import Kafka
import OrderEvents
import Orders
import ServiceAPI
import ServiceRuntime
import SimulationControl

/// `POST /orders` under a load generator: `orders` runs as a release process, Debian's `wrk` sends
/// valid orders over many connections, and afterwards the order-event topic says whether every
/// order that was acknowledged (201) was published, and published once.
struct OrdersLoadBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders-load",
        abstract: "POST /orders under wrk: orders/s and latency, and every acknowledged order published exactly once."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Seconds of load.") var seconds = 20
    @Option(help: "Open connections.") var connections = 64
    @Option(help: "wrk's threads.") var threads = 2
    @Option(help: "The load generator (Debian's wrk; scripts/setup.sh --for-bench installs it).") var wrk = "/usr/bin/wrk"
    @Option(help: "Where to write the Markdown report.") var out = "bench/ORDERS-LOAD.md"

    /// The goal of the orders load benchmark.
    static let goalRate = 5_000.0
    static let goalP99Milliseconds = 25.0

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: wrk) else {
            throw BenchError("\(wrk) is missing: run scripts/setup.sh --for-bench (it installs wrk), or give --wrk")
        }
        try await broker.withKafka(clientID: "fooddelivery-bench") { configuration, local in
            try await BenchStage.with(name: "orders-load", configuration: configuration, local: local != nil) { stage in
                let (topic, directory) = (stage.topic, stage.directory)
                // orders with no simulated customers: every order comes over HTTP. Choreographed, so
                // orders publishes each order's creation and its placing (a customer's step) and then
                // waits for kitchens that this benchmark does not run.
                let orders = try await stage.launch("orders") { launch in
                    launch.orders = .init(rate: 1, speed: 10, maxOrders: 0, output: "quiet", steps: "choreographed", profile: stage.profile)
                }
                let (pid, port, log) = (orders.pid, orders.port, orders.log)

                let script = "\(directory)/post-orders.lua"
                let acknowledged = "\(directory)/acknowledged.txt"
                /// The load, then the drain: every order placed and its events relayed.
                func measure() async throws -> (summary: Summary, cpu: CPU, stats: OrdersEndpoints.Stats) {
                    try Self.script(bodies: try Self.bodies()).write(toFile: script, atomically: true, encoding: .utf8)
                    OutputLine.write("orders-load: wrk -t\(threads) -c\(connections) -d\(seconds)s POST /orders on \(topic)")
                    // CPU used during the load by each process on the machine that takes part in it.
                    let brokerPID = local?.brokerPID
                    let before = CPU(
                        orders: ProcessCPU.seconds(pid), broker: brokerPID.flatMap(ProcessCPU.seconds), wrk: ProcessCPU.endedChildren())
                    let output = try MeasuringTool(name: "wrk", executable: wrk).output(
                        [
                            "-t\(threads)", "-c\(connections)", "-d\(seconds)s", "--timeout", "10s", "-s", script,
                            "http://127.0.0.1:\(port)\(OrdersEndpoints.placeOrder.path())",
                        ],
                        environment: [Self.acknowledgedVariable: acknowledged])
                    guard let line = output.split(separator: "\n").last(where: { $0.hasPrefix(Self.summaryPrefix) }) else {
                        throw BenchError("wrk printed no summary:\n\(output.suffix(1500))")
                    }
                    let summary = try JSONDecoder().decode(Summary.self, from: Data(line.dropFirst(Self.summaryPrefix.count).utf8))
                    let cpu = CPU(
                        orders: ProcessCPU.seconds(pid).flatMap { now in before.orders.map { now - $0 } },
                        broker: brokerPID.flatMap(ProcessCPU.seconds).flatMap { now in before.broker.map { now - $0 } },
                        wrk: ProcessCPU.endedChildren() - before.wrk)
                    let client = ServiceClient(port: port)
                    let deadline = ContinuousClock.now + .seconds(120)
                    var stats: OrdersEndpoints.Stats = try await client.get(OrdersEndpoints.stats)
                    while stats.published < stats.events || (stats.waiting[OrderStatus.created.rawValue] ?? 0) > 0 {
                        guard ContinuousClock.now < deadline else {
                            throw BenchError(
                                "orders did not place and publish every order within 120 s of the load: \(stats.published) of \(stats.events) events published, \(stats.waiting[OrderStatus.created.rawValue] ?? 0) orders not placed"
                            )
                        }
                        try await Task.sleep(for: .milliseconds(500))
                        stats = try await client.get(OrdersEndpoints.stats)
                    }
                    return (summary, cpu, stats)
                }
                let (summary, cpu, stats): (Summary, CPU, OrdersEndpoints.Stats)
                do {
                    (summary, cpu, stats) = try await measure()
                } catch {
                    await ServiceLauncher.stop(pid)
                    // The directory (and the log in it) goes when this returns: keep its end here.
                    let tail = (try? String(contentsOfFile: log, encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
                    throw BenchError("orders-load: \(error)\nthe end of orders' log:\n\(tail)")
                }
                await ServiceLauncher.stop(pid)
                let ids = try String(contentsOfFile: acknowledged, encoding: .utf8).split(separator: "\n").map {
                    String($0.dropFirst(OrdersEndpoints.order.path("").count))
                }
                let records = try await KafkaConsumer.readToEnd(topic: topic, configuration: configuration, logger: .init(label: "bench"))
                let events = records.compactMap { try? OrderEventCodec.decode($0.value) }
                guard events.count == records.count else {
                    throw BenchError(
                        "\(records.count - events.count) of \(records.count) records on \(topic) do not decode as order events")
                }
                let check = Check(events, acknowledged: ids)

                let rate = Double(summary.created) / summary.seconds
                // Each process's CPU per acknowledged order, and the rate that this machine's cores
                // would allow if they did nothing else.
                let cores = Double(ProcessInfo.processInfo.activeProcessorCount)
                func perOrder(_ seconds: Double?) -> String {
                    seconds.map { String(format: "%.3f", $0 / Double(max(summary.created, 1)) * 1000) } ?? "–"
                }
                let totalCPU = [cpu.orders, cpu.broker, cpu.wrk].compactMap { $0 }.reduce(0, +)
                let ceiling = totalCPU > 0 ? cores * Double(summary.created) / totalCPU : 0
                let met = rate >= Self.goalRate && summary.p99 <= Self.goalP99Milliseconds
                let lines = [
                    "# POST /orders under load (\(ISO8601DateFormatter().string(from: Date())))", "",
                    "- broker: \(local == nil ? stage.brokers : "local Tansu 0.6.0 (memory storage)"); `orders` as a release process (`--static-swift-stdlib`), its simulator placing no orders of its own",
                    "- load: `wrk -t\(threads) -c\(connections) -d\(seconds)s`, a Lua script sending valid orders (bodies from the city's menus) and keeping each 201's `Location`; wrk, `orders` and the broker share this machine's \(ProcessInfo.processInfo.activeProcessorCount) cores",
                    "- goal: at least \(Int(Self.goalRate)) orders/s with p99 ≤ \(Int(Self.goalP99Milliseconds)) ms, every acknowledged order published exactly once",
                    "",
                    "| | measured |",
                    "|---|---:|",
                    "| requests | \(summary.requests) |",
                    "| acknowledged (201) | \(summary.created) |",
                    "| errors (connect / read / write / status / timeout) | \(summary.connectErrors) / \(summary.readErrors) / \(summary.writeErrors) / \(summary.statusErrors) / \(summary.timeouts) |",
                    "| acknowledged orders/s | \(Int(rate.rounded())) |",
                    "| latency p50 / p99 / p99.9 / max (ms) | \(String(format: "%.1f / %.1f / %.1f / %.1f", summary.p50, summary.p99, summary.p999, summary.max)) |",
                    "| orders in `orders`' ledger (the acknowledged, and those in flight when wrk stopped) / events published | \(stats.orders) / \(stats.published) of \(stats.events) |",
                    "| acknowledged orders published once / never / more than once | \(check.once) / \(check.missing) / \(check.doubled) |",
                    "| events published more than once (same order and sequence) | \(check.repeatedEvents) |",
                    "| CPU ms per acknowledged order: `orders` / broker / wrk | \(perOrder(cpu.orders)) / \(perOrder(cpu.broker)) / \(perOrder(cpu.wrk)) |",
                    "| the bound: \(Int(cores)) cores ÷ CPU per order (all three) | \(Int(ceiling.rounded())) orders/s |",
                    "| goal met | \(met && check.exact ? "yes" : "no") |",
                    "",
                ]
                let markdown = lines.joined(separator: "\n")
                try BenchReport.write(markdown, to: out)
                OutputLine.write(
                    "orders-load: \(Int(rate.rounded())) orders/s acknowledged, p99 \(String(format: "%.1f", summary.p99)) ms; published once \(check.once) of \(ids.count), never \(check.missing), twice or more \(check.doubled)"
                )
                guard check.exact else {
                    throw BenchError(
                        "acknowledged orders not published exactly once: \(check.missing) never, \(check.doubled) more than once")
                }
            }
        }
    }

    /// What the script's `done()` prints, on one line after `summaryPrefix`.
    struct Summary: Decodable {
        var requests: Int
        var created: Int
        var seconds: Double
        var p50: Double
        var p99: Double
        var p999: Double
        var max: Double
        var connectErrors: Int
        var readErrors: Int
        var writeErrors: Int
        var statusErrors: Int
        var timeouts: Int
    }

    static let summaryPrefix = "orders-load-summary "
    /// Where the script writes the acknowledged orders' locations.
    static let acknowledgedVariable = "ORDERS_LOAD_ACKNOWLEDGED"

    /// CPU seconds of each process that takes part in the load.
    struct CPU {
        var orders: Double?
        var broker: Double?
        var wrk: Double
    }

    /// The published events against the acknowledged orders.
    struct Check {
        var once = 0
        var missing = 0
        var doubled = 0
        var repeatedEvents = 0
        var exact: Bool { missing == 0 && doubled == 0 && repeatedEvents == 0 }

        init(_ events: [OrderEvent], acknowledged: [String]) {
            var created: [String: Int] = [:]
            var seen: Set<String> = []
            for event in events {
                if event.type == .created { created[event.orderID, default: 0] += 1 }
                if !seen.insert("\(event.orderID)#\(event.sequence)").inserted { repeatedEvents += 1 }
            }
            for id in acknowledged {
                switch created[id] ?? 0 {
                case 0: missing += 1
                case 1: once += 1
                default: doubled += 1
                }
            }
        }
    }

    /// Valid orders, one per restaurant of the default city: its first customers and dishes.
    static func bodies() throws -> [String] {
        var random = SystemRandomNumberGenerator()  // ids and menus do not depend on it
        let city = City(City.Configuration(), using: &random)
        let encoder = JSONEncoder()
        return try city.restaurants.enumerated().map { index, restaurant in
            let order = OrdersEndpoints.PlaceOrder(
                customerId: city.customers[index % city.customers.count].customer.id, restaurantId: restaurant.info.id,
                items: restaurant.menu.prefix(2).map { .init(sku: $0.sku, quantity: 1 + index % 3) })
            return String(decoding: try encoder.encode(order), as: UTF8.self)
        }
    }

    /// wrk's script: POSTs the bodies in turn; keeps each 201's `Location` per thread; at the end
    /// writes them all to `$ORDERS_LOAD_ACKNOWLEDGED` and prints the summary as JSON.
    static func script(bodies: [String]) -> String {
        """
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        local bodies = {
        \(bodies.map { "  [==[\($0)]==]," }.joined(separator: "\n"))
        }
        local threads = {}
        function setup(thread) table.insert(threads, thread) end
        function init(args) sent = 0; created = 0; ids = {} end
        function request()
          sent = sent + 1
          return wrk.format(nil, nil, nil, bodies[sent % #bodies + 1])
        end
        function response(status, headers, body)
          if status == 201 then
            created = created + 1
            ids[created] = headers["Location"] or headers["location"]
          end
        end
        function done(summary, latency, requests)
          local file = assert(io.open(os.getenv("\(acknowledgedVariable)"), "w"))
          local total = 0
          for _, thread in ipairs(threads) do
            local count, ids = thread:get("created"), thread:get("ids")
            for i = 1, count do file:write(ids[i], "\\n") end
            total = total + count
          end
          file:close()
          local e = summary.errors
          io.write(string.format('\(summaryPrefix){"requests":%d,"created":%d,"seconds":%f,"p50":%f,"p99":%f,"p999":%f,"max":%f,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,"statusErrors":%d,"timeouts":%d}\\n',
            summary.requests, total, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
            latency:percentile(99.9) / 1000, latency.max / 1000, e.connect, e.read, e.write, e.status, e.timeout))
        end

        """
    }
}
