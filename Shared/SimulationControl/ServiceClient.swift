package import Foundation
package import ServiceAPI
import ServiceHTTPClient
import ServiceRuntime

/// The operator's HTTP calls to the running services, by the routes their APIs declare.
package struct ServiceClient: Sendable {
    package let base: String
    package var timeout: TimeInterval = 3
    /// Sent as `Authorization: Bearer …`: the operator token the services may require.
    package var operatorToken: String?

    package init(port: Int, timeout: TimeInterval = 3) {
        base = "http://127.0.0.1:\(port)"
        self.timeout = timeout
    }
    package init(base: String) { self.base = base.hasSuffix("/") ? String(base.dropLast()) : base }

    package enum Failure: Error, CustomStringConvertible {
        case unreachable(String, String)
        case status(Int, String)
        package var description: String {
            switch self {
            case .unreachable(let base, let why): "nothing answered at \(base) (\(why)): is the service running? (`fooddelivery status`)"
            case .status(let code, let body): "answered \(code): \(body)"
            }
        }
    }

    /// The same client with another timeout.
    package func with(timeout: TimeInterval) -> ServiceClient {
        var client = self
        client.timeout = timeout
        return client
    }

    /// Calls `route` with `values` for its path parameters and `query` (already encoded); the
    /// answer's body when it is a 200.
    package func send(_ route: Route, _ values: String..., query: String? = nil) async throws -> Data {
        try await send(route, values, query: query)
    }

    package func send(_ route: Route, _ values: [String], query: String? = nil) async throws -> Data {
        try await send(path: route.path(values) + (query.map { "?" + $0 } ?? ""), method: route.method.rawValue)
    }

    /// Calls `route` and decodes its typed answer.
    package func get<T: Decodable>(_ route: Route, _ values: String..., query: String? = nil, as type: T.Type = T.self) async throws
        -> T
    {
        let data = try await send(path: route.path(values) + (query.map { "?" + $0 } ?? ""), method: route.method.rawValue)
        return try Self.decoder.decode(T.self, from: data)
    }

    private func send(path: String, method: String) async throws -> Data {
        let answer: ServiceHTTPAnswer
        do {
            let headers = operatorToken.map { [OperatorToken.authorization($0)] } ?? []
            answer = try await ServiceHTTPRequest(base + path, method: method, headers: headers, timeout: .seconds(timeout)).send()
        } catch {
            throw Failure.unreachable(base, "\(error)")
        }
        guard answer.status == 200 else { throw Failure.status(answer.status, String(answer.text.prefix(500))) }
        return answer.data
    }

    /// The services answer in Hummingbird's JSON: dates in ISO 8601.
    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
