import AnalyticsProjection
import DeliveryProjection
import Foundation
import Hummingbird
import HummingbirdTesting
import Kafka
import Logging
import OrderEvents
import Projection
import ProjectionServer
import RestaurantsProjection
import ServiceAPI
import ServiceRuntime
import SupportProjection
import TestSupport
import Testing

extension SystemTests {
    /// Each consumer service built in-process by the builder its executable uses, from options
    /// parsed from a `ServiceLaunch`: every query its API declares, and the operational routes,
    /// answer through its router on a real SQLite read model.
    @Suite("Service builders", .timeLimit(.minutes(2)))
    struct ServiceBuilderTests {
        static let definitions: [ProjectionServiceDefinition] = [.restaurants, .delivery, .support, .analytics]

        @Test("Every declared query and operational route answers 200 with JSON", arguments: definitions.map(\.name))
        func everyRouteAnswers(_ name: String) async throws {
            let definition = try #require(Self.definitions.first { $0.name == name })
            let kit = try await KafkaTestKit.make("builder-\(name)")
            let topic = TestNames.unique("events")
            let launch = ServiceLaunch.testConsumer(
                name, brokers: kit.connection.configuration.bootstrapServers.joined(separator: ","), topic: topic,
                group: TestNames.unique(name), directory: try TestNames.temporaryDirectory(name))
            let service = try ProjectionService.build(
                try ProjectionServiceOptions.parse(launch.arguments), definition: definition, logger: TestLogging.logger(name))
            let events = (1...4).map { sequence in
                (
                    ProjectionDatabaseTests.event("ord-1", sequence, customer: "cus-0007"),
                    EventPosition(partition: 0, offset: Int64(sequence))
                )
            }
            _ = try await service.database.apply(events, storing: [TopicPartitionOffset(TopicPartition(topic, 0), KafkaOffset(5))])

            let queries = try #require(ConsumerQueries.byService[name])
            try await Application(router: service.router).test(.router) { client in
                for query in queries {
                    let ids = ["restaurants": "res-001", "couriers": "cur-001", "customers": "cus-0007", "orders": "ord-1"]
                    let id = ids.first { query.route.template.hasPrefix("/" + $0.key) }?.value ?? "ord-1"
                    let path = query.route.path(query.needsID ? [id] : []) + (query.paged ? "?limit=5" : "")
                    try await client.execute(uri: path, method: .get) { response in
                        #expect(response.status == .ok, "\(name) \(path): \(String(buffer: response.body))")
                        #expect((try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) != nil, "\(name) \(path)")
                    }
                }
                for route in [ProjectionEndpoints.offsets, ProjectionEndpoints.instance, ProjectionEndpoints.replayState] {
                    try await client.execute(uri: route.path(), method: .get) { response in
                        #expect(response.status == .ok, "\(name) \(route)")
                    }
                }
                try await client.execute(uri: ProjectionEndpoints.offsets.path(), method: .get) { response in
                    let offsets = try ServiceBuilderTests.decoder.decode(OffsetsReport.self, from: Data(buffer: response.body))
                    #expect(offsets.group == launch.consumer?.group)
                    #expect(offsets.partitions.map(\.storedOffset) == [5])
                }
            }
            await service.closeUnused()
        }

        @Test("With an operator token configured, POST /replay is refused without it or with another, and taken with it; queries stay open")
        func operatorToken() async throws {
            let kit = try await KafkaTestKit.make("builder-token")
            let launch = ServiceLaunch.testConsumer(
                "restaurants", brokers: kit.connection.configuration.bootstrapServers.joined(separator: ","),
                topic: TestNames.unique("events"), group: TestNames.unique("restaurants"),
                directory: try TestNames.temporaryDirectory("restaurants-token"))
            // The token from a file, as a mounted secret gives it.
            let secret = try TestNames.temporaryDirectory("operator-secret").appendingPathComponent("token")
            try "s3cret-token\n".write(to: secret, atomically: true, encoding: .utf8)
            let service = try ProjectionService.build(
                try ProjectionServiceOptions.parse(launch.arguments + ["--operator-token-file", secret.path]), definition: .restaurants,
                logger: TestLogging.logger("restaurants"))
            try await Application(router: service.router).test(.router) { client in
                // An invalid `from`: past the token check, the replay refuses it without running.
                let replay = ProjectionEndpoints.replay.path() + "?from=yesterday-ish"
                for headers: HTTPFields in [[:], [.authorization: "Bearer guess"], [.authorization: "Basic czNjcmV0LXRva2Vu"]] {
                    try await client.execute(uri: replay, method: .post, headers: headers) { response in
                        #expect(response.status == .unauthorized, "\(headers)")
                        #expect(response.headers[.wwwAuthenticate] == "Bearer")
                        #expect(String(buffer: response.body).contains(OperatorToken.variable))
                    }
                }
                try await client.execute(uri: replay, method: .post, headers: [.authorization: "Bearer s3cret-token"]) { response in
                    #expect(response.status == .badRequest, "\(String(buffer: response.body))")
                }
                try await client.execute(uri: ProjectionEndpoints.replayState.path(), method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: ProjectionEndpoints.offsets.path(), method: .get) { #expect($0.status == .ok) }
            }
            await service.closeUnused()
            #expect(throws: OperatorToken.ConfigurationError.self) {
                try OperatorToken(token: nil, file: secret.deletingLastPathComponent().appendingPathComponent("missing").path)
            }
        }

        static let decoder: JSONDecoder = {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return decoder
        }()
    }
}
