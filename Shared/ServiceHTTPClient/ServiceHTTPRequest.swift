import AsyncHTTPClient
public import Foundation
public import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// One HTTP request to another of this project's processes: an instance forwarding a query to a
/// peer, the CLI driving a service, a test talking to a service it started. The one place that
/// says how they talk: the client, the timeout, and a bound on the answer's size.
///
/// It runs on one process-wide AsyncHTTPClient (on the event loops Hummingbird already runs).
/// Not URLSession: on Linux that loads FoundationNetworking with libcurl and its TLS stack into
/// every process, about 6 MB resident per service.
public struct ServiceHTTPRequest: Sendable {
    public var url: String
    public var method: String
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var timeout: Duration
    /// The largest answer read; a longer one fails the request rather than filling memory.
    public var maxAnswerBytes: Int

    public init(
        _ url: String, method: String = "GET", headers: [(name: String, value: String)] = [], body: Data? = nil, timeout: Duration,
        maxAnswerBytes: Int = 64 << 20
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.maxAnswerBytes = maxAnswerBytes
    }

    /// Any status is an answer; throws only when none arrived (nothing listening, the timeout,
    /// a cut connection, an answer over `maxAnswerBytes`). Callers say what that means to them.
    public func send() async throws -> ServiceHTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(data: body)) }
        let response = try await Self.client.execute(request, timeout: TimeAmount(timeout))
        let body = try await response.body.collect(upTo: maxAnswerBytes)
        return ServiceHTTPAnswer(status: Int(response.status.code), body: body, headers: response.headers)
    }
}

extension ServiceHTTPRequest {
    /// `HTTPClient.shared`'s settings, except that a connection that cannot be made fails the
    /// request at once. The shared client retries connecting with backoff until the request's
    /// deadline, which turns asking an instance that is not running (a peer `scale` has not
    /// started, a stopped service) into a wait for the whole timeout; a refused connection is an
    /// answer, and callers decide what it means.
    /// It lives as long as the process, as `HTTPClient.shared` does, so it is never shut down.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration.singletonConfiguration
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()
}

/// What a `ServiceHTTPRequest` got back.
public struct ServiceHTTPAnswer: Sendable {
    public var status: Int
    /// The body as it arrived (relay it as it is; `data` and `text` copy it).
    public var body: ByteBuffer
    private var headers: HTTPHeaders

    init(status: Int, body: ByteBuffer, headers: HTTPHeaders) {
        self.status = status
        self.body = body
        self.headers = headers
    }

    public func header(_ name: String) -> String? { headers.first(name: name) }
    public var data: Data { Data(buffer: body) }
    public var text: String { String(buffer: body) }
}
