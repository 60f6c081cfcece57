import Foundation
import GRDB
public import Hummingbird
import OrderEvents
public import Projection

/// Support's queries: an order's timeline, late orders, a customer's orders. Parameterised SQL
/// only; ids and paging are validated, with a 400 that says what is allowed.
public struct SupportAPI: Sendable {
    public let database: ProjectionDatabase

    public init(database: ProjectionDatabase) { self.database = database }

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
    }

    public struct Page<Item: Codable & Sendable>: ResponseEncodable, Decodable, Sendable {
        public var items: [Item]
        public var limit: Int
        public var offset: Int
    }

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.get("/orders/late") { request, _ -> Page<OrderSummary> in
            let (limit, offset) = try Self.paging(request)
            let now = Timestamp.milliseconds(Date())
            let items = try await database.writer.read { db in
                try Row.fetchAll(
                    db, sql: """
                        SELECT * FROM support_order
                        WHERE (finished = 0 AND promisedBy < ?) OR (status = 'delivered' AND lastEventAt > promisedBy)
                        ORDER BY promisedBy, orderId LIMIT ? OFFSET ?
                        """, arguments: [now, limit, offset]
                ).map { Self.summary($0, now: now) }
            }
            return Page(items: items, limit: limit, offset: offset)
        }
        router.get("/orders/:id/timeline") { _, context -> Timeline in
            let id = try Self.identifier(context.parameters.require("id"), kind: "order id")
            let now = Timestamp.milliseconds(Date())
            let timeline: Timeline? = try await database.writer.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM support_order WHERE orderId = ?", arguments: [id]) else { return nil }
                let events = try Row.fetchAll(db, sql: "SELECT * FROM support_timeline WHERE orderId = ? ORDER BY sequence", arguments: [id]).map {
                    TimelineEntry(
                        sequence: $0["sequence"], type: $0["type"], occurredAt: Timestamp.format(Timestamp.date(milliseconds: $0["occurredAt"])),
                        reason: $0["reason"], partition: $0["partition"], offset: $0["offset"])
                }
                return Timeline(order: Self.summary(row, now: now), events: events)
            }
            guard let timeline else { throw HTTPError(.notFound, message: "no order '\(id)' in support's projection (yet): check the id, or the projection's lag at /offsets") }
            return timeline
        }
        router.get("/customers/:id/orders") { request, context -> Page<OrderSummary> in
            let id = try Self.identifier(context.parameters.require("id"), kind: "customer id")
            let (limit, offset) = try Self.paging(request)
            let now = Timestamp.milliseconds(Date())
            let items = try await database.writer.read { db in
                try Row.fetchAll(
                    db, sql: "SELECT * FROM support_order WHERE customerId = ? ORDER BY lastEventAt DESC, orderId LIMIT ? OFFSET ?",
                    arguments: [id, limit, offset]
                ).map { Self.summary($0, now: now) }
            }
            return Page(items: items, limit: limit, offset: offset)
        }
    }

    static func summary(_ row: Row, now: Int64) -> OrderSummary {
        let promised: Int64 = row["promisedBy"]
        let last: Int64 = row["lastEventAt"]
        let finished: Bool = row["finished"]
        let status: String = row["status"]
        return OrderSummary(
            orderId: row["orderId"], customerId: row["customerId"], customerName: row["customerName"], restaurantName: row["restaurantName"],
            region: row["region"], status: status, courierName: row["courierName"], totalCents: row["totalCents"],
            promisedBy: Timestamp.format(Timestamp.date(milliseconds: promised)), lastEventAt: Timestamp.format(Timestamp.date(milliseconds: last)),
            late: finished ? (status == "delivered" && last > promised) : now > promised)
    }

    static func identifier(_ text: String, kind: String) throws -> String {
        guard (1...64).contains(text.count), text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw HTTPError(.badRequest, message: "\(kind) must be 1–64 letters, digits, '-' or '_' (e.g. ord-1-000042, cus-0007)")
        }
        return text
    }

    static func paging(_ request: Request) throws -> (limit: Int, offset: Int) {
        func value(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
            guard let text = request.uri.queryParameters.get(name) else { return fallback }
            guard let number = Int(text), range.contains(number) else {
                throw HTTPError(.badRequest, message: "\(name) must be a whole number in \(range.lowerBound)…\(range.upperBound)")
            }
            return number
        }
        return (try value("limit", default: 50, range: 1...500), try value("offset", default: 0, range: 0...1_000_000))
    }
}
