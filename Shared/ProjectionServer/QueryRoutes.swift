import Foundation
public import Hummingbird
public import Projection
public import ServiceAPI
import ServiceRuntime

/// How a projection's API declares its queries: each is either about one key (answered by the
/// instance owning the key's partition) or across keys (answered by every instance and merged).
/// Alone, an instance answers everything itself.
public struct QueryRoutes {
    public let router: Router<BasicRequestContext>
    public let database: ProjectionDatabase
    public let routing: PeerRouting
    /// The events this instance's projection commits, as it commits them (live views).
    public let committed: CommittedEvents

    public init(
        router: Router<BasicRequestContext>, database: ProjectionDatabase, routing: PeerRouting,
        committed: CommittedEvents = CommittedEvents()
    ) {
        self.router = router
        self.database = database
        self.routing = routing
        self.committed = committed
    }

    /// A single-instance set of routes (tests, and services run without `--peer`).
    public init(router: Router<BasicRequestContext>, database: ProjectionDatabase) {
        self.init(
            router: router, database: database,
            routing: PeerRouting(peers: []) {
                InstanceInfo(group: database.projection.name, topic: "", partitionCount: 0, assignment: [], peers: [])
            })
    }

    /// A query about one order (the topic's key): forwarded to the owner of its partition.
    public func keyed<Output: ResponseGenerator>(
        _ query: Query, key: @escaping @Sendable (Request, BasicRequestContext) throws -> String,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope) async throws -> Output
    ) {
        let routing = self.routing
        router.on(query.route) { request, context -> Response in
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
        _ query: Query, merge: @escaping @Sendable ([Output], Request) throws -> Output,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope) async throws -> Output
    ) {
        let routing = self.routing
        router.on(query.route) { request, context -> Response in
            let scope = await routing.scope(for: request)
            let mine = try await answer(request, context, scope)
            if PeerRouting.isForwarded(request) || routing.peers.isEmpty {
                return try await Self.leg(mine, scope: scope, routing: routing, request: request, context: context)
            }
            let all = try await routing.gather(request, mine: mine, scope: scope, as: Output.self)
            return try merge(all, request).response(from: request, context: context)
        }
    }

    /// A paged list across orders. Each instance returns its first `offset + limit` rows in the
    /// list's order; the origin merges them and cuts the page, so pages are exact across instances.
    public func paged<Item: Codable & Sendable>(
        _ query: Query, by areInIncreasingOrder: @escaping @Sendable (Item, Item) -> Bool,
        answer: @escaping @Sendable (Request, BasicRequestContext, PartitionScope, _ limit: Int, _ offset: Int) async throws -> [Item]
    ) {
        let routing = self.routing
        precondition(query.paged, "\(query.route) is not declared paged")
        router.on(query.route) { request, context -> Response in
            let forwarded = PeerRouting.isForwarded(request)
            // A forwarded leg may ask for more than a page: the origin's offset + limit.
            let (limit, offset) = try QueryParameters.paging(request, maxLimit: forwarded ? 1_000_500 : 500)
            let scope = await routing.scope(for: request)
            if forwarded || routing.peers.isEmpty {
                let page = Page(items: try await answer(request, context, scope, limit, offset), limit: limit, offset: offset)
                return try await Self.leg(page, scope: scope, routing: routing, request: request, context: context)
            }
            var parameters = request.uri.queryParameters.filter { $0.key != "limit" && $0.key != "offset" }
                .map { "\($0.key)=\(String($0.value).addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
            parameters += ["limit=\(offset + limit)", "offset=0"]
            let mine = Page(items: try await answer(request, context, scope, offset + limit, 0), limit: offset + limit, offset: 0)
            let all = try await routing.gather(
                request, query: parameters.joined(separator: "&"), mine: mine, scope: scope, as: Page<Item>.self)
            let items = all.flatMap(\.items).sorted(by: areInIncreasingOrder).dropFirst(offset).prefix(limit)
            return try Page(items: Array(items), limit: limit, offset: offset).response(from: request, context: context)
        }
    }

    /// One instance's answer, saying which partitions it covers.
    private static func leg(
        _ output: some ResponseEncodable, scope: PartitionScope, routing: PeerRouting, request: Request, context: BasicRequestContext
    ) async throws -> Response {
        var response = try output.response(from: request, context: context)
        if let partitions = scope.partitions {
            response.headers[PeerRouting.partitionsHeader] = partitions.map(String.init).joined(separator: ",")
        }
        if let member = await routing.memberID() { response.headers[PeerRouting.memberHeader] = member }
        return response
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
