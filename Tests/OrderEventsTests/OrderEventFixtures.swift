import Foundation
import OrderEvents

/// Deterministic sample events: one valid event of every type, and random legal lifecycles.
enum OrderEventFixtures {
    static let epoch = Date(timeIntervalSince1970: 1_795_000_000.125)  // 2026-11-18, millisecond precision

    static func snapshot(status: OrderStatus, courier: Bool) -> OrderSnapshot {
        OrderSnapshot(
            status: status,
            customer: .init(id: "cus-0042", name: "Ada Lovelace"),
            restaurant: .init(id: "res-007", name: "Pho Real", region: "north"),
            region: "north",
            items: [
                .init(sku: "pho-bo", name: "Phở bò", quantity: 2, unitPriceCents: 1250),
                .init(sku: "spring-rolls", name: "Spring rolls", quantity: 1, unitPriceCents: 590),
            ],
            totalCents: 3090, currency: "EUR",
            courier: courier ? .init(id: "cou-013", name: "Kim Park") : nil,
            promisedBy: epoch.addingTimeInterval(45 * 60))
    }

    /// The position of `type` on its path from `order.created`, and the path's statuses.
    static func path(to type: OrderEventType) -> [OrderEventType] {
        let happy: [OrderEventType] = [
            .created, .placedWithRestaurant, .acceptedByRestaurant, .preparing, .readyForPickup, .courierAssigned, .pickedUp,
            .outForDelivery, .delivered,
        ]
        switch type {
        case .rejectedByRestaurant: return [.created, .placedWithRestaurant, .rejectedByRestaurant]
        case .cancelledByCustomer: return [.created, .placedWithRestaurant, .acceptedByRestaurant, .cancelledByCustomer]
        case .deliveryFailed: return Array(happy.prefix(8)) + [.deliveryFailed]
        default: return Array(happy.prefix(through: happy.firstIndex(of: type)!))
        }
    }

    static func event(_ type: OrderEventType) -> OrderEvent {
        let steps = path(to: type)
        let sequence = steps.count
        let hasCourier = steps.contains(.courierAssigned)
        let reason: String? =
            switch type {
            case .rejectedByRestaurant: "kitchen closing early"
            case .cancelledByCustomer: "ordered by mistake"
            case .deliveryFailed: "customer not reachable"
            default: nil
            }
        let id = String(format: "8d6f3c1e-2b4a-4f7e-9c1d-%012x", sequence * 16 + OrderEventType.allCases.firstIndex(of: type)!)
        return OrderEvent(
            eventID: UUID(uuidString: id)!, type: type, orderID: "ord-000123", sequence: sequence,
            occurredAt: epoch.addingTimeInterval(Double(sequence) * 60), producer: "orders",
            order: snapshot(status: type.resultingStatus, courier: hasCourier), reason: reason)
    }

    /// A random legal lifecycle, as the simulator would produce it.
    static func randomLifecycle(orderID: String, using generator: inout some RandomNumberGenerator) -> [OrderEvent] {
        var events: [OrderEvent] = []
        var status: OrderStatus?
        var type = OrderEventType.created
        var courier = false
        var time = epoch.addingTimeInterval(Double.random(in: 0...86_400, using: &generator))
        while true {
            status = try! OrderLifecycle.apply(type, to: status)
            courier = courier || type == .courierAssigned
            let reason = type.requiresReason ? ["no stock", "changed my mind", "nobody home"].randomElement(using: &generator)! : nil
            var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
            bytes[6] = bytes[6] & 0x0f | 0x40
            bytes[8] = bytes[8] & 0x3f | 0x80
            let uuid = UUID(
                uuid: (
                    bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                    bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
                ))
            time = time.addingTimeInterval(Double(Int.random(in: 1...900_000, using: &generator)) / 1000)
            events.append(
                OrderEvent(
                    eventID: uuid, type: type, orderID: orderID, sequence: events.count + 1, occurredAt: time, producer: "orders",
                    order: snapshot(status: status!, courier: courier), reason: reason))
            let next = OrderLifecycle.next(after: status!)
            guard let chosen = next.randomElement(using: &generator) else { return events }
            type = chosen
        }
    }
}

/// SplitMix64: a small seeded generator, so property tests replay exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
