import Foundation
public import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// Support's queries: an order's timeline (also as it stood at an offset), late orders, a
/// customer's orders. An order's timeline is answered by the instance that owns the order's
/// partition; lists are answered by every instance and merged. Handlers validate ids and paging
/// (a 400 says what is allowed), ask `SupportReadModel`, and encode its answer.
public struct SupportAPI: Sendable {
    public init() {}

    public struct OrderSummary: Codable, Sendable, Equatable {
        public var orderId: String
        public var customerId: String
        public var customerName: String
        public var restaurantName: String
        public var region: String
        public var status: String
        public var courierName: String?
        public var totalCents: Int
        public var promisedBy: String
        public var lastEventAt: String
        public var late: Bool
    }

    public struct TimelineEntry: Codable, Sendable, Equatable {
        public var sequence: Int
        public var type: String
        public var occurredAt: String
        public var reason: String?
        public var partition: Int
        public var offset: Int64
    }

    public struct Timeline: ResponseEncodable, Decodable, Sendable {
        public var order: OrderSummary
        public var events: [TimelineEntry]
        /// Set for `?asOfOffset=N`: the timeline as it stood when the order's partition had been
        /// read up to (not including) offset N; `order.status` is the status then.
        public var asOfOffset: Int64?
    }

    public func addRoutes(to routes: QueryRoutes) {
        let readModel = SupportReadModel(routes.database)
        routes.paged(ConsumerQueries.Support.late, by: { ($0.promisedBy, $0.orderId) < ($1.promisedBy, $1.orderId) }) {
            _, _, scope, limit, offset in
            let now = Timestamp.milliseconds(Date())
            return try await readModel.lateOrders(now: now, scope: scope, limit: limit, offset: offset).map { Self.summary($0, now: now) }
        }
        routes.keyed(
            ConsumerQueries.Support.timeline, key: { _, context in try Self.orderID(context) }
        ) { request, context, _ -> Timeline in
            let id = try Self.orderID(context)
            let asOf = try QueryParameters.optionalInteger(request, "asOfOffset", range: 0...Int64.max)
            guard let (order, entries) = try await readModel.timeline(orderID: id, before: asOf) else {
                throw HTTPError(
                    .notFound,
                    message:
                        "no order '\(id)' in support's projection (yet): check the id, or the projection's lag at \(ProjectionEndpoints.offsets)"
                )
            }
            let events = entries.map {
                TimelineEntry(
                    sequence: $0.sequence, type: $0.type, occurredAt: Timestamp.format(Timestamp.date(milliseconds: $0.occurredAt)),
                    reason: $0.reason, partition: Int($0.partition), offset: $0.offset)
            }
            var summary = Self.summary(order, now: Timestamp.milliseconds(Date()))
            if let asOf {
                guard let last = events.last else {
                    throw HTTPError(.notFound, message: "order '\(id)' had no events before offset \(asOf) of its partition")
                }
                summary.status = OrderEventType(rawValue: last.type)?.resultingStatus.rawValue ?? summary.status
                summary.lastEventAt = last.occurredAt
            }
            return Timeline(order: summary, events: events, asOfOffset: asOf)
        }
        routes.paged(ConsumerQueries.Support.customer, by: { ($1.lastEventAt, $1.orderId) < ($0.lastEventAt, $0.orderId) }) {
            _, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "customer id", example: "cus-0007")
            let now = Timestamp.milliseconds(Date())
            return try await readModel.customerOrders(customerID: id, scope: scope, limit: limit, offset: offset).map {
                Self.summary($0, now: now)
            }
        }
    }

    static func orderID(_ context: BasicRequestContext) throws -> String {
        try QueryParameters.identifier(context.parameters.require("id"), kind: "order id", example: "ord-1-000042")
    }

    static func summary(_ order: SupportOrder, now: Int64) -> OrderSummary {
        OrderSummary(
            orderId: order.orderId, customerId: order.customerId, customerName: order.customerName, restaurantName: order.restaurantName,
            region: order.region, status: order.status, courierName: order.courierName, totalCents: order.totalCents,
            promisedBy: Timestamp.format(Timestamp.date(milliseconds: order.promisedBy)),
            lastEventAt: Timestamp.format(Timestamp.date(milliseconds: order.lastEventAt)),
            late: order.finished
                ? (order.status == OrderStatus.delivered.rawValue && order.lastEventAt > order.promisedBy) : now > order.promisedBy)
    }
}
