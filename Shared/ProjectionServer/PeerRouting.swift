public import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
public import Hummingbird
public import HTTPTypes
import Kafka

/// Scale-out: several instances of one service share its consumer group, each with its own
/// database holding the partitions it owns. A query about one order is forwarded to the instance
/// that owns the order's partition (the key's murmur2 hash, as the producer computed it); a query
/// across orders goes to every instance, each answers for its own partitions, and the answers are
/// merged. Peers are given with `--peer http://host:port`; forwarded requests carry a hop header,
/// so a request is forwarded at most once.
public final class PeerRouting: Sendable {
    public static let hopHeader = HTTPField.Name("x-fooddelivery-forwarded")!
    /// On a forwarded answer: the partitions it covers (comma-separated).
    public static let partitionsHeader = HTTPField.Name("x-fooddelivery-partitions")!

    public let peers: [URL]
    private let local: @Sendable () async -> InstanceInfo
    private let session: URLSession

    public init(peers: [URL], local: @escaping @Sendable () async -> InstanceInfo) {
        self.peers = peers
        self.local = local
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        session = URLSession(configuration: configuration)
    }

    /// What this instance may answer from for a request.
    public func scope(for request: Request) async -> PartitionScope {
        if peers.isEmpty { return .all }
        return PartitionScope(partitions: await local().assignment)
    }

    public static func isForwarded(_ request: Request) -> Bool { request.headers[hopHeader] != nil }

    /// The peer owning `key`'s partition, or nil when this instance answers (it owns it, has no
    /// peers, or the request was already forwarded once).
    public func owner(ofKey key: String, request: Request) async throws -> URL? {
        if peers.isEmpty || Self.isForwarded(request) { return nil }
        let me = await local()
        guard me.partitionCount > 0 else { return nil }
        let partition = KafkaPartitioner.partition(forKey: key, partitions: me.partitionCount)
        if me.assignment.contains(partition) { return nil }
        for peer in peers {
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
        let legs = await withTaskGroup(of: Result<(Output, [Int32]), any Error>.self) { group in
            for peer in peers {
                group.addTask {
                    do {
                        let (data, headers) = try await self.get(self.url(peer, request, query: query), forwarded: true)
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
            case .success(let (answer, partitions)):
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

    private func fetch(_ url: URL, forwarded: Bool) async throws -> (Data, Int, HTTPFields) {
        var request = URLRequest(url: url)
        if forwarded { request.setValue("1", forHTTPHeaderField: Self.hopHeader.rawName) }
        do {
            let (data, response) = try await session.data(for: request)
            var headers = HTTPFields()
            if let http = response as? HTTPURLResponse, let covered = http.value(forHTTPHeaderField: Self.partitionsHeader.rawName) {
                headers[Self.partitionsHeader] = covered
            }
            return (data, (response as? HTTPURLResponse)?.statusCode ?? 502, headers)
        } catch {
            throw HTTPError(
                .badGateway,
                message: "peer \(url.host ?? "?"):\(url.port ?? 0) did not answer (\(error.localizedDescription)); the answer would be incomplete. Is every --peer running?")
        }
    }
}
