import Foundation
import GRDB
import OrderEvents
import Outbox
import Testing

@testable import Orders

/// The ledger against real SQLite (in memory): state and outbox move together, or not at all.
@Suite("Order ledger")
struct OrderLedgerTests {
    let ledger = OrderLedger(database: try! OrdersDatabase(inMemory: ()))
    let trace = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!

    static func snapshot() -> OrderSnapshot {
        OrderSnapshot(
            status: .created, customer: .init(id: "cus-1", name: "Ada"), restaurant: .init(id: "res-1", name: "Pho Real", region: "north"),
            region: "north", items: [.init(sku: "pho", name: "Phở", quantity: 2, unitPriceCents: 1000)], totalCents: 2000, currency: "EUR",
            courier: nil, promisedBy: Date())
    }

    func outboxCount() async throws -> Int { try await ledger.database.writer.read { try OutboxRecord.fetchCount($0) } }

    @Test("Each step writes the order's state and one outbox row with the next sequence")
    func steps() async throws {
        try await ledger.create(orderID: "ord-1", snapshot: Self.snapshot(), at: Date(), trace: trace)
        try await ledger.advance(orderID: "ord-1", to: .placedWithRestaurant, at: Date(), trace: trace)
        let accepted = try await ledger.advance(orderID: "ord-1", to: .acceptedByRestaurant, at: Date(), trace: trace)
        #expect(accepted.sequence == 3)
        #expect(try await ledger.order("ord-1")?.snapshot.status == .accepted)
        let rows = try await ledger.database.writer.read { try OutboxRecord.order(OutboxRecord.Columns.id).fetchAll($0) }
        #expect(rows.map(\.sequence) == [1, 2, 3])
        #expect(rows.allSatisfy { $0.sentAt == nil && $0.traceparent == trace.traceparent })
        #expect(try OrderEventCodec.decode(Array(rows[2].payload)) == accepted)
    }

    @Test("Every event of an order carries the trace it was created in, each step a span of its own")
    func oneTracePerOrder() async throws {
        try await ledger.create(orderID: "ord-t", snapshot: Self.snapshot(), at: Date(), trace: trace)
        var random = SystemRandomNumberGenerator()
        for type in [OrderEventType.placedWithRestaurant, .acceptedByRestaurant] {
            try await ledger.advance(orderID: "ord-t", to: type, at: Date(), trace: .random(using: &random))
        }
        let traces = try await ledger.database.writer.read { db in
            try OutboxRecord.filter(OutboxRecord.Columns.orderId == "ord-t").order(OutboxRecord.Columns.id).fetchAll(db)
        }.compactMap { TraceContext(traceparent: $0.traceparent) }
        #expect(traces.count == 3)
        #expect(traces.allSatisfy { $0.traceID == trace.traceID }, "\(traces.map(\.traceparent))")
        #expect(Set(traces.map(\.spanID)).count == 3)
    }

    @Test("An illegal step is refused and writes nothing")
    func illegal() async throws {
        try await ledger.create(orderID: "ord-2", snapshot: Self.snapshot(), at: Date(), trace: trace)
        await #expect(throws: OrderLedger.Failure.self) {
            try await ledger.advance(orderID: "ord-2", to: .delivered, at: Date(), trace: trace)
        }
        #expect(try await outboxCount() == 1)
        #expect(try await ledger.order("ord-2")?.sequence == 1)
    }

    @Test("An event that fails validation (a courier missing) is refused and writes nothing")
    func invalid() async throws {
        try await ledger.create(orderID: "ord-3", snapshot: Self.snapshot(), at: Date(), trace: trace)
        for step in [OrderEventType.placedWithRestaurant, .acceptedByRestaurant, .preparing, .readyForPickup] {
            try await ledger.advance(orderID: "ord-3", to: step, at: Date(), trace: trace)
        }
        let error = await #expect(throws: OrderLedger.Failure.self) {
            try await ledger.advance(orderID: "ord-3", to: .courierAssigned, at: Date(), trace: trace)  // no courier set
        }
        #expect(error.map { "\($0)" }?.contains("courier") == true)
        #expect(try await outboxCount() == 5)
    }

    @Test("Duplicate and unknown orders are clear errors")
    func duplicates() async throws {
        try await ledger.create(orderID: "ord-4", snapshot: Self.snapshot(), at: Date(), trace: trace)
        await #expect(throws: OrderLedger.Failure.orderExists("ord-4")) {
            try await ledger.create(orderID: "ord-4", snapshot: Self.snapshot(), at: Date(), trace: trace)
        }
        await #expect(throws: OrderLedger.Failure.unknownOrder("ord-404")) {
            try await ledger.advance(orderID: "ord-404", to: .placedWithRestaurant, at: Date(), trace: trace)
        }
    }

    @Test("The simulator is deterministic: the same seed makes the same orders and decisions")
    func deterministic() async throws {
        func run() async throws -> [String] {
            let ledger = OrderLedger(database: try OrdersDatabase(inMemory: ()))
            var configuration = CitySimulator.Configuration()
            configuration.seed = 99
            configuration.speed = 1_000
            configuration.ordersPerSecond = 50
            configuration.maxOrders = 30
            let simulator = CitySimulator(configuration: configuration, ledger: ledger, logger: .init(label: "test"))
            try await simulator.simulate(endingWhenIdle: true)
            return try await ledger.database.writer.read { db in
                try OutboxRecord.order(OutboxRecord.Columns.orderId, Column("sequence")).fetchAll(db).map {
                    let event = try OrderEventCodec.decode(Array($0.payload))
                    return
                        "\(event.orderID) \(event.sequence) \(event.type.rawValue) \(event.order.customer.id) \(event.order.totalCents) \(event.order.courier?.id ?? "-")"
                }
            }
        }
        let first = try await run()
        #expect(first.count > 30)
        #expect(try await run() == first)
    }
}
