import Contract
public import Foundation
public import HTTPTypes
public import Hummingbird
import Kafka
public import ServiceAPI
import ServiceHTTPClient

/// Scale-out: several instances of one service share its consumer group, each with its own
/// database holding the partitions it owns. A query about one order is forwarded to the instance
/// that owns the order's partition (the key's murmur2 hash, as the producer computed it); a query
/// across orders goes to every instance, each answers for its own partitions, and the answers are
/// merged. Peers are given with `--peer http://host:port`, or `--peer dns+http://name:port` for
/// every address a name resolves to (a Kubernetes headless Service: one address per pod, so
/// scaling needs no new list); forwarded requests carry a hop header, so a request is forwarded
/// at most once.
public final class PeerRouting: Sendable {
    public static let hopHeader = HTTPField.Name(PeerHeaders.forwarded)!
    public static let partitionsHeader = HTTPField.Name(PeerHeaders.partitions)!
    /// An instance ignores its own answer, so every instance can be given the same peer list,
    /// itself included.
    public static let memberHeader = HTTPField.Name(PeerHeaders.member)!

    public let peers: [URL]
    private var hasPeers: Bool { !peers.isEmpty }
    private let local: @Sendable () async -> InstanceInfo
    /// The largest answer read from a peer (peers send one page of a query, far smaller).
    static let maxAnswerBytes = 16 << 20

    public init(peers: [URL], local: @escaping @Sendable () async -> InstanceInfo) {
        self.peers = peers
        self.local = local
    }

    /// This instance's group member id (nil before it joined).
    public func memberID() async -> String? { await local().memberID }

    /// What this instance may answer from for a request.
    public func scope(for request: Request) async -> PartitionScope {
        if !hasPeers { return .all }
        return PartitionScope(partitions: await local().assignment)
    }

    public static func isForwarded(_ request: Request) -> Bool { request.headers[hopHeader] != nil }

    /// The peer owning `key`'s partition, or nil when this instance answers (it owns it, has no
    /// peers, or the request was already forwarded once).
    public func owner(ofKey key: String, request: Request) async throws -> URL? {
        if !hasPeers || Self.isForwarded(request) { return nil }
        let me = await local()
        guard me.partitionCount > 0 else { return nil }
        let partition = KafkaPartitioner.partition(forKey: key, partitions: me.partitionCount)
        if me.assignment.contains(partition) { return nil }
        for peer in await resolvedPeers() {
            if let info: InstanceInfo = try? await get(peer.appending(path: ProjectionEndpoints.instance.path()), forwarded: false),
                info.assignment.contains(partition)
            {
                return peer
            }
        }
        throw HTTPError(
            .serviceUnavailable,
            message:
                "no instance owns partition \(partition) of \(me.topic) right now (a rebalance is in progress, or an instance is down): retry in a few seconds"
        )
    }

    /// What every peer that answers says of itself (`/instance`), this instance excluded.
    func peerInstances() async -> [InstanceInfo] {
        let me = await local().memberID
        let peers = await resolvedPeers()
        return await withTaskGroup(of: InstanceInfo?.self) { group in
            for peer in peers {
                group.addTask { try? await self.get(peer.appending(path: ProjectionEndpoints.instance.path()), forwarded: false) }
            }
            return await group.reduce(into: []) { found, info in
                if let info, info.memberID == nil || info.memberID != me { found.append(info) }
            }
        }
    }

    /// Sends the same GET to `peer`, marked as forwarded, and relays its answer.
    public func forward(_ request: Request, to peer: URL) async throws -> Response {
        let answer = try await fetch(url(peer, request), forwarded: true)
        return Response(
            status: .init(code: answer.status), headers: [.contentType: "application/json"], body: .init(byteBuffer: answer.body))
    }

