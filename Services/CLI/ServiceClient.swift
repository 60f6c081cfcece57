import Foundation
import ServiceHTTPClient

/// The CLI's HTTP calls to the running services.
struct ServiceClient {
    let base: String
    var timeout: TimeInterval = 3

    init(port: Int, timeout: TimeInterval = 3) {
        base = "http://127.0.0.1:\(port)"
        self.timeout = timeout
    }
    init(base: String) { self.base = base.hasSuffix("/") ? String(base.dropLast()) : base }

    enum Failure: Error, CustomStringConvertible {
        case unreachable(String, String)
        case status(Int, String)
        var description: String {
            switch self {
            case .unreachable(let base, let why): "nothing answered at \(base) (\(why)): is the service running? (`fooddelivery status`)"
            case .status(let code, let body): "answered \(code): \(body)"
            }
        }
    }

    /// The same client with another timeout.
    func with(timeout: TimeInterval) -> ServiceClient {
        var client = self
        client.timeout = timeout
        return client
    }

    func send(_ path: String, method: String = "GET") async throws -> Data {
        let answer: ServiceHTTPAnswer
        do {
            answer = try await ServiceHTTPRequest(base + path, method: method, timeout: .seconds(timeout)).send()
        } catch {
            throw Failure.unreachable(base, "\(error)")
        }
        guard answer.status == 200 else { throw Failure.status(answer.status, String(answer.text.prefix(500))) }
        return answer.data
    }

    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try Self.decoder.decode(T.self, from: try await send(path))
    }

    /// The services answer in Hummingbird's JSON: dates in ISO 8601.
    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
