public import Hummingbird
public import Projection
import Foundation
import ServiceRuntime

/// How a projection's API declares its queries: each is either about one key (answered by the
/// instance owning the key's partition) or across keys (answered by every instance and merged).
/// Alone, an instance answers everything itself.
public struct QueryRoutes {
    public let router: Router<BasicRequestContext>
    public let database: ProjectionDatabase
    public let routing: PeerRouting

    public init(router: Router<BasicRequestContext>, database: ProjectionDatabase, routing: PeerRouting) {
        self.router = router
        self.database = database
        self.routing = routing
    }

    /// A single-instance set of routes (tests, and services run without `--peer`).
    public init(router: Router<BasicRequestContext>, database: ProjectionDatabase) {
        self.init(router: router, database: database, routing: PeerRouting(peers: []) {
            InstanceInfo(group: database.projection.name, topic: "", partitionCount: 0, assignment: [], peers: [])
        })
    }

    /// A query about one order (the topic's key): forwarded to the owner of its partition.
    public func keyed<Output: ResponseGenerator>(
        _ path: RouterPath, key: @escaping @Sendable (Request, BasicRequestContext) throws -> String,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope) async throws -> Output
    ) {
        let routing = self.routing
        router.get(path) { request, context -> Response in
            let key = try key(request, context)
            if let owner = try await routing.owner(ofKey: key, request: request) {
                return try await routing.forward(request, to: owner)
            }
            return try await answer(request, context, .all).response(from: request, context: context)
        }
    }

    /// A query across orders: this instance's answer for its partitions, merged with every
    /// peer's answer for theirs.
    public func merged<Output: ResponseEncodable & Decodable & Sendable>(
        _ path: RouterPath, merge: @escaping @Sendable ([Output], Request) throws -> Output,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope) async throws -> Output
    ) {
        let routing = self.routing
        router.get(path) { request, context -> Output in
            let mine = try await answer(request, context, await routing.scope(for: request))
            let theirs = try await routing.gather(request, as: Output.self)
            return theirs.isEmpty ? mine : try merge([mine] + theirs, request)
        }
    }

    /// A paged list across orders. Each instance returns its first `offset + limit` rows in the
    /// list's order; the origin merges them and cuts the page, so pages are exact across instances.
    public func paged<Item: Codable & Sendable>(
        _ path: RouterPath, by areInIncreasingOrder: @escaping @Sendable (Item, Item) -> Bool,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope, _ limit: Int, _ offset: Int) async throws -> [Item]
    ) {
        let routing = self.routing
        router.get(path) { request, context -> Page<Item> in
            let forwarded = PeerRouting.isForwarded(request)
            // A forwarded leg may ask for more than a page: the origin's offset + limit.
            let limit = try QueryParameters.integer(request, "limit", default: 50, range: 1...(forwarded ? 1_000_500 : 500))
            let offset = try QueryParameters.integer(request, "offset", default: 0, range: 0...1_000_000)
            let scope = await routing.scope(for: request)
            if forwarded || routing.peers.isEmpty {
                return Page(items: try await answer(request, context, scope, limit, offset), limit: limit, offset: offset)
            }
            var query = request.uri.queryParameters.filter { $0.key != "limit" && $0.key != "offset" }.map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            query += ["limit=\(offset + limit)", "offset=0"]
            let legs = try await routing.gather(request, query: query.joined(separator: "&"), as: Page<Item>.self)
            let all = try await answer(request, context, scope, offset + limit, 0) + legs.flatMap(\.items)
            return Page(items: Array(all.sorted(by: areInIncreasingOrder).dropFirst(offset).prefix(limit)), limit: limit, offset: offset)
        }
    }
}

/// One page of a list.
public struct Page<Item: Codable & Sendable>: ResponseEncodable, Decodable, Sendable {
    public var items: [Item]
    public var limit: Int
    public var offset: Int

    public init(items: [Item], limit: Int, offset: Int) {
        self.items = items
        self.limit = limit
        self.offset = offset
    }
}
