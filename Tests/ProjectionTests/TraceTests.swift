import Contract
import Foundation
import OrderEvents
import ServiceAPI
import ServiceHTTPClient
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// One order's trace across every service it passes through, exported by the services
    /// themselves over OTLP to a stand-in collector.
    @Suite("One trace per order", .timeLimit(.minutes(4)))
    struct TraceTests {
        @Test(
            "An order placed with a traceparent is one trace: orders' request and publishes, and each service's process and apply/decide spans, linked parent to child"
        )
        func oneOrderOneTrace() async throws {
            let kit = try await KafkaTestKit.make("traces")
            let topic = try await OrderFlow.topic(kit, partitions: 3)
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let directory = try TestNames.temporaryDirectory("traces")
            let collector = OTLPTraceReceiver()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await collector.run() }
                defer { group.cancelAll() }
                let environment = try await collector.environment()
                let orders = try ServiceProcess(
                    .testOrders(
                        brokers: brokers, topic: topic, directory: directory, httpPort: nil,
                        // The simulator's customers wait: only the order placed here is traced.
                        orders: .init(rate: 0.001, speed: 5, partitions: 3, steps: "choreographed")),
                    environment: environment)
                var consumers: [String: ServiceProcess] = [:]
                for service in ["restaurants", "delivery", "support", "analytics"] {
                    var launch = ServiceLaunch.testConsumer(
                        service, brokers: brokers, topic: topic, group: TestNames.unique(service), directory: directory)
                    launch.consumer?.speed = 5
                    consumers[service] = try ServiceProcess(launch, environment: environment)
                }
                for process in [orders] + consumers.values { try await process.waitUntilServing(timeout: .seconds(60)) }

                let traceID = "5c0ffee0d15ea5e5a11ce0fb0b0ca7e5"
                let callerSpan = "00f067aa0ba902b7"
                let placed = try await ServiceHTTPRequest(
                    orders.baseURL + OrdersEndpoints.placeOrder.path(), method: "POST",
                    headers: [(EventHeaders.traceparent, "00-\(traceID)-\(callerSpan)-01")],
                    body: Data(#"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":1}]}"#.utf8),
                    timeout: .seconds(10)
                ).send()
                #expect(placed.status == 201, "\(placed.text)")
                let order = try ServiceProcess.decoder.decode(OrdersEndpoints.OrderView.self, from: placed.data).orderId

                var final: OrdersEndpoints.OrderView?
                try await eventually("order \(order) reaches its end", timeout: .seconds(120)) {
                    final = try? await orders.get(OrdersEndpoints.order.path(order))
                    return final.map { $0.status.isTerminal && $0.events.allSatisfy(\.published) } ?? false
                }
                let steps = final?.events.count ?? 0
                // Every service has exported the spans of the order's last event.
                func trace() -> [OTLPTraceReceiver.ReceivedSpan] { collector.spans.filter { $0.traceID == traceID } }
                // Each service exports on its own schedule: a consumer's span can arrive before the
                // publish span it is a child of. Wait until the spans of the order's last events are in,
                // and every span's parent with them (the assertions below say what is missing if not).
                func complete() -> Bool {
                    let spans = trace()
                    let ids = Set(spans.map(\.spanID))
                    let processed = ["support", "analytics"].allSatisfy { service in
                        spans.filter { $0.service == service && $0.name == "process \(topic)" }.count >= steps
                    }
                    return processed && spans.allSatisfy { $0.parentSpanID.map { $0 == callerSpan || ids.contains($0) } ?? true }
                }
                try? await eventually("every service exports the spans of the order's \(steps) events", timeout: .seconds(30)) {
                    complete()
                }
                let spans = trace()
                let byID = Dictionary(spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
                print("trace \(traceID) of order \(order) (\(steps) events), \(spans.count) spans:")
                print(Self.render(spans, root: callerSpan))

                // The request's span continues the caller's; the order's first publish is its child.
                let request = try #require(spans.first { $0.service == "orders" && $0.kind == 2 }, "orders' server span")
                #expect(request.parentSpanID == callerSpan)
                // Every service the order passes through took part, each with the spans of its role.
                for service in ["orders", "restaurants", "delivery"] {
                    #expect(spans.contains { $0.service == service && $0.name.hasPrefix("publish ") }, "\(service) publishes in the trace")
                    #expect(spans.contains { $0.service == service && $0.name.hasPrefix("decide ") } || service == "orders" && steps == 1)
                }
                // At least once each: a batch that failed and was taken again has spans of each try.
                for service in ["support", "analytics"] {
                    #expect(spans.filter { $0.service == service && $0.name == "process \(topic)" }.count >= steps)
                    #expect(spans.filter { $0.service == service && $0.name.hasPrefix("apply ") }.count >= steps)
                }
                // Linked parent to child: each process span's parent is the publish span of the
                // record it took; each publish span's parent is a span of the same trace.
                for span in spans where span.name.hasPrefix("process ") {
                    let parent = span.parentSpanID.flatMap { byID[$0] }
                    #expect(
                        parent?.name == span.name.replacingOccurrences(of: "process ", with: "publish "), "\(span.service) \(span.name)")
                }
                for span in spans where span.name.hasPrefix("publish ") {
                    #expect(span.parentSpanID.flatMap { byID[$0] } != nil, "the parent of \(span.service)'s \(span.name) is in the trace")
                }
                for process in [orders] + consumers.values { try await process.terminate() }
            }
        }

        /// The trace as an indented tree: service, span name, one line per span.
        static func render(_ spans: [OTLPTraceReceiver.ReceivedSpan], root: String) -> String {
            let children = Dictionary(grouping: spans, by: { $0.parentSpanID ?? "" })
            var lines: [String] = []
            func walk(_ parent: String, depth: Int) {
                for span in children[parent, default: []] {
                    lines.append(String(repeating: "  ", count: depth) + "\(span.service): \(span.name)")
                    walk(span.spanID, depth: depth + 1)
                }
            }
            walk(root, depth: 0)
            let known = Set(spans.map(\.spanID))
            for orphan in spans where orphan.parentSpanID != root && !(orphan.parentSpanID.map(known.contains) ?? false) {
                lines.append("(parent not in the trace) \(orphan.service): \(orphan.name)")
                walk(orphan.spanID, depth: 1)
            }
            return lines.joined(separator: "\n")
        }
    }
}
