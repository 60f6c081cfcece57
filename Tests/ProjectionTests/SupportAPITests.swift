import Foundation
import Hummingbird
import HummingbirdTesting
import OrderEvents
import Projection
import ProjectionServer
import SupportProjection
import Testing

/// Support's queries through Hummingbird's router test client, on a real (in-memory) read model.
@Suite("Support HTTP API")
struct SupportAPITests {
    func app() async throws -> some ApplicationProtocol {
        let database = try ProjectionDatabase(inMemoryFor: SupportProjection())
        var events: [(OrderEvent, EventPosition)] = []
        for (index, sequence) in [1, 2, 3].enumerated() {
            var event = ProjectionDatabaseTests.event("ord-1", sequence, customer: "cus-0007")
            event.order.promisedBy = Date().addingTimeInterval(-60)  // already late
            events.append((event, EventPosition(partition: 2, offset: Int64(index))))
        }
        var onTime = ProjectionDatabaseTests.event("ord-2", 1, customer: "cus-0008")
        onTime.order.promisedBy = Date().addingTimeInterval(3_600)
        events.append((onTime, EventPosition(partition: 1, offset: 0)))
        _ = try await database.apply(events, storing: [])
        let router = Router()
        SupportAPI().addRoutes(to: QueryRoutes(router: router, database: database))
        return Application(router: router)
    }

    @Test("Timeline: every event in order, with its partition and offset")
    func timeline() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/orders/ord-1/timeline", method: .get) { response in
                #expect(response.status == .ok)
                let timeline = try JSONDecoder().decode(SupportAPI.Timeline.self, from: Data(buffer: response.body))
                #expect(timeline.events.map(\.sequence) == [1, 2, 3])
                #expect(timeline.events.map(\.offset) == [0, 1, 2])
                #expect(timeline.events.allSatisfy { $0.partition == 2 })
                #expect(timeline.order.status == "accepted" && timeline.order.late)
            }
        }
    }

    @Test("State as of an offset: the timeline and status as they stood when the partition was read up to it")
    func asOfOffset() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/orders/ord-1/timeline?asOfOffset=2", method: .get) { response in
                #expect(response.status == .ok)
                let timeline = try JSONDecoder().decode(SupportAPI.Timeline.self, from: Data(buffer: response.body))
                #expect(timeline.events.map(\.offset) == [0, 1])
                #expect(timeline.order.status == OrderEventType.placedWithRestaurant.resultingStatus.rawValue)
                #expect(timeline.asOfOffset == 2)
            }
            try await client.execute(uri: "/orders/ord-1/timeline?asOfOffset=0", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/orders/ord-1/timeline?asOfOffset=-3", method: .get) { #expect($0.status == .badRequest) }
        }
    }

    @Test("Late orders and a customer's orders")
    func lists() async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: "/orders/late", method: .get) { response in
                let page = try JSONDecoder().decode(Page<SupportAPI.OrderSummary>.self, from: Data(buffer: response.body))
                #expect(page.items.map(\.orderId) == ["ord-1"])
            }
            try await client.execute(uri: "/customers/cus-0008/orders?limit=10&offset=0", method: .get) { response in
                let page = try JSONDecoder().decode(Page<SupportAPI.OrderSummary>.self, from: Data(buffer: response.body))
                #expect(page.items.map(\.orderId) == ["ord-2"] && page.limit == 10)
            }
        }
    }

    @Test(
        "Bad ids and paging get a 400 that says what is allowed; unknown orders a 404",
        arguments: [
            ("/orders/late?limit=0", "limit"), ("/orders/late?limit=abc", "limit"), ("/orders/late?offset=-1", "offset"),
            ("/orders/ord%27%3B%20drop%20table/timeline", "order id"),
            ("/customers/\(String(repeating: "x", count: 65))/orders", "customer id"),
        ])
    func badRequests(uri: String, mentions: String) async throws {
        try await app().test(.router) { client in
            try await client.execute(uri: uri, method: .get) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(mentions))
            }
            try await client.execute(uri: "/orders/ord-404/timeline", method: .get) { #expect($0.status == .notFound) }
        }
    }
}
