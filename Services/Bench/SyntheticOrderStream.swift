import Foundation
import OrderEvents

/// Legal order lifecycles made up fast, without the simulator's SQLite ledger, so benchmarks can
/// put a million real order events on a topic in seconds: 90% delivered (9 events), 5% rejected
/// (3), 5% cancelled before the restaurant saw them (2). Deterministic for a given index.
struct SyntheticOrderStream {
    let prefix: String
    let start: Date

    static let regions = ["north", "south", "east", "west", "center"]

    /// The events of order `index`, in sequence; `at` stamps every event (nil: a made-up timeline).
    func events(ofOrder index: Int, at now: Date? = nil) -> [OrderEvent] {
        let id = "\(prefix)-\(String(index))"
        let path: [OrderEventType] =
            switch index % 20 {
            case 0: [.created, .cancelledByCustomer]
            case 1: [.created, .placedWithRestaurant, .rejectedByRestaurant]
            default:
                [
                    .created, .placedWithRestaurant, .acceptedByRestaurant, .preparing, .readyForPickup, .courierAssigned, .pickedUp,
                    .outForDelivery, .delivered,
                ]
            }
        let restaurant = index % 40
        let region = Self.regions[restaurant % Self.regions.count]
        var order = OrderSnapshot(
            status: .created, customer: .init(id: "cus-\(index % 5_000)", name: "Customer \(index % 5_000)"),
            restaurant: .init(id: "res-\(restaurant)", name: "Restaurant \(restaurant)", region: region), region: region,
            items: [.init(sku: "sku-\(index % 97)", name: "Dish \(index % 97)", quantity: 1 + index % 3, unitPriceCents: 1_250)],
            totalCents: (1 + index % 3) * 1_250, currency: "EUR", courier: nil,
            promisedBy: start.addingTimeInterval(Double(index) * 0.01 + 2_400))
        return path.enumerated().map { step, type in
            order.status = type.resultingStatus
            if type == .courierAssigned { order.courier = .init(id: "cou-\(index % 80)", name: "Courier \(index % 80)") }
            return OrderEvent(
                eventID: UUID(), type: type, orderID: id, sequence: step + 1,
                occurredAt: now ?? start.addingTimeInterval(Double(index) * 0.01 + Double(step) * 120), producer: "bench",
                order: order, reason: type.requiresReason ? "bench" : nil)
        }
    }
}
