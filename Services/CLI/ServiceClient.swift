import AsyncHTTPClient
import Foundation

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

    func send(_ path: String, method: String = "GET") async throws -> Data {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        let data: Data
        let status: UInt
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            data = Data(buffer: try await response.body.collect(upTo: 64 << 20))
            status = response.status.code
        } catch {
            throw Failure.unreachable(base, "\(error)")
        }
        guard status == 200 else { throw Failure.status(Int(status), String(decoding: data.prefix(500), as: UTF8.self)) }
        return data
    }

    func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        try JSONDecoder().decode(T.self, from: try await send(path))
    }
}
