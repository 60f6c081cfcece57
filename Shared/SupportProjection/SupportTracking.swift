import Foundation
import Hummingbird
import OrderEvents
import Projection
public import ProjectionServer
import ServiceAPI
import ServiceRuntime

/// Live order tracking (`TrackingEndpoints`): the order's events so far from the read model, then
/// each new one as the projection commits it (`CommittedEvents`), as server-sent events; and the
/// customer's page that shows them. Nothing polls the database.
public struct SupportTracking: Sendable {
    /// How long a stream waits for the first event of an order support does not know yet (it may
    /// have been placed a moment ago) before it says so and ends.
    public var unknownOrderWait: Duration = .seconds(60)
    /// A comment line this often keeps proxies from closing an idle stream, and finds clients that
    /// left.
    public var heartbeat: Duration = .seconds(15)

    public init() {}

    public func addRoutes(to routes: QueryRoutes) {
        let (readModel, routing, committed) = (SupportReadModel(routes.database), routes.routing, routes.committed)
        let (unknownOrderWait, heartbeat) = (unknownOrderWait, heartbeat)
        routes.router.on(TrackingEndpoints.page) { request, context -> Response in
            let id = try SupportAPI.orderID(context)
            if let owner = try await routing.owner(ofKey: id, request: request) { return Self.redirect(to: owner, request) }
            let page = try BundledResource.page(
                module: "SupportProjection", file: "track.html", values: ["ORDER": id, "UPDATES": TrackingEndpoints.updates.path(id)])
            return Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: page)))
        }
        routes.router.on(TrackingEndpoints.updates) { request, context -> Response in
            let id = try SupportAPI.orderID(context)
            if let owner = try await routing.owner(ofKey: id, request: request) { return Self.redirect(to: owner, request) }
            // Listen first, then read what is stored: an event committed in between comes twice
            // (and is skipped by its sequence), never not at all.
            let live = committed.subscribe()
            let stored = try await Self.updates(of: id, in: readModel)
            return Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { writer in
                    var last = 0
                    for update in stored {
                        try await writer.write(Self.frame(update))
                        last = update.sequence
                        if update.terminal { return try await writer.finish(nil) }
                    }
                    // The order's live events and a heartbeat, merged in one stream: children of
                    // this response, cancelled when it ends (the order finished, or the client left).
                    let (items, feed) = AsyncStream.makeStream(of: Item.self)
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        group.addTask {
                            for await event in live where event.orderID == id { feed.yield(.event(event)) }
                        }
                        group.addTask {
                            while !Task.isCancelled {
                                try await Task.sleep(for: heartbeat)
                                feed.yield(.tick)
                            }
                        }
                        defer { group.cancelAll() }
                        let started = ContinuousClock.now
                        for await item in items {
                            switch item {
                            case .event(let event) where event.sequence > last:
                                let update = Self.update(event)
                                try await writer.write(Self.frame(update))
                                last = update.sequence
                                if update.terminal { return }
                            case .event:
                                continue
                            case .tick:
                                if last == 0 && ContinuousClock.now - started > unknownOrderWait {
                                    try await writer.write(
                                        ByteBuffer(
                                            string:
                                                "event: missing\ndata: support has no order \(id) after \(unknownOrderWait): check the id\n\n"
                                        ))
                                    return
                                }
                                if Task.isShuttingDownGracefully { return }
                                try await writer.write(ByteBuffer(string: ": still here\n\n"))
                            }
                        }
                    }
                    try await writer.finish(nil)
                })
        }
    }

    enum Item: Sendable {
        case event(OrderEvent)
        case tick
    }

    static func redirect(to owner: URL, _ request: Request) -> Response {
        let location = owner.absoluteString.trimmingCharacters(in: ["/"]) + request.uri.description
        return Response(status: .temporaryRedirect, headers: [.location: location])
    }

    static func frame(_ update: OrderUpdate) throws -> ByteBuffer {
        ByteBuffer(string: "data: " + String(decoding: try JSONEncoder().encode(update), as: UTF8.self) + "\n\n")
    }

    static func update(_ event: OrderEvent) -> OrderUpdate {
        OrderUpdate(
            orderId: event.orderID, sequence: event.sequence, type: event.type.rawValue, status: event.type.resultingStatus.rawValue,
            occurredAt: Timestamp.format(event.occurredAt), reason: event.reason, terminal: event.type.resultingStatus.isTerminal)
    }

    /// The order's steps as support's read model holds them.
    static func updates(of order: String, in readModel: SupportReadModel) async throws -> [OrderUpdate] {
        (try await readModel.timeline(orderID: order)?.events ?? []).compactMap { entry in
            guard let known = OrderEventType(rawValue: entry.type) else { return nil }
            return OrderUpdate(
                orderId: order, sequence: entry.sequence, type: entry.type, status: known.resultingStatus.rawValue,
                occurredAt: Timestamp.format(Timestamp.date(milliseconds: entry.occurredAt)), reason: entry.reason,
                terminal: known.resultingStatus.isTerminal)
        }
    }
}
