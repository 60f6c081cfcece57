import Foundation
import GRDB
import Kafka
import OrderEvents
import Projection
import Testing

/// The runtime's transaction on real (in-memory) SQLite.
@Suite("Projection database")
struct ProjectionDatabaseTests {
    static func event(_ orderID: String, _ sequence: Int, customer: String = "cus-1") -> OrderEvent {
        let types: [OrderEventType] = [.created, .placedWithRestaurant, .acceptedByRestaurant, .preparing]
        let type = types[sequence - 1]
        return OrderEvent(
            eventID: UUID(), type: type, orderID: orderID, sequence: sequence, occurredAt: Date(), producer: "test",
            order: OrderSnapshot(
                status: type.resultingStatus, customer: .init(id: customer, name: "C"), restaurant: .init(id: "r", name: "R", region: "n"),
                region: "n", items: [.init(sku: "s", name: "S", quantity: 1, unitPriceCents: 100)], totalCents: 100, currency: "EUR",
                courier: nil,
                promisedBy: Date()))
    }

    static func at(_ offset: Int64) -> EventPosition { EventPosition(partition: 0, offset: offset) }

    @Test("Applies in sequence once; repeats are skipped; gaps and refusals are returned, not applied")
    func dedupe() async throws {
        let database = try ProjectionDatabase(inMemoryFor: StatusProjection(name: "t"))
        let tp = TopicPartition("order-events", 0)
        let first = try await database.apply(
            [
                (Self.event("a", 1), Self.at(0)), (Self.event("a", 2), Self.at(1)), (Self.event("a", 1), Self.at(2)),
                (Self.event("b", 2), Self.at(3)),
                (Self.event("c", 1, customer: "cus-refused"), Self.at(4)),
            ],
            storing: [TopicPartitionOffset(tp, KafkaOffset(5))])
        #expect(first.applied == 2 && first.duplicates == 1)
        #expect(first.rejected.map(\.event.orderID) == ["b", "c"])
        #expect(try await database.storedOffsets(topic: "order-events") == [0: 5])
        let status = try await database.writer.read { try String.fetchOne($0, sql: "SELECT status FROM order_status WHERE orderId = 'a'") }
        let applications = try await database.writer.read {
            try Int.fetchOne($0, sql: "SELECT applications FROM order_status WHERE orderId = 'a'")
        }
        #expect(status == "placed")
        #expect(applications == 2)
    }

    @Test("The checksum depends on the read model only, not on the order it was built in")
    func checksum() async throws {
        let one = try ProjectionDatabase(inMemoryFor: StatusProjection(name: "one"))
        let two = try ProjectionDatabase(inMemoryFor: StatusProjection(name: "two"))
        let a = [(Self.event("a", 1), Self.at(0)), (Self.event("a", 2), Self.at(1))]
        let b = [(Self.event("b", 1), Self.at(2))]
        _ = try await one.apply(a + b, storing: [])
        _ = try await two.apply(b, storing: [])
        #expect(try await one.checksum() != two.checksum())
        _ = try await two.apply(a, storing: [])
        // Same rows, except lastOffset: b was applied at offset 2 in both, a at 0/1 in both.
        #expect(try await one.checksum() == two.checksum())
    }
}
