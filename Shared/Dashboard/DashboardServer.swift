package import Foundation
package import Hummingbird
package import Logging
import ServiceAPI
package import ServiceLifecycle
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
        return [try application(history: history, logger: logger), Sampler(history: history, source: source)]
    }

    package func application(history: DashboardHistory, logger: Logger) throws -> some ApplicationProtocol {
        guard let url = Bundle.module.url(forResource: "dashboard", withExtension: "html"), let page = try? Data(contentsOf: url)
        else { throw CLIError("the dashboard's page is missing from this build (Dashboard module resource dashboard.html)") }
        let source = self.source
        let queries = Dictionary(
            uniqueKeysWithValues: ConsumerQueries.byService.map { service, queries in
                (service, queries.compactMap { query in query.dashboardTitle.map { [$0, query.route.template] } })
            })
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: page)))
        }
        router.on(OperationalEndpoints.health) { _, _ in "ok" }
        router.get("/api/queries") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try Self.encoder.encode(queries))))
        }
        router.get("/api/status") { _, _ -> Response in
            let snapshot = try await Self.refresh(history, source: source)
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: try Self.encoder.encode(snapshot))))
        }
        router.get("/events") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { writer in
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        if let snapshot = try? await Self.refresh(history, source: source) {
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

    package static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A fresh status when the last is older than a second (several pages share one).
    package static func refresh(_ history: DashboardHistory, source: Source) async throws -> DashboardHistory.Snapshot {
        if let latest = await history.latest, Date().timeIntervalSince(latest.status.takenAt) < 0.9 { return latest }
        let run = try source.load()
        return await history.record(await SimulationStatus.collect(run), run: run)
    }

    /// Records the simulation once a second until shutdown.
    struct Sampler: Service {
        let history: DashboardHistory
        let source: Source

        func run() async throws {
            while !Task.isShuttingDownGracefully {
                _ = try? await DashboardServer.refresh(history, source: source)
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
