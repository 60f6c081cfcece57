import Contract
package import Foundation
import Hummingbird
import Kafka
package import Logging
import ServiceAPI
package import ServiceLifecycle
import ServiceRuntime
package import SimulationControl

/// The live web dashboard of a running simulation: one page (no external scripts; a resource of
/// this module), its data as JSON at `/api/status`, and live updates as server-sent events at
/// `/events`. It reads what `fooddelivery status` reads, once a second.
package struct DashboardServer: Sendable {
    /// What to show: the simulation `up` recorded in a data directory, or services given by URL.
    package enum Source: Sendable {
        case simulation(dataDirectory: String)
        case services([String], topic: String)

        package func load() throws -> SimulationRun {
            switch self {
            case .simulation(let directory): try SimulationRun.load(directory)
            case .services(let services, let topic): try SimulationRun.remote(services, topic: topic)
            }
        }
    }

    package let source: Source
    package let host: String
    package let port: Int

    package init(source: Source, host: String, port: Int) {
        self.source = source
        self.host = host
        self.port = port
    }

    /// What runs the dashboard, for a `ServiceGroup`: its HTTP server, and a sampler that records
    /// the simulation once a second (so the charts have a history before anyone looks).
    package func services(logger: Logger) throws -> [any Service] {
        let history = DashboardHistory()
        // One admin client for the dashboard's life: Kafka's committed offsets stand in for a
        // service that does not answer.
        let admin = try? source.load().admin()
        let refresh: @Sendable () async throws -> DashboardHistory.Snapshot = { [source] in
            try await Self.refresh(history, source: source, admin: admin)
        }
        return [try application(refresh: refresh, logger: logger), Sampler(refresh: refresh)]
    }

    /// The page, with the routes it reads filled in. Throws, with what to do, when this build
    /// lacks it (the module's resource bundle must sit beside the executable).
    package static func page() throws -> Data {
        // Relative paths: the page may be served under a path prefix.
        try BundledResource.page(
            module: "Dashboard", file: "dashboard.html",
            values: [
                "STATUS": DashboardEndpoints.status, "QUERIES": DashboardEndpoints.queries, "EVENTS": DashboardEndpoints.events,
            ].mapValues { String($0.template.dropFirst()) },
            lists: [
                "STAGES": OrdersEndpoints.Stats.stages.map { [$0.status, $0.waitingFor] },
                "FLOW": Topics.flow.map { [$0.service, $0.reads.joined(separator: ", "), $0.writes.joined(separator: ", ")] },
            ])
    }

    func application(refresh: @escaping @Sendable () async throws -> DashboardHistory.Snapshot, logger: Logger) throws
        -> some ApplicationProtocol
    {
        let page = try Self.page()
        let queries = Dictionary(
            uniqueKeysWithValues: ConsumerQueries.byService.map { service, queries in
                (service, queries.compactMap { query in query.dashboardTitle.map { [$0, query.route.template] } })
            })
        let router = Router()
        router.on(DashboardEndpoints.page) { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: page)))
        }
        router.on(OperationalEndpoints.health) { _, _ in "ok" }
        router.on(DashboardEndpoints.queries) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try Self.encoder.encode(queries))))
        }
        router.on(DashboardEndpoints.status) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try Self.encoder.encode(try await refresh()))))
        }
        router.on(DashboardEndpoints.events) { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { writer in
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        if let snapshot = try? await refresh() {
                            try await writer.write(
                                ByteBuffer(string: "data: " + String(decoding: try Self.encoder.encode(snapshot), as: UTF8.self) + "\n\n"))
                        }
                        try await Task.sleep(for: .seconds(1))
                    }
                    try await writer.finish(nil)
                })
        }
        return Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: "fooddelivery-dashboard"), logger: logger
        )
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A fresh status when the last is older than a second (several pages share one).
    static func refresh(_ history: DashboardHistory, source: Source, admin: KafkaAdmin?) async throws -> DashboardHistory.Snapshot {
        if let latest = await history.latest, Date().timeIntervalSince(latest.status.takenAt) < 0.9 { return latest }
        let run = try source.load()
        return await history.record(await SimulationStatus.collect(run, admin: admin), run: run)
    }

    /// Records the simulation once a second until shutdown.
    struct Sampler: Service {
        let refresh: @Sendable () async throws -> DashboardHistory.Snapshot

        func run() async throws {
            while !Task.isShuttingDownGracefully {
                _ = try? await refresh()
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
            }
        }
    }
}
