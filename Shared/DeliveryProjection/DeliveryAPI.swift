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
        let readModel = DeliveryReadModel(routes.database)
        routes.merged(ConsumerQueries.Delivery.couriers, merge: { lists, _ in Self.merge(lists) }) { _, _, scope in
            Couriers(
                couriers: try await readModel.couriers(scope: scope).map {
                    Courier(
                        courierId: $0.courierId, courierName: $0.courierName, currentOrders: $0.currentOrders, delivered: $0.delivered,
                        failed: $0.failed)
                })
        }
        routes.paged(ConsumerQueries.Delivery.deliveries, by: { ($1.assignedAt ?? "", $1.orderId) < ($0.assignedAt ?? "", $0.orderId) }) {
            _, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "courier id", example: "cou-07")
            return try await readModel.deliveries(courierID: id, scope: scope, limit: limit, offset: offset).map(Self.delivery)
        }
        routes.paged(ConsumerQueries.Delivery.awaitingPickup, by: { ($0.readyAt ?? "", $0.orderId) < ($1.readyAt ?? "", $1.orderId) }) {
            _, _, scope, limit, offset in
            try await readModel.awaitingPickup(scope: scope, limit: limit, offset: offset).map(Self.delivery)
        }
        routes.paged(ConsumerQueries.Delivery.inFlight, by: { ($0.pickedUpAt ?? "", $0.orderId) < ($1.pickedUpAt ?? "", $1.orderId) }) {
            _, _, scope, limit, offset in
            try await readModel.inFlight(scope: scope, limit: limit, offset: offset).map(Self.delivery)
        }
        routes.merged(
            ConsumerQueries.Delivery.durations,
            merge: { (parts: [Durations], _) in
                var histogram = DurationHistogram()
                for part in parts { histogram.merge(part.histogram) }
                return Durations(delivery: histogram.summary, histogram: histogram)
            }
        ) { _, _, scope in
            let histogram = try await readModel.deliveryDurations(scope: scope)
            return Durations(delivery: histogram.summary, histogram: histogram)
        }
    }

    static func delivery(_ order: DeliveryOrder) -> Delivery {
        func time(_ milliseconds: Int64?) -> String? { milliseconds.map { Timestamp.format(Timestamp.date(milliseconds: $0)) } }
        return Delivery(
            orderId: order.orderId, status: order.status, region: order.region, restaurantName: order.restaurantName,
            customerName: order.customerName, courierId: order.courierId, courierName: order.courierName, readyAt: time(order.readyAt),
            assignedAt: time(order.assignedAt), pickedUpAt: time(order.pickedUpAt), finishedAt: time(order.deliveredAt ?? order.failedAt))
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
