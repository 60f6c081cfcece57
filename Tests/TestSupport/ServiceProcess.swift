public import Foundation
public import Logging
import ServiceHTTPClient
public import ServiceRuntime

/// A consumer service (`restaurants`, `delivery`, `support`, `analytics`) run as a real child
/// process on a free port, with a tiny HTTP client for its API.
public final class ServiceProcess: @unchecked Sendable {
    public let service: String
    public let port: Int
    public let process: Process

    /// Starts `launch`, on its `httpPort` or a free port, with `environment` added to this
    /// process's; its output goes to `output` if given.
    public init(_ launch: ServiceLaunch, output: URL? = nil, environment: [String: String] = [:]) throws {
        var launch = launch
        let port = try launch.httpPort ?? LocalPort.free()
        launch.httpPort = port
        self.service = launch.service
        self.port = port
        process = try ChildConsumer.launch(launch, output: output, environment: environment)
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
    public var isRunning: Bool { process.isRunning }

    public func sigkill() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    public func terminate() async throws {
        kill(process.processIdentifier, SIGTERM)
        try await eventually("\(service) exits after SIGTERM", timeout: .seconds(30)) { !self.process.isRunning }
    }

    /// Waits until its HTTP API answers (`/health`, whatever its status).
    public func waitUntilServing(timeout: Duration = .seconds(30)) async throws {
        try await eventually("\(service) serves HTTP on port \(port)", timeout: timeout) {
            await self.request("/health", timeout: 2).status != 0
        }
    }

    /// GET or POST `path`; the status and body (status 0 when nothing answered).
    public func request(_ path: String, method: String = "GET", timeout: TimeInterval = 120, body: Data? = nil) async -> (
        status: Int, body: Data
    ) {
        let request = ServiceHTTPRequest(baseURL + path, method: method, body: body, timeout: .seconds(timeout))
        guard let answer = try? await request.send() else { return (0, Data()) }
        return (answer.status, answer.data)
    }

    /// GET `path` and decode the JSON answer; throws with the body when the status is not 200.
    /// A 503 (a rebalance in progress: "retry in a few seconds") is retried for up to 20 s, as
    /// the API asks its clients to.
    public func get<T: Decodable>(_ path: String, as type: T.Type = T.self) async throws -> T {
        var (status, body) = await request(path)
        let deadline = ContinuousClock.now + .seconds(20)
        while status == 503 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .seconds(1))
            (status, body) = await request(path)
        }
        guard status == 200 else { throw HTTPStatusError(path: path, status: status, body: String(decoding: body, as: UTF8.self)) }
        return try Self.decoder.decode(T.self, from: body)
    }

    /// The services answer in Hummingbird's JSON: dates in ISO 8601.
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public struct HTTPStatusError: Error, CustomStringConvertible {
        public var path: String
        public var status: Int
        public var body: String
        public var description: String { "\(path) answered \(status): \(body)" }
    }
}

extension ServiceLaunch {
    /// A consumer service as the tests run it: on `brokers`, reading `topic`, in `directory`,
    /// quiet, with the local profile's short sessions (a killed member is evicted in seconds,
    /// on any broker).
    public static func testConsumer(
        _ service: String, brokers: String, topic: String, group: String, directory: URL, logLevel: Logger.Level = .critical,
        instanceID: String? = nil, peers: [String] = []
    ) -> ServiceLaunch {
        ServiceLaunch(
            service: service, brokers: brokers, dataDir: directory.path, topic: topic, logLevel: logLevel,
            consumer: .init(group: group, instanceID: instanceID, peers: peers, profile: .local))
    }

    /// `orders` as the tests run it: on `brokers`, publishing to `topic`, from `directory`, quiet;
    /// unless `orders` says otherwise, alone (`--steps simulated`: it plays the kitchens and
    /// couriers too), with the local profile.
    public static func testOrders(
        brokers: String, topic: String, directory: URL, logLevel: Logger.Level = .critical, httpPort: Int? = 0, orders: Orders
    ) -> ServiceLaunch {
        var settings = orders
        settings.output = settings.output ?? "quiet"
        settings.steps = settings.steps ?? "simulated"
        settings.profile = settings.profile ?? .local
        return ServiceLaunch(
            service: "orders", brokers: brokers, dataDir: directory.path, topic: topic, httpPort: httpPort, logLevel: logLevel,
            orders: settings)
    }
}
