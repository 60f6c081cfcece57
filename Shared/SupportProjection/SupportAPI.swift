import Foundation
import GRDB
public import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// Support's queries: an order's timeline (also as it stood at an offset), late orders, a
/// customer's orders. An order's timeline is answered by the instance that owns the order's
/// partition; lists are answered by every instance and merged. Parameterised SQL only; ids and
/// paging are validated, with a 400 that says what is allowed.
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
        let database = routes.database
        routes.paged(ConsumerQueries.Support.late, by: { ($0.promisedBy, $0.orderId) < ($1.promisedBy, $1.orderId) }) {
            _, _, scope, limit, offset in
            let now = Timestamp.milliseconds(Date())
            return try await database.writer.read { db in
                try Row.fetchAll(
                    db,
                    SQLRequest<Row>(
                        literal: """
                            SELECT * FROM support_order
                            WHERE ((finished = 0 AND promisedBy < \(now)) OR (status = 'delivered' AND lastEventAt > promisedBy)) AND \(scope.condition())
                            ORDER BY promisedBy, orderId LIMIT \(limit) OFFSET \(offset)
                            """)
                ).map { Self.summary($0, now: now) }
            }
        }
        routes.keyed(
            ConsumerQueries.Support.timeline, key: { _, context in try Self.orderID(context) }
        ) { request, context, _ -> Timeline in
            let id = try Self.orderID(context)
            let asOf = try QueryParameters.optionalInteger(request, "asOfOffset", range: 0...Int64.max)
            let now = Timestamp.milliseconds(Date())
            let timeline: Timeline? = try await database.writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM support_order WHERE orderId = ?", arguments: [id]) else {
                    return nil
                }
                let events = try Row.fetchAll(
                    db, sql: "SELECT * FROM support_timeline WHERE orderId = ? AND offset < ? ORDER BY sequence",
                    arguments: [id, asOf ?? Int64.max]
                ).map {
                    TimelineEntry(
                        sequence: $0["sequence"], type: $0["type"],
                        occurredAt: Timestamp.format(Timestamp.date(milliseconds: $0["occurredAt"])),
                        reason: $0["reason"], partition: $0["partition"], offset: $0["offset"])
                }
                var summary = Self.summary(row, now: now)
                if asOf != nil {
                    guard let last = events.last else { return Timeline(order: summary, events: [], asOfOffset: asOf) }
                    summary.status = OrderEventType(rawValue: last.type)?.resultingStatus.rawValue ?? summary.status
                    summary.lastEventAt = last.occurredAt
                }
                return Timeline(order: summary, events: events, asOfOffset: asOf)
            }
            guard let timeline else {
                throw HTTPError(
                    .notFound,
                    message:
                        "no order '\(id)' in support's projection (yet): check the id, or the projection's lag at \(ProjectionEndpoints.offsets)"
                )
            }
            if asOf != nil && timeline.events.isEmpty {
                throw HTTPError(.notFound, message: "order '\(id)' had no events before offset \(asOf ?? 0) of its partition")
            }
            return timeline
        }
        routes.paged(ConsumerQueries.Support.customer, by: { ($1.lastEventAt, $1.orderId) < ($0.lastEventAt, $0.orderId) }) {
            _, context, scope, limit, offset in
            let id = try QueryParameters.identifier(context.parameters.require("id"), kind: "customer id", example: "cus-0007")
            let now = Timestamp.milliseconds(Date())
            return try await database.writer.read { db in
                try Row.fetchAll(
                    db,
                    SQLRequest<Row>(
                        literal: """
                            SELECT * FROM support_order WHERE customerId = \(id) AND \(scope.condition())
                            ORDER BY lastEventAt DESC, orderId DESC LIMIT \(limit) OFFSET \(offset)
                            """)
                ).map { Self.summary($0, now: now) }
            }
        }
    }

    static func orderID(_ context: BasicRequestContext) throws -> String {
        try QueryParameters.identifier(context.parameters.require("id"), kind: "order id", example: "ord-1-000042")
    }

    static func summary(_ row: Row, now: Int64) -> OrderSummary {
        let promised: Int64 = row["promisedBy"]
        let last: Int64 = row["lastEventAt"]
        let finished: Bool = row["finished"]
        let status: String = row["status"]
        return OrderSummary(
            orderId: row["orderId"], customerId: row["customerId"], customerName: row["customerName"],
            restaurantName: row["restaurantName"],
            region: row["region"], status: status, courierName: row["courierName"], totalCents: row["totalCents"],
            promisedBy: Timestamp.format(Timestamp.date(milliseconds: promised)),
            lastEventAt: Timestamp.format(Timestamp.date(milliseconds: last)),
            late: finished ? (status == "delivered" && last > promised) : now > promised)
    }
}
