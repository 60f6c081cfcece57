import AsyncHTTPClient
public import Foundation
public import Hummingbird
public import HTTPTypes
import Kafka

/// Scale-out: several instances of one service share its consumer group, each with its own
/// database holding the partitions it owns. A query about one order is forwarded to the instance
/// that owns the order's partition (the key's murmur2 hash, as the producer computed it); a query
/// across orders goes to every instance, each answers for its own partitions, and the answers are
/// merged. Peers are given with `--peer http://host:port`, or `--peer dns+http://name:port` for
/// every address a name resolves to (a Kubernetes headless Service: one address per pod, so
/// scaling needs no new list); forwarded requests carry a hop header, so a request is forwarded
/// at most once.
public final class PeerRouting: Sendable {
    public static let hopHeader = HTTPField.Name("x-fooddelivery-forwarded")!
    /// On a forwarded answer: the partitions it covers (comma-separated).
    public static let partitionsHeader = HTTPField.Name("x-fooddelivery-partitions")!
    /// On a forwarded answer: the group member that answered (an instance ignores its own answer,
    /// so every instance can be given the same peer list, itself included).
    public static let memberHeader = HTTPField.Name("x-fooddelivery-member")!

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
            if let info: InstanceInfo = try? await get(peer.appendingPathComponent("instance"), forwarded: false), info.assignment.contains(partition) {
                return peer
            }
        }
        throw HTTPError(
            .serviceUnavailable,
            message: "no instance owns partition \(partition) of \(me.topic) right now (a rebalance is in progress, or an instance is down): retry in a few seconds")
    }

    /// Sends the same GET to `peer`, marked as forwarded, and relays its answer.
    public func forward(_ request: Request, to peer: URL) async throws -> Response {
        let (data, status, _) = try await fetch(url(peer, request), forwarded: true)
        return Response(
            status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
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
                        let (data, headers) = try await self.get(self.url(peer, request, query: query), forwarded: true)
                        if let member = headers[Self.memberHeader], member == me { return .success(nil) }
                        let covered = headers[Self.partitionsHeader].map { $0.split(separator: ",").compactMap { Int32($0) } } ?? []
                        return .success((try JSONDecoder().decode(Output.self, from: data), covered))
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
            let detail = missing.isEmpty ? "some partitions were answered twice" : "no instance answered for partition(s) \(missing.map(String.init).joined(separator: ", "))"
            throw HTTPError(
                .serviceUnavailable,
                message: "\(detail) (a rebalance is in progress, or an instance is down\(unreachable.isEmpty ? "" : ": " + unreachable.joined(separator: "; "))); retry in a few seconds")
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
            let addresses = await Task.detached { Self.addresses(of: host) }.value
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

    private func get(_ url: URL, forwarded: Bool) async throws -> (Data, HTTPFields) {
        let (data, status, headers) = try await fetch(url, forwarded: forwarded)
        guard status == 200 else {
            throw HTTPError(.badGateway, message: "peer \(url.host ?? "?"):\(url.port ?? 0) answered \(status): \(String(decoding: data.prefix(300), as: UTF8.self))")
        }
        return (data, headers)
    }

    private func get<Output: Decodable>(_ url: URL, forwarded: Bool) async throws -> Output {
        let (data, _) = try await get(url, forwarded: forwarded)
        do {
            return try JSONDecoder().decode(Output.self, from: data)
        } catch {
            throw HTTPError(.badGateway, message: "peer \(url.absoluteString) answered something unreadable: \(error)")
        }
    }

    /// One GET on the process-wide `HTTPClient.shared` (AsyncHTTPClient, on the event loops
    /// Hummingbird already runs). Not URLSession: on Linux that loads FoundationNetworking with
    /// libcurl and its TLS stack into every service, about 6 MB resident.
    private func fetch(_ url: URL, forwarded: Bool) async throws -> (Data, Int, HTTPFields) {
        var request = HTTPClientRequest(url: url.absoluteString)
        if forwarded { request.headers.add(name: Self.hopHeader.rawName, value: "1") }
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
            let body = try await response.body.collect(upTo: Self.maxAnswerBytes)
            var headers = HTTPFields()
            for name in [Self.partitionsHeader, Self.memberHeader] {
                if let value = response.headers.first(name: name.rawName) { headers[name] = value }
            }
            return (Data(buffer: body), Int(response.status.code), headers)
        } catch {
            throw HTTPError(
                .badGateway,
                message: "peer \(url.host ?? "?"):\(url.port ?? 0) did not answer (\(error)); the answer would be incomplete. Is every --peer running?")
        }
    }
}
