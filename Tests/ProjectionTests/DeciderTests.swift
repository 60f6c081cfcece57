import Choreography
import Contract
import DeliveryProjection
import Foundation
import GRDB
import OrderEvents
import Outbox
import Testing

@testable import Orders
@testable import Projection
@testable import RestaurantsProjection

/// The deciders' rules on real SQLite (in memory), without Kafka: what a kitchen accepts, when
/// its meals are ready, how couriers are dispatched, and how orders compensates.
@Suite("Deciders")
struct DeciderTests {
    static let restaurant = OrderSnapshot.Restaurant(id: "res-001", name: "Pho Real", region: "north")
    static let order = OrderSnapshot(
        status: .created, customer: .init(id: "cus-1", name: "Ada"), restaurant: restaurant, region: "north",
        items: [.init(sku: "pho", name: "Phở", quantity: 2, unitPriceCents: 1000)], totalCents: 2000, currency: "EUR", courier: nil,
        promisedBy: Date())

    /// A database with the runtime's tables, the outbox and `decider`'s own.
    static func database(for decider: any Decider) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        var migrator = DatabaseMigrator()
        OutboxTable.registerMigrations(in: &migrator)
        DecisionRunner.registerMigrations(for: decider, in: &migrator)
        try migrator.migrate(queue)
        return queue
    }

    static func decide(_ decider: any Decider, _ message: FlowMessage, at now: Date, in queue: DatabaseQueue) throws {
        try queue.write { db in
            try decider.decide(
                message,
                in: DecisionContext(db: db, now: now, partition: 0, traceparent: nil, producer: decider.producer))
        }
    }

    static func due(_ decider: any Decider, at now: Date, in queue: DatabaseQueue) throws -> Date? {
        try queue.write { db in
            try decider.decideDue(
                in: DecisionContext(
                    db: db, now: now, partition: nil, traceparent: nil,
                    producer: decider.producer))
        }
    }

    /// What the decider sent, in order: (order, type, sequence, reason).
    static func sent(_ queue: DatabaseQueue) throws -> [(order: String, type: String, sequence: Int, reason: String?)] {
        try queue.read { db in
            try OutboxRecord.order(OutboxRecord.Columns.id).fetchAll(db).map {
                let message = try FlowMessage.decode(Array($0.payload))
                return ($0.orderId, $0.type, $0.sequence, message.reason)
            }
        }
    }

    static func ticket(_ orderID: String) -> FlowMessage {
        FlowMessage(
            type: .kitchenOrderPlaced, orderId: orderID, producer: "orders", sequence: 1, occurredAt: Date(), restaurant: restaurant,
            items: [.init(sku: "pho", name: "Phở", quantity: 1, unitPriceCents: 1250)])
    }

    /// A moment the test kitchen is open.
    static func openTime(_ kitchen: KitchenDecider) -> Date {
        var time = Date(timeIntervalSince1970: 1_800_000_000)
        while kitchen.isClosed(restaurant.id, at: time) { time += 60 }
        return time
    }

    @Test("A kitchen accepts up to its capacity, turns the next order away, and takes orders again once a meal is ready")
    func capacity() throws {
        var kitchen = KitchenDecider(seed: 1, speed: 1)
        kitchen.shortageRate = 0
        let queue = try Self.database(for: kitchen)
        let now = Self.openTime(kitchen)
        for id in 1...4 { try Self.decide(kitchen, Self.ticket("ord-\(id)"), at: now, in: queue) }
        let decisions = try Self.sent(queue)
        #expect(decisions.map(\.type) == Array(repeating: "restaurant.order_accepted", count: 3) + ["restaurant.order_rejected"])
        #expect(decisions.last?.reason?.hasPrefix("too busy") == true)
        // 2 s later every accepted order is preparing; 20 s later (preparation ≤ 15 s) all are ready.
        _ = try Self.due(kitchen, at: now + 2, in: queue)
        _ = try Self.due(kitchen, at: now + 20, in: queue)
        let steps = try Self.sent(queue).filter { $0.order == "ord-1" }
        #expect(steps.map(\.type) == ["restaurant.order_accepted", "restaurant.preparing", "restaurant.ready_for_pickup"])
        #expect(steps.map(\.sequence) == [1, 2, 3])
        try Self.decide(kitchen, Self.ticket("ord-5"), at: now + 21, in: queue)
        #expect(try Self.sent(queue).last?.type == "restaurant.order_accepted")
    }

    @Test("A customer's cancel frees the kitchen; a seeded kitchen decides the same way again")
    func cancelAndSeed() throws {
        func run() throws -> [String] {
            var kitchen = KitchenDecider(seed: 42, speed: 1)
            kitchen.shortageRate = 0.3
            let queue = try Self.database(for: kitchen)
            let now = Self.openTime(kitchen)
            for id in 1...12 {
                try Self.decide(kitchen, Self.ticket("ord-\(id)"), at: now, in: queue)
                var cancel = Self.ticket("ord-\(id)")
                cancel.type = .kitchenOrderCancelled
                cancel.items = nil
                cancel.sequence = 2
                try Self.decide(kitchen, cancel, at: now, in: queue)  // frees the place again
            }
            return try Self.sent(queue).map { "\($0.order) \($0.type) \($0.reason ?? "")" }
        }
        let first = try run()
        #expect(!first.contains { $0.contains("too busy") })
        #expect(first.contains { $0.contains("out of ingredients") })
        #expect(try run() == first)
    }

    @Test("Couriers: a region's first free courier takes a request, the next one waits until a courier comes free")
    func dispatch() throws {
        var couriers = CourierDispatch(seed: 3, speed: 1)
        couriers.couriersPerRegion = 1
        couriers.dropRate = 0
        couriers.failureRate = 0
        let queue = try Self.database(for: couriers)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        for id in 1...2 {
            try Self.decide(
                couriers,
                FlowMessage(
                    type: .courierRequested, orderId: "ord-\(id)", producer: "orders", sequence: 1, occurredAt: now,
                    restaurant: Self.restaurant,
                    region: "north", attempt: 1), at: now, in: queue)
        }
        #expect(try Self.sent(queue).map(\.order) == ["ord-1"])  // one courier in the region
        // Ride (≤ 8 s), pickup (≤ 2 s), out (≤ 20 s): after a minute ord-1 is delivered and ord-2 has the courier.
        for second in stride(from: 1.0, through: 60, by: 1) { _ = try Self.due(couriers, at: now + second, in: queue) }
        let sent = try Self.sent(queue)
        #expect(
            sent.filter { $0.order == "ord-1" }.map(\.type) == [
                "delivery.courier_assigned", "delivery.picked_up", "delivery.out_for_delivery", "delivery.delivered",
            ])
        #expect(sent.filter { $0.order == "ord-2" }.first?.type == "delivery.courier_assigned")
    }

    @Test("orders compensates: a rejection ends the order with a refund; three dropped couriers cancel it with a refund")
    func compensation() async throws {
        let ledger = OrderLedger(database: try OrdersDatabase(inMemory: ()), sendsCommands: true)
        let trace = TraceContext(traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")!
        let reactions = OrderReactions(ledger: ledger, logger: .init(label: "test"))
        for id in ["ord-r", "ord-c"] {
            try await ledger.create(orderID: id, snapshot: Self.order, at: Date(), trace: trace)
            try await ledger.advance(orderID: id, to: .placedWithRestaurant, at: Date(), trace: trace)
        }
        func react(_ type: FlowMessageType, _ id: String, attempt: Int? = nil, reason: String? = nil, courier: OrderSnapshot.Courier? = nil)
            async throws
        {
            try await ledger.database.writer.write { db in
                try reactions.decide(
                    FlowMessage(
                        type: type, orderId: id, producer: "test", sequence: 1, occurredAt: Date(), restaurant: Self.restaurant,
                        region: "north",
                        courier: courier, attempt: attempt, reason: reason),
                    in: DecisionContext(db: db, now: Date(), partition: 0, traceparent: nil, producer: "orders"))
            }
        }
        try await react(.orderRejected, "ord-r", reason: "too busy")
        let rejected = try await ledger.order("ord-r")!.snapshot
        #expect(rejected.status == .rejected)

        for step in [FlowMessageType.orderAccepted, .preparing, .readyForPickup] { try await react(step, "ord-c") }
        for attempt in 1...3 {
            try await react(.courierAssigned, "ord-c", attempt: attempt, courier: .init(id: "cou-\(attempt)", name: "C \(attempt)"))
            try await react(.courierDropped, "ord-c", attempt: attempt, reason: "bike broke down")
        }
        #expect(try await ledger.order("ord-c")!.snapshot.status == .cancelled)
        let rows = try await ledger.database.writer.read { db in
            try OutboxRecord.filter(OutboxRecord.Columns.orderId == "ord-c").order(OutboxRecord.Columns.id).fetchAll(db)
        }
        let events = rows.filter { $0.topic == Topics.orderEvents }.map(\.type)
        #expect(events.filter { $0 == "order.courier_assigned" }.count == 3)
        #expect(events.last == "order.cancelled")
        #expect(rows.filter { $0.type == "courier.requested" }.map(\.sequence) == [1, 2, 3])
        let reason = try OrderEventCodec.decode(Array(rows.last { $0.topic == Topics.orderEvents }!.payload)).reason ?? ""
        #expect(reason.contains("after 3 attempts") && reason.contains("refunded"))
        // The kitchen and the couriers hear of the cancel.
        #expect(rows.suffix(2).map(\.type).sorted() == ["courier.request_cancelled", "kitchen.order_cancelled"])
    }
}
