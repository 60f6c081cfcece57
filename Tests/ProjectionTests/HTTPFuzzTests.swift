import Foundation
import TestSupport
import Testing

extension SystemTests {
    /// The HTTP APIs under garbage: bad JSON, huge bodies, injection strings, bad ids and paging,
    /// wrong methods. Every answer is a 4xx with a message (never a 5xx, never a dropped
    /// connection), and the services are still up at the end.
    @Suite("HTTP fuzzing", .timeLimit(.minutes(4)))
    struct HTTPFuzzTests {
        @Test("orders and support: 700+ hostile requests, only 4xx with a message, 0 crashes")
        func fuzz() async throws {
            let kit = try await KafkaTestKit.make("fuzz")
            let topic = try await OrderFlow.topic(kit, partitions: 3)
            let (orders, support) = try await OrderFlow.ordersAndSupport(kit, topic: topic, orders: .init(rate: 1, speed: 5), name: "fuzz")

            var random = SystemRandomNumberGenerator()
            let hostile = [
                "'; DROP TABLE support_order; --", "../../etc/passwd", "%00", "%FF%FE", String(repeating: "x", count: 5_000),
                "ord-1-000001' OR '1'='1",
                "<script>alert(1)</script>", "😀😀", "${jndi:ldap://x}", "-1", "0", "9999999999999999999999",
            ]
            let encoded = hostile.map { $0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x" }
            var requests: [(ServiceProcess, String, String, Data?)] = []  // service, method, path, body
            for id in encoded {
                requests += [
                    (support, "GET", "/orders/\(id)/timeline", nil), (support, "GET", "/customers/\(id)/orders", nil),
                    (support, "GET", "/orders/late?limit=\(id)", nil), (support, "GET", "/orders/late?offset=\(id)", nil),
                    (support, "GET", "/orders/ord-1-000001/timeline?asOfOffset=\(id)", nil), (support, "POST", "/replay?from=\(id)", nil),
                    (orders, "GET", "/orders/\(id)", nil), (orders, "POST", "/orders/\(id)/cancel", Data("{\"reason\": 5}".utf8)),
                ]
            }
            let bodies: [Data] = [
                Data(), Data("{".utf8), Data("null".utf8), Data("[]".utf8), Data("{\"customerId\": 7}".utf8),
                Data(repeating: 0xFF, count: 300),
                Data(#"{"customerId":"cus-0001","restaurantId":"res-001","items":[]}"#.utf8),
                Data(#"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":-3}]}"#.utf8),
                Data(#"{"customerId":"cus-0001","restaurantId":"'; DROP TABLE outbox; --","items":[{"sku":"x","quantity":1}]}"#.utf8),
                Data(count: 8 * 1024 * 1024),  // 8 MB
            ]
            for body in bodies { requests.append((orders, "POST", "/orders", body)) }
            for method in ["PUT", "DELETE", "PATCH", "POST"] {
                for path in ["/orders/late", "/offsets", "/health", "/metrics", "/customers/cus-0001/orders"] {
                    requests.append((support, method, path, nil))
                }
                for path in ["/orders/ord-1-000001", "/stats", "/health"] { requests.append((orders, method, path, Data("x".utf8))) }
            }
            // And random bytes in random places.
            for _ in 0..<600 {
                let junk = (0..<Int.random(in: 1...40, using: &random)).map { _ in
                    String(UnicodeScalar(UInt8.random(in: 33...126, using: &random)))
                }.joined()
                let path =
                    ["/orders/", "/customers/", "/orders/late?limit=", "/regions/", "/replay?from="].randomElement(using: &random)!
                    + (junk.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "x")
                requests.append(
                    (Bool.random(using: &random) ? support : orders, ["GET", "POST", "DELETE"].randomElement(using: &random)!, path, nil))
            }

            var statuses: [Int: Int] = [:]
            var problems: [String] = []
            for (service, method, path, body) in requests {
                let (status, answer) = await service.request(path, method: method, timeout: 30, body: body)
                statuses[status, default: 0] += 1
                let wellFormedRefusal = (400..<500).contains(status) && String(decoding: answer, as: UTF8.self).contains("\"message\"")
                // A hostile request may happen to be harmless (a random path that is a valid query): then a 200 is right.
                if status == 0 || status >= 500 || !(wellFormedRefusal || status == 200) {
                    problems.append(
                        "\(service.service) \(method) \(path.prefix(80)) → \(status) \(String(decoding: answer.prefix(120), as: UTF8.self))"
                    )
                }
            }
            #expect(problems.isEmpty, "\(problems.prefix(10))")
            #expect(statuses[413, default: 0] >= 1, "the 8 MB body is refused as too large: \(statuses)")
            #expect(orders.isRunning && support.isRunning, "both services survived")
            let healthy = (await support.request("/health").status, await orders.request("/health").status)
            #expect(healthy == (200, 200), "both answer /health: \(healthy)")
            try await orders.terminate()
            try await support.terminate()
            print(
                "HTTP fuzzing: \(requests.count) hostile requests to orders and support; statuses \(statuses.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")); 0 crashes, 0 5xx"
            )
        }
    }
}
