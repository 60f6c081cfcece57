import Contract
import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Logging
import OrderEvents
import Outbox
import ServiceRuntime
import TestSupport
import Testing

@testable import Orders

/// The HTTP API through Hummingbird's router test client, on the service built in-process by the
/// builder its executable uses (a real SQLite ledger; its relay is not run, so no broker is needed).
@Suite("Orders HTTP API")
struct OrdersAPITests {
    let service: OrdersService

    init() throws {
        var logger = Logger(label: "orders-api-test")
        logger.logLevel = .critical
        let launch = ServiceLaunch.testOrders(
            brokers: "127.0.0.1:1", topic: Topics.orderEvents, directory: try TestNames.temporaryDirectory("orders-api"),
            orders: .init())
        service = try OrdersService.build(try OrdersServiceOptions.parse(launch.arguments), logger: logger)
    }

    func app() -> some ApplicationProtocol { Application(router: service.router) }

    /// The router under test, with the group commit its writes go through running (as in the
    /// service's group).
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let groupCommit = service.groupCommit
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await groupCommit.run() }
            try await app().test(.router, body)
            group.cancelAll()
        }
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601  // Hummingbird's JSON encoding of dates
        return decoder
    }()

    static let valid =
        #"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":2},{"sku":"spring-rolls","quantity":1}]}"#

    @Test("POST /orders continues the caller's trace (traceparent): the order's events carry its trace id")
    func callersTrace() async throws {
        let caller = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let database = service.database
        try await test { client in
            try await client.execute(
                uri: "/orders", method: .post, headers: [.init(EventHeaders.traceparent)!: caller],
                body: ByteBuffer(string: Self.valid)
            ) { response in
                #expect(response.status == .created)
                let view = try Self.decoder.decode(OrdersAPI.OrderView.self, from: Data(buffer: response.body))
                let row = try await database.writer.read { db in
                    try OutboxRecord.filter(OutboxRecord.Columns.orderId == view.orderId).fetchOne(db)
                }
                let trace = row.flatMap { TraceContext(traceparent: $0.traceparent) }
                #expect(trace?.traceID == "0af7651916cd43dd8448eb211c80319c", "\(row?.traceparent ?? "no outbox row")")
                #expect(trace?.spanID != "b7ad6b7169203331", "a span of its own, in the caller's trace")
            }
        }
    }

    @Test("POST /orders places an order; GET shows it with its outbox events; cancel ends it")
    func placeShowCancel() async throws {
        try await test { client in
            let id = try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string: Self.valid)) { response in
                #expect(response.status == .created)
                let view = try Self.decoder.decode(OrdersAPI.OrderView.self, from: Data(buffer: response.body))
                #expect(view.status == .created && view.sequence == 1)
                #expect(view.order.totalCents == 2 * 1250 + 590)
                #expect(view.events.map(\.type) == ["order.created"])
                #expect(response.headers[.location] == "/orders/\(view.orderId)")
                return view.orderId
            }
            try await client.execute(uri: "/orders/\(id)", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/orders/\(id)/cancel", method: .post, body: ByteBuffer(string: #"{"reason":"wrong address"}"#)) {
                response in
                #expect(response.status == .ok)
                let view = try Self.decoder.decode(OrdersAPI.OrderView.self, from: Data(buffer: response.body))
                #expect(view.status == .cancelled && view.events.count == 2)
            }
            try await client.execute(uri: "/orders/\(id)/cancel", method: .post) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("cancelled"))
            }
        }
    }

    @Test(
        "Bad requests get a 4xx that says what to fix, and write nothing",
        arguments: [
            ("{", "not valid JSON"),
            (#"{"customerId":"cus-0001","restaurantId":"res-001"}"#, "missing field 'items'"),
            (#"{"customerId":"nobody","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":1}]}"#, "unknown customerId"),
            (#"{"customerId":"cus-0001","restaurantId":"res-999","items":[{"sku":"pho-bo","quantity":1}]}"#, "unknown restaurantId"),
            (#"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pizza","quantity":1}]}"#, "not on Pho Real's menu"),
            (#"{"customerId":"cus-0001","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":0}]}"#, "between 1 and 20"),
            (#"{"customerId":"cus-0001","restaurantId":"res-001","items":[]}"#, "between 1 and 20 lines"),
            (#"{"customerId":1,"restaurantId":"res-001","items":[]}"#, "wrong type"),
            (#"{"customerId":"' OR 1=1 --","restaurantId":"res-001","items":[{"sku":"pho-bo","quantity":1}]}"#, "unknown customerId"),
        ])
    func badRequests(body: String, mentions: String) async throws {
        try await test { client in
            try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string: body)) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains(mentions), "\(String(buffer: response.body))")
            }
        }
        #expect(try await service.database.writer.read { try OutboxRecord.fetchCount($0) } == 0)
    }

    @Test("An order placed over HTTP moves on when the simulator places none of its own (--max-orders 0)")
    func adoptedWithoutSimulatedOrders() async throws {
        var logger = Logger(label: "orders-api-test")
        logger.logLevel = .critical
        let launch = ServiceLaunch.testOrders(
            brokers: "127.0.0.1:1", topic: Topics.orderEvents, directory: try TestNames.temporaryDirectory("orders-api-idle"),
            orders: .init(speed: 1_000, maxOrders: 0))
        let service = try OrdersService.build(try OrdersServiceOptions.parse(launch.arguments), logger: logger)
        let (groupCommit, simulator) = (service.groupCommit, service.simulator)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await groupCommit.run() }
            group.addTask { try await simulator.run() }
            try await Application(router: service.router).test(.router) { client in
                let id = try await client.execute(uri: "/orders", method: .post, body: ByteBuffer(string: Self.valid)) { response in
                    try Self.decoder.decode(OrdersAPI.OrderView.self, from: Data(buffer: response.body)).orderId
                }
                try await eventually("the simulator carries the order past created") {
                    try await client.execute(uri: "/orders/\(id)", method: .get) { response in
                        try Self.decoder.decode(OrdersAPI.OrderView.self, from: Data(buffer: response.body)).status != .created
                    }
                }
            }
            group.cancelAll()
        }
    }

    @Test("Unknown orders are 404; oversized bodies are refused")
    func notFoundAndTooLarge() async throws {
        try await test { client in
            try await client.execute(uri: "/orders/ord-nope", method: .get) { #expect($0.status == .notFound) }
            try await client.execute(uri: "/orders/ord-nope/cancel", method: .post) { #expect($0.status == .notFound) }
            let huge = ByteBuffer(string: String(repeating: "x", count: 3 * 1024 * 1024))
            try await client.execute(uri: "/orders", method: .post, body: huge) { #expect($0.status == .contentTooLarge) }
        }
    }
}
