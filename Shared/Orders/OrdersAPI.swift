import Contract
import Foundation
public import Hummingbird
import MessageTracing
import OrderEvents
import Outbox
public import ServiceAPI
import ServiceRuntime

/// The orders service's HTTP API: place an order by hand, look at one, cancel one.
///
/// Every bad request gets a 4xx with a message that says what to fix; nothing is written then.
public struct OrdersAPI: Sendable {
    public let ledger: OrderLedger
    public let simulator: CitySimulator

    public init(ledger: OrderLedger, simulator: CitySimulator) {
        self.ledger = ledger
        self.simulator = simulator
    }

    public typealias PlaceOrder = OrdersEndpoints.PlaceOrder
    public typealias CancelOrder = OrdersEndpoints.CancelOrder
    public typealias OrderView = OrdersEndpoints.OrderView
    public typealias Stats = OrdersEndpoints.Stats

    public func addRoutes<Context: RequestContext>(to router: Router<Context>) {
        router.on(OrdersEndpoints.stats) { _, _ -> Stats in try await ledger.database.stats() }
        router.on(OrdersEndpoints.placeOrder) { request, context -> EditedResponse<OrderView> in
            let body = try await Self.decode(PlaceOrder.self, from: request, context: context)
            let snapshot = try validate(body)
            // A whole UUID: a shortened one repeats within the orders one load test places.
            let orderID = "ord-api-" + UUID().uuidString.lowercased()
            // A caller's trace (W3C `traceparent`) is the order's: every event of it continues it.
            // With a tracer, the order's first event is a child of this request's span (which
            // itself continues the caller's trace); without one, of a new span of the caller's trace.
            let incoming = request.headers.first { $0.name.canonicalName == EventHeaders.traceparent }
                .flatMap { TraceContext(traceparent: $0.value) }
            let trace = MessageTracer.currentTraceparent.flatMap(TraceContext.init(traceparent:)) ?? Self.newTrace(in: incoming)
            let created = try await ledger.create(orderID: orderID, snapshot: snapshot, at: Date(), trace: trace)
            simulator.adopt(orderID)
            // The order as just committed: its one event, not yet relayed (no read back).
            let view = OrderView(
                orderId: orderID, status: created.order.status, sequence: created.sequence, order: created.order,
                events: [.init(sequence: created.sequence, type: created.type.rawValue, published: false, partition: nil, offset: nil)])
            return EditedResponse(status: .created, headers: [.location: OrdersEndpoints.order.path(orderID)], response: view)
        }
        router.on(OrdersEndpoints.order) { _, context -> OrderView in
            try await view(try context.parameters.require("id"))
        }
        router.on(OrdersEndpoints.cancelOrder) { request, context -> OrderView in
            let id = try context.parameters.require("id")
            let body = try await Self.decode(CancelOrder.self, from: request, context: context, emptyMeans: CancelOrder(reason: nil))
            let reason = body.reason.flatMap { $0.isEmpty ? nil : $0 } ?? "cancelled by the customer"
            guard reason.count <= 500 else { throw HTTPError(.badRequest, message: "reason: at most 500 characters") }
            do {
                try await ledger.advance(orderID: id, to: .cancelledByCustomer, reason: reason, at: Date(), trace: Self.newTrace())
            } catch OrderLedger.Failure.unknownOrder {
                throw HTTPError(
                    .notFound, message: "no order with id '\(id)'; list ids with \(OrdersEndpoints.order) from the simulator's output")
            } catch OrderLedger.Failure.illegal(let transition) {
                throw HTTPError(.conflict, message: "cannot cancel: \(transition)")
            }
            return try await view(id)
        }
    }

    // MARK: - Helpers

    /// A new span of `parent`'s trace, or of a new trace.
    private static func newTrace(in parent: TraceContext? = nil) -> TraceContext {
        var random = SystemRandomNumberGenerator()
        return parent?.child(using: &random) ?? .random(using: &random)
    }

    private static func decode<T: Decodable, Context: RequestContext>(
        _ type: T.Type, from request: Request, context: Context, emptyMeans empty: T? = nil
    ) async throws -> T {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0, let empty { return empty }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let DecodingError.keyNotFound(key, _) {
            throw HTTPError(.badRequest, message: "missing field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context) {
            throw HTTPError(
                .badRequest, message: "field '\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw HTTPError(
                .badRequest,
                message:
                    "the body is not valid JSON for this request: send {\"customerId\": …, \"restaurantId\": …, \"items\": [{\"sku\": …, \"quantity\": …}]}"
            )
        }
    }

    private func validate(_ body: PlaceOrder) throws -> OrderSnapshot {
        let city = simulator.city
        guard let customer = city.customers.first(where: { $0.customer.id == body.customerId }) else {
            throw HTTPError(
                .badRequest,
                message:
                    "unknown customerId '\(body.customerId.prefix(64))'; customers are cus-0001 … cus-\(city.customers.count.padded(4))")
        }
        guard let restaurant = city.restaurants.first(where: { $0.info.id == body.restaurantId }) else {
            throw HTTPError(
                .badRequest,
                message:
                    "unknown restaurantId '\(body.restaurantId.prefix(64))'; restaurants are res-001 … res-\(city.restaurants.count.padded(3))"
            )
        }
        guard (1...20).contains(body.items.count) else { throw HTTPError(.badRequest, message: "items: between 1 and 20 lines") }
        let items = try body.items.map { line -> OrderSnapshot.Item in
            guard var item = restaurant.menu.first(where: { $0.sku == line.sku }) else {
                throw HTTPError(
                    .badRequest,
                    message:
                        "sku '\(line.sku.prefix(64))' is not on \(restaurant.info.name)'s menu: \(restaurant.menu.map(\.sku).joined(separator: ", "))"
                )
            }
            guard (1...20).contains(line.quantity) else {
                throw HTTPError(.badRequest, message: "quantity of \(line.sku): between 1 and 20")
            }
            item.quantity = line.quantity
            return item
        }
        return OrderSnapshot(
            status: .created, customer: customer.customer, restaurant: restaurant.info, region: customer.region, items: items,
            totalCents: items.reduce(0) { $0 + $1.quantity * $1.unitPriceCents }, currency: "EUR", courier: nil,
            promisedBy: Date().addingTimeInterval(45 / simulator.configuration.speed))
    }

    private func view(_ id: String) async throws -> OrderView {
        guard let (snapshot, sequence) = try await ledger.order(id) else {
            throw HTTPError(.notFound, message: "no order with id '\(id.prefix(64))'")
        }
        let rows = try await ledger.database.orderEvents(of: id)
        return OrderView(
            orderId: id, status: snapshot.status, sequence: sequence, order: snapshot,
            events: rows.map {
                .init(sequence: $0.sequence, type: $0.type, published: $0.sentAt != nil, partition: $0.partition, offset: $0.offset)
            })
    }
}

extension OrdersEndpoints.OrderView: ResponseEncodable {}
extension OrdersEndpoints.Stats: ResponseEncodable {}
