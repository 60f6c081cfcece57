import Foundation
import Hummingbird
import Logging

/// The live web dashboard of a running simulation: one page (no external scripts), its data as
/// JSON at `/api/status`, and live updates as server-sent events at `/events`. It reads what
/// `fooddelivery status` reads, once a second.
struct DashboardServer {
    /// What to show: the simulation `up` recorded in a data directory, or services given by URL.
    enum Source: Sendable {
        case simulation(dataDirectory: String)
        case services([String], topic: String)

        func load() throws -> SimulationRun {
            switch self {
            case .simulation(let directory): try SimulationRun.load(directory)
            case .services(let services, let topic): try SimulationRun.remote(services, topic: topic)
            }
        }
    }

    let source: Source
    let host: String
    let port: Int

    /// Serves the dashboard and samples the simulation once a second (so the charts have a
    /// history even before anyone looks), until cancelled.
    func run(logger: Logger) async throws {
        let history = DashboardHistory()
        let application = self.application(history: history, logger: logger)
        let source = self.source
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            group.addTask {
                while !Task.isCancelled {
                    _ = try? await Self.refresh(history, source: source)
                    try await Task.sleep(for: .seconds(1))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func application(history: DashboardHistory, logger: Logger) -> some ApplicationProtocol {
        let source = self.source
        let router = Router()
        router.get("/") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/health") { _, _ in "ok" }
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
                    while !Task.isCancelled {
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

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A fresh status when the last is older than a second (several pages share one).
    static func refresh(_ history: DashboardHistory, source: Source) async throws -> DashboardHistory.Snapshot {
        if let latest = await history.latest, Date().timeIntervalSince(latest.status.takenAt) < 0.9 { return latest }
        let run = try source.load()
        return await history.record(await SimulationStatus.collect(run), run: run)
    }
}
