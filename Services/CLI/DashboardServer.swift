import Foundation
import Hummingbird
import Logging

/// The live web dashboard of a running simulation: one page (no external scripts), its data as
/// JSON at `/api/status`, and live updates as server-sent events at `/events`. It reads what
/// `fooddelivery status` reads, once a second.
struct DashboardServer {
    let dataDirectory: String
    let host: String
    let port: Int

    /// Serves the dashboard and samples the simulation once a second (so the charts have a
    /// history even before anyone looks), until cancelled.
    func run(logger: Logger) async throws {
        let history = DashboardHistory()
        let application = self.application(history: history, logger: logger)
        let dataDirectory = self.dataDirectory
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await application.runService() }
            group.addTask {
                while !Task.isCancelled {
                    _ = try? await Self.refresh(history, dataDirectory: dataDirectory)
                    try await Task.sleep(for: .seconds(1))
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }

    func application(history: DashboardHistory, logger: Logger) -> some ApplicationProtocol {
        let dataDirectory = self.dataDirectory
        let router = Router()
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: DashboardPage.html)))
        }
        router.get("/api/status") { _, _ -> Response in
            let snapshot = try await Self.refresh(history, dataDirectory: dataDirectory)
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try Self.encoder.encode(snapshot))))
        }
        router.get("/events") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                body: .init { writer in
                    while !Task.isCancelled {
                        if let snapshot = try? await Self.refresh(history, dataDirectory: dataDirectory) {
                            try await writer.write(ByteBuffer(string: "data: " + String(decoding: try Self.encoder.encode(snapshot), as: UTF8.self) + "\n\n"))
                        }
                        try await Task.sleep(for: .seconds(1))
                    }
                    try await writer.finish(nil)
                })
        }
        return Application(router: router, configuration: .init(address: .hostname(host, port: port), serverName: "fooddelivery-dashboard"), logger: logger)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// A fresh status when the last is older than a second (several pages share one).
    static func refresh(_ history: DashboardHistory, dataDirectory: String) async throws -> DashboardHistory.Snapshot {
        if let latest = await history.latest, Date().timeIntervalSince(latest.status.takenAt) < 0.9 { return latest }
        let run = try SimulationRun.load(dataDirectory)
        return await history.record(await SimulationStatus.collect(run), run: run)
    }
}
