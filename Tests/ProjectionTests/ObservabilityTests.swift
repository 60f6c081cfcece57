import Foundation
import Kafka
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// What compose's observability profile queries (deploy/observability) is what the services
    /// export: every metric name in the Grafana dashboard and the alert rule is on the `/metrics`
    /// of a running `orders` and consumer service, and every exported name has the
    /// application's prefix.
    @Suite("Observability", .timeLimit(.minutes(3)))
    struct ObservabilityTests {
        /// The metric names a file of the profile queries.
        static func queried(_ path: String) throws -> Set<String> {
            let text = try Repository.text(path)
            return Set(text.matches(of: /fooddelivery_[a-z0-9_]+/).map { String($0.0) })
        }

        /// The series names on a `/metrics` page, and its lines.
        static func exported(_ page: String) -> (names: Set<String>, lines: [Substring]) {
            let lines = page.split(separator: "\n").filter { !$0.hasPrefix("#") }
            return (Set(lines.compactMap { $0.firstMatch(of: /^[a-zA-Z_:][a-zA-Z0-9_:]*/).map { String($0.0) } }), lines)
        }

        @Test(
            "Every metric the Grafana dashboard and alert rule query is on a running service's /metrics; every name has the prefix; build info and HTTP request metrics are there"
        )
        func dashboardQueriesWhatServicesExport() async throws {
            let kit = try await KafkaTestKit.make("observability")
            let topic = TestNames.unique("order-events")
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let orders = try ServiceProcess(
                .testOrders(
                    brokers: brokers, topic: topic, directory: try TestNames.temporaryDirectory("orders"), logLevel: .error, httpPort: nil,
                    orders: .init(rate: 5, speed: 20, seed: 11)))
            let directory = try TestNames.temporaryDirectory("support")
            let support = try ServiceProcess(
                .testConsumer("support", brokers: brokers, topic: topic, group: TestNames.unique("support"), directory: directory))
            try await orders.waitUntilServing()
            try await support.waitUntilServing()
            let database = directory.appendingPathComponent("support.sqlite").path
            try await eventually("support applies events", timeout: .seconds(60)) {
                (try? await IndependentModel.appliedEvents(database)) ?? 0 > 0
            }
            // A query and a refused request, so the HTTP metrics have routes and statuses to show.
            #expect(await support.request("/orders/late").status == 200)
            #expect(await support.request("/no-such-endpoint").status == 404)
            // The outbox's backlog is reported every few seconds.
            try await Task.sleep(for: .seconds(6))

            var names: Set<String> = []
            for process in [orders, support] {
                let answer = await process.request("/metrics")
                #expect(answer.status == 200)
                let (exported, lines) = Self.exported(String(decoding: answer.body, as: UTF8.self))
                names.formUnion(exported)
                let unprefixed = exported.filter { !$0.hasPrefix(ServiceMetrics.prefix) }
                #expect(unprefixed.isEmpty, "\(process.service) exports names without \(ServiceMetrics.prefix): \(unprefixed.sorted())")
                let buildInfo = lines.first { $0.hasPrefix("fooddelivery_build_info{") }
                #expect(
                    buildInfo.map {
                        $0.contains("service=\"\(process.service)\"") && $0.contains("version=\"\(BuildInfo.version)\"")
                            && $0.contains("librdkafka=\"\(Librdkafka.versionString)\"") && ($0.hasSuffix(" 1") || $0.hasSuffix(" 1.0"))
                    } == true, "\(process.service): \(buildInfo ?? "no build_info")")
            }
            let supportPage = String(decoding: await support.request("/metrics").body, as: UTF8.self)
            #expect(
                supportPage.contains(/fooddelivery_http_server_request_duration_count\{[^}]*http_route="\/orders\/late"/),
                "support's HTTP request metrics name the route")
            let queried = try Self.queried("deploy/observability/grafana/dashboards/fooddelivery.json")
                .union(try Self.queried("deploy/observability/grafana/provisioning/alerting/consumer-lag.yaml"))
            #expect(queried.count >= 8, "\(queried.sorted())")
            let missing = queried.subtracting(names)
            #expect(missing.isEmpty, "queried by Grafana but exported by no service: \(missing.sorted()); exported: \(names.sorted())")
            try await orders.terminate()
            try await support.terminate()
        }
    }
}
