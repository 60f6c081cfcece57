import GRDB
public import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// Delivery's queries: couriers and their current assignments, one courier's deliveries, orders
/// awaiting pickup, deliveries in flight, delivery durations. All span partitions (a courier
/// carries orders of every partition), so every instance answers and the answers are merged.
public struct DeliveryAPI: Sendable {
    public init() {}

    public struct Delivery: Codable, Sendable, Equatable {
        public var orderId: String
        public var status: String
        public var region: String
        public var restaurantName: String
        public var customerName: String
        public var courierId: String?
        public var courierName: String?
        public var readyAt: String?
        public var assignedAt: String?
        public var pickedUpAt: String?
        public var finishedAt: String?
    }

    public struct Courier: Codable, Sendable, Equatable {
        public var courierId: String
        public var courierName: String
        /// Orders the courier is carrying or on the way to collect.
        public var currentOrders: [String]
        public var delivered: Int
        public var failed: Int
    }

    public struct Couriers: ResponseEncodable, Decodable, Sendable {
        public var couriers: [Courier]
    }

    public struct Durations: ResponseEncodable, Decodable, Sendable {
        /// Picked up → delivered.
        public var delivery: DurationHistogram.Summary
        public var histogram: DurationHistogram
    }

    public func addRoutes(to routes: QueryRoutes) {
        let database = routes.database
        routes.merged(ConsumerQueries.Delivery.couriers, merge: { lists, _ in Self.merge(lists) }) { _, _, scope in
            try await Self.couriers(database, scope: scope)
        }
        routes.paged(ConsumerQueries.Delivery.deliveries, by: { ($1.assignedAt ?? "", $1.orderId) < ($0.assignedAt ?? "", $0.orderId) }) {
            _, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "courier id", example: "cou-07")
            return try await Self.deliveries(
                database, "courierId = \(id)", order: "assignedAt DESC, orderId DESC", scope: scope, limit: limit, offset: offset)
        }
        routes.paged(ConsumerQueries.Delivery.awaitingPickup, by: { ($0.readyAt ?? "", $0.orderId) < ($1.readyAt ?? "", $1.orderId) }) {
            _, _, scope, limit, offset in
            try await Self.deliveries(
                database, "status IN \(DeliveryProjection.awaitingPickup.map(\.rawValue))", order: "readyAt, orderId", scope: scope,
                limit: limit, offset: offset)
        }
        routes.paged(ConsumerQueries.Delivery.inFlight, by: { ($0.pickedUpAt ?? "", $0.orderId) < ($1.pickedUpAt ?? "", $1.orderId) }) {
            _, _, scope, limit, offset in
            try await Self.deliveries(
                database, "status IN \(DeliveryProjection.inFlight.map(\.rawValue))", order: "pickedUpAt, orderId", scope: scope,
                limit: limit, offset: offset)
        }
        routes.merged(
            ConsumerQueries.Delivery.durations,
            merge: { (parts: [Durations], _) in
                var histogram = DurationHistogram()
                for part in parts { histogram.merge(part.histogram) }
                return Durations(delivery: histogram.summary, histogram: histogram)
            }
        ) { _, _, scope in
            let histogram = try await database.writer.read { db in
                var histogram = DurationHistogram()
                let rows = try Row.fetchAll(
                    db,
                    SQLRequest<Row>(
                        literal: """
                            SELECT (deliveredAt - pickedUpAt) / 1000 AS seconds, COUNT(*) AS n FROM delivery_order
                            WHERE deliveredAt IS NOT NULL AND pickedUpAt IS NOT NULL AND \(scope.condition()) GROUP BY seconds
                            """))
                for row in rows { histogram.add(seconds: row["seconds"], count: row["n"]) }
                return histogram
            }
            return Durations(delivery: histogram.summary, histogram: histogram)
        }
    }

    static func deliveries(_ database: ProjectionDatabase, _ filter: SQL, order: String, scope: PartitionScope, limit: Int, offset: Int)
        async throws -> [Delivery]
    {
        try await database.writer.read { db in
            try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal:
                        "SELECT * FROM delivery_order WHERE \(filter) AND \(scope.condition()) ORDER BY \(sql: order) LIMIT \(limit) OFFSET \(offset)"
                )
            ).map { row in
                func time(_ column: String) -> String? {
                    (row[column] as Int64?).map { Timestamp.format(Timestamp.date(milliseconds: $0)) }
                }
                return Delivery(
                    orderId: row["orderId"], status: row["status"], region: row["region"], restaurantName: row["restaurantName"],
                    customerName: row["customerName"], courierId: row["courierId"], courierName: row["courierName"],
                    readyAt: time("readyAt"),
                    assignedAt: time("assignedAt"), pickedUpAt: time("pickedUpAt"), finishedAt: time("deliveredAt") ?? time("failedAt"))
            }
        }
    }

    static func couriers(_ database: ProjectionDatabase, scope: PartitionScope) async throws -> Couriers {
        let busy = DeliveryProjection.assigned.map(\.rawValue)
        return try await database.writer.read { db in
            var couriers: [String: Courier] = [:]
            let rows = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal: """
                        SELECT courierId, MAX(courierName) AS name, SUM(deliveredAt IS NOT NULL) AS delivered, SUM(failedAt IS NOT NULL) AS failed
                        FROM delivery_order WHERE courierId IS NOT NULL AND \(scope.condition()) GROUP BY courierId
                        """))
            for row in rows {
                couriers[row["courierId"]] = Courier(
                    courierId: row["courierId"], courierName: row["name"], currentOrders: [], delivered: row["delivered"],
                    failed: row["failed"])
            }
            let current = try Row.fetchAll(
                db,
                SQLRequest<Row>(
                    literal:
                        "SELECT courierId, orderId FROM delivery_order WHERE status IN \(busy) AND courierId IS NOT NULL AND \(scope.condition()) ORDER BY orderId"
                ))
            for row in current { couriers[row["courierId"]]?.currentOrders.append(row["orderId"]) }
            return Couriers(couriers: couriers.values.sorted { $0.courierId < $1.courierId })
        }
    }

    static func merge(_ lists: [Couriers]) -> Couriers {
        var merged: [String: Courier] = [:]
        for courier in lists.flatMap(\.couriers) {
            guard var existing = merged[courier.courierId] else {
                merged[courier.courierId] = courier
                continue
            }
            existing.currentOrders = (existing.currentOrders + courier.currentOrders).sorted()
            existing.delivered += courier.delivered
            existing.failed += courier.failed
            merged[courier.courierId] = existing
        }
        return Couriers(couriers: merged.values.sorted { $0.courierId < $1.courierId })
    }
}