    /// Every reachable peer's answer to the same GET (marked as forwarded), with the partitions
    /// each covers, merged with this instance's own answer for `scope`. Fails with a 503 unless
    /// the answers cover every partition exactly once: an unreachable peer that owns nothing is
    /// no loss, but a partition nobody answered for (or two did, mid-rebalance) would make the
    /// merged answer wrong.
    /// `query` replaces the request's query string (a paged query asks each peer for its top rows).
    public func gather<Output: Decodable & Sendable>(
        _ request: Request, query: String? = nil, mine: Output, scope: PartitionScope, as type: Output.Type
    ) async throws -> [Output] {
        let me = await local().memberID
        let peers = await resolvedPeers()
        let legs = await withTaskGroup(of: Result<(Output, [Int32])?, any Error>.self) { group in
            for peer in peers {
                group.addTask {
                    do {
                        let answer = try await self.get(self.url(peer, request, query: query), forwarded: true)
                        if let member = answer.header(Self.memberHeader.rawName), member == me { return .success(nil) }
                        let covered =
                            answer.header(Self.partitionsHeader.rawName).map { $0.split(separator: ",").compactMap { Int32($0) } } ?? []
                        return .success((try JSONDecoder().decode(Output.self, from: answer.data), covered))
                    } catch {
                        return .failure(error)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        var covered = scope.partitions ?? []
        var unreachable: [String] = []
        var answers = [mine]
        for leg in legs {
            switch leg {
            case .success(nil):
                continue  // this instance itself
            case .success(let (answer, partitions)?):
                answers.append(answer)
                covered += partitions
            case .failure(let error):
                unreachable.append("\(error)")
            }
        }
        let count = await local().partitionCount
        let missing = Set(0..<Int32(count)).subtracting(covered).sorted()
        if count > 0 && (!missing.isEmpty || covered.count != Set(covered).count) {
            let detail =
                missing.isEmpty
                ? "some partitions were answered twice"
                : "no instance answered for partition(s) \(missing.map(String.init).joined(separator: ", "))"
            throw HTTPError(
                .serviceUnavailable,
                message:
                    "\(detail) (a rebalance is in progress, or an instance is down\(unreachable.isEmpty ? "" : ": " + unreachable.joined(separator: "; "))); retry in a few seconds"
            )
        }
        return answers
    }

    /// The peers to ask now: `dns+http://name:port` becomes one `http://address:port` per address
    /// the name resolves to at this moment.
    func resolvedPeers() async -> [URL] {
        var resolved: [URL] = []
        for peer in peers {
            guard peer.scheme == "dns+http", let host = peer.host else {
                resolved.append(peer)
                continue
            }
            let port = peer.port ?? 80
            // getaddrinfo blocks: it runs on a dispatch thread, not the cooperative pool.
            let addresses = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: Self.addresses(of: host)) }
            }
            resolved += addresses.compactMap { URL(string: "http://\($0):\(port)") }
        }
        return resolved
    }

    /// IPv4 addresses of `host` (getaddrinfo blocks, so callers run it off the cooperative pool).
    static func addresses(of host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &list) == 0 else { return [] }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { ipv4 in
                    var inAddress = ipv4.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &inAddress, &text, socklen_t(INET_ADDRSTRLEN))
                }
                addresses.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            entry = current.pointee.ai_next
        }
        return Array(Set(addresses)).sorted()
    }

    private func url(_ peer: URL, _ request: Request, query: String? = nil) -> URL {
        let query = query ?? request.uri.query
        return URL(string: peer.absoluteString.trimmingCharacters(in: ["/"]) + request.uri.path + (query.map { "?" + $0 } ?? ""))!
    }

    /// A 200 answer to a GET, or a 502 saying what the peer answered instead.
    private func get(_ url: URL, forwarded: Bool) async throws -> ServiceHTTPAnswer {
        let answer = try await fetch(url, forwarded: forwarded)
        guard answer.status == 200 else {
            throw HTTPError(
                .badGateway, message: "peer \(url.host ?? "?"):\(url.port ?? 0) answered \(answer.status): \(answer.text.prefix(300))")
        }
        return answer
    }

    private func get<Output: Decodable>(_ url: URL, forwarded: Bool) async throws -> Output {
        let answer = try await get(url, forwarded: forwarded)
        do {
            return try JSONDecoder().decode(Output.self, from: answer.data)
        } catch {
            throw HTTPError(.badGateway, message: "peer \(url.absoluteString) answered something unreadable: \(error)")
        }
    }

    /// One GET to a peer (any status); a 502 when none answered, since the merged answer would
    /// be incomplete.
    private func fetch(_ url: URL, forwarded: Bool) async throws -> ServiceHTTPAnswer {
        let headers = forwarded ? [(name: Self.hopHeader.rawName, value: "1")] : []
        do {
            return try await ServiceHTTPRequest(
                url.absoluteString, headers: headers, timeout: .seconds(5), maxAnswerBytes: Self.maxAnswerBytes
            ).send()
        } catch {
            throw HTTPError(
                .badGateway,
                message:
                    "peer \(url.host ?? "?"):\(url.port ?? 0) did not answer (\(error)); the answer would be incomplete. Is every --peer running?"
            )
        }
    }
}
