import AsyncHTTPClient
import Foundation
import NIOCore
import ServiceAPI
import ServiceHTTPClient
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// Live order tracking: an order placed through the orders API, followed on support's
    /// updates stream as its events are applied, to its terminal state; then its tracking page in
    /// headless Chromium shows the same steps and the end.
    @Suite("Order tracking", .timeLimit(.minutes(3)))
    struct TrackingTests {
        @Test("Place an order, watch its updates arrive live to a terminal state, and see them on its tracking page")
        func trackOneOrder() async throws {
            let kit = try await KafkaTestKit.make("tracking")
            let topic = try await OrderFlow.topic(kit, partitions: 3)
            // Slow enough that an order's steps are spread over seconds; few simulated orders.
            let (orders, support) = try await OrderFlow.ordersAndSupport(
                kit, topic: topic, orders: .init(rate: 0.2, speed: 5), name: "tracking")

            let placed = try await ServiceHTTPRequest(
                orders.baseURL + OrdersEndpoints.placeOrder.path(), method: "POST",
                body: Data(
                    #"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":1}]}"#.utf8),
                timeout: .seconds(10)
            ).send()
            #expect(placed.status == 201, "\(placed.text)")
            let order = try ServiceProcess.decoder.decode(OrdersEndpoints.OrderView.self, from: placed.data).orderId

            // Each `data:` frame with the time it arrived.
            var frames: [(update: OrderUpdate, at: ContinuousClock.Instant)] = []
            let request = HTTPClientRequest(url: support.baseURL + TrackingEndpoints.updates.path(order))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
            #expect(response.headers["content-type"].first == "text/event-stream")
            var pending = ""
            for try await chunk in response.body {
                pending += String(buffer: chunk)
                while let end = pending.range(of: "\n\n") {
                    let frame = String(pending[..<end.lowerBound])
                    pending = String(pending[end.upperBound...])
                    guard frame.hasPrefix("data: ") else { continue }
                    frames.append((try JSONDecoder().decode(OrderUpdate.self, from: Data(frame.dropFirst(6).utf8)), .now))
                }
            }
            let updates = frames.map(\.update)
            #expect(
                !updates.isEmpty && updates.map(\.sequence) == updates.indices.map { $0 + 1 },
                "every step once, in order: \(updates.map(\.type))")
            #expect(updates.first?.type == "order.created")
            #expect(updates.last?.terminal == true, "the stream ends with the order's end: \(updates.map(\.type))")
            #expect(updates.dropLast().allSatisfy { !$0.terminal })
            let spread = (frames.last?.at ?? .now) - (frames.first?.at ?? .now)
            #expect(updates.count >= 3 && spread > .milliseconds(100), "steps arrived as they happened, over \(spread)")

            // The page, in a real browser: the stored steps arrive at once, and the stream ends.
            let html = try DashboardBrowserTests.chromium(["--dump-dom", support.baseURL + TrackingEndpoints.page.path(order)])
            #expect(html.contains(#"data-terminal="true""#), "\(html.suffix(1500))")
            #expect(html.components(separatedBy: "<li data-type=").count - 1 == updates.count, "\(html.suffix(1500))")
            print(
                "tracking: order \(order) followed live through \(updates.map { $0.type.replacingOccurrences(of: "order.", with: "") }.joined(separator: " → ")) over \(spread); the page showed it"
            )
        }
    }
}
