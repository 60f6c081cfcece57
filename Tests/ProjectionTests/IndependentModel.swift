import Foundation
import GRDB
import OrderEvents
import Orders
import Outbox

/// What each service's read model must hold, computed a second, independent way: by folding each
/// order's events in plain Swift (no SQL, no upserts), straight from the producer's outbox.
/// Rows are compared as text: key → the row's values joined by "|" ("nil" for NULL).
enum IndependentModel {
    static let services = ["restaurants", "delivery", "support", "analytics"]

    /// The produced events, in each order's sequence, with the partition each landed in.
    static func events(_ outbox: [OutboxRecord]) throws -> [String: [(event: OrderEvent, partition: Int32)]] {
        var byOrder: [String: [(event: OrderEvent, partition: Int32)]] = [:]
        for record in outbox {
            byOrder[record.orderId, default: []].append((try OrderEventCodec.decode([UInt8](record.payload)), record.partition ?? -1))
        }
        return byOrder.mapValues { $0.sorted { $0.event.sequence < $1.event.sequence } }
    }

    static func expected(_ service: String, _ orders: [String: [(event: OrderEvent, partition: Int32)]]) -> [String: String] {
        var rows: [String: String] = [:]
        for (id, events) in orders {
            let last = events.last!.event
            let partition = String(events[0].partition)
            func time(_ type: OrderEventType) -> String {
                events.first { $0.event.type == type }.map { String(Timestamp.milliseconds($0.event.occurredAt)) } ?? "nil"
            }
            let finished = last.order.status.isTerminal ? String(Timestamp.milliseconds(last.occurredAt)) : "nil"
            switch service {
            case "restaurants":
                rows[id] = [
                    partition, last.order.restaurant.id, last.order.status.rawValue,
                    String(last.order.items.reduce(0) { $0 + $1.quantity }),
                    String(last.order.totalCents), time(.placedWithRestaurant), time(.acceptedByRestaurant), time(.rejectedByRestaurant),
                    time(.readyForPickup), finished,
                ].joined(separator: "|")
            case "delivery":
                let courier = events.last { $0.event.order.courier != nil }?.event.order.courier
                rows[id] = [
                    partition, last.order.region, last.order.status.rawValue, courier?.id ?? "nil", courier?.name ?? "nil",
                    time(.readyForPickup),
                    time(.courierAssigned), time(.pickedUp), time(.delivered), time(.deliveryFailed),
                ].joined(separator: "|")
            case "support":
                rows[id] = [
                    partition, last.order.customer.id, last.order.status.rawValue, last.order.courier?.name ?? "nil",
                    String(Timestamp.milliseconds(last.occurredAt)), last.order.status.isTerminal ? "1" : "0",
                ].joined(separator: "|")
                for (event, partition) in events {
                    rows["\(id)#\(event.sequence)"] = "\(event.type.rawValue)|\(partition)"
                }
            case "analytics":
                let created = Timestamp.milliseconds(events[0].event.occurredAt)
                let stage = events.compactMap { AnalyticsStages.index(of: $0.event.type) }.max() ?? 0
                rows[id] = [
                    partition, events[0].event.order.region, String(created), String(created / 60_000), String(stage),
                    last.order.status.rawValue, time(.delivered),
                ]
                .joined(separator: "|")
            default:
                fatalError("unknown service \(service)")
            }
        }
        return rows
    }

    /// The same rows, read from a service's SQLite database.
    static func actual(_ service: String, path: String) async throws -> [String: String] {
        let queries: [(key: String, sql: String)] =
            switch service {
            case "restaurants":
                [
                    (
                        "orderId",
                        "SELECT orderId, partition, restaurantId, status, itemCount, totalCents, placedAt, acceptedAt, rejectedAt, readyAt, finishedAt FROM restaurant_order"
                    )
                ]
            case "delivery":
                [
                    (
                        "orderId",
                        "SELECT orderId, partition, region, status, courierId, courierName, readyAt, assignedAt, pickedUpAt, deliveredAt, failedAt FROM delivery_order"
                    )
                ]
            case "support":
                [
                    ("orderId", "SELECT orderId, partition, customerId, status, courierName, lastEventAt, finished FROM support_order"),
                    ("orderId", "SELECT orderId || '#' || sequence AS orderId, type, partition FROM support_timeline"),
                ]
            case "analytics":
                [
                    (
                        "orderId",
                        "SELECT orderId, partition, region, createdAt, createdMinute, stage, status, deliveredAt FROM analytics_order"
                    )
                ]
            default:
                fatalError("unknown service \(service)")
            }
        return try await open(path).read { db in
            var rows: [String: String] = [:]
            for (key, sql) in queries {
                for row in try Row.fetchAll(db, sql: sql) {
                    let values = row.columnNames.dropFirst().map { column -> String in
                        switch (row[column] as DatabaseValue).storage {
                        case .null: "nil"
                        case .int64(let value): String(value)
                        case .double(let value): String(value)
                        case .string(let value): value
                        case .blob(let value): value.base64EncodedString()
                        }
                    }
                    let id: String = row[key]
                    if rows[id] != nil { rows[id] = "DUPLICATE" } else { rows[id] = values.joined(separator: "|") }
                }
            }
            return rows
        }
    }

    /// Events applied, from the runtime's own progress table: the sum of each order's last sequence.
    static func appliedEvents(_ path: String) async throws -> Int {
        guard FileManager.default.fileExists(atPath: path) else { return -1 }
        return try await open(path).read { db in
            // The service may have created the file and not yet its tables.
            guard try db.tableExists("order_progress") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(lastSequence), 0) FROM order_progress") ?? 0
        }
    }

    /// A service's database, opened beside the running service (which may hold the write lock).
    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        return try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Where the model and the database differ, briefly (for a failing test's message).
    static func difference(expected: [String: String], actual: [String: String]) -> String {
        let missing = Set(expected.keys).subtracting(actual.keys)
        let unexpected = Set(actual.keys).subtracting(expected.keys)
        let wrong = expected.keys.filter { actual[$0] != nil && actual[$0] != expected[$0] }.sorted()
        return "missing \(missing.count), unexpected \(unexpected.count), different \(wrong.count)"
            + (wrong.first.map { ": \($0) expected \(expected[$0]!) got \(actual[$0]!)" } ?? "")
    }
}

/// The analytics funnel's stage of an event type, written out here rather than taken from the
/// projection, so the model does not share its code.
enum AnalyticsStages {
    static func index(of type: OrderEventType) -> Int? {
        switch type {
        case .created: 0
        case .placedWithRestaurant: 1
        case .acceptedByRestaurant: 2
        case .preparing: 3
        case .readyForPickup: 4
        case .courierAssigned: 5
        case .pickedUp: 6
        case .outForDelivery: 7
        case .delivered: 8
        case .rejectedByRestaurant, .cancelledByCustomer, .deliveryFailed: nil
        }
    }
}
