import ArgumentParser
import Contract
import Dashboard
import Foundation
import Logging
import ServiceLifecycle
import ServiceRuntime
import SimulationControl

/// `dashboard`: the live web dashboard — of the simulation `up` runs (it serves one too, on
/// 8090), or of services given by URL (docker compose: `--service support=http://support:8084`
/// for each, or `FOODDELIVERY_DASHBOARD_SERVICES`).
struct DashboardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Serve the live web dashboard of the running simulation, or of services given by URL.")

    @OptionGroup var simulation: SimulationOptions
    @Option(help: "Port to serve it on. Default: $FOODDELIVERY_HTTP_PORT, else 8091.") var port: Int?
    @Option(help: "Address to listen on. Default: $FOODDELIVERY_HTTP_HOST, else 127.0.0.1.") var host: String?
    @Option(
        name: .customLong("service"),
        help:
            "<service>=<base URL> of a service to show (repeat). Default: $FOODDELIVERY_DASHBOARD_SERVICES (comma-separated), else the simulation in --data-dir."
    )
    var services: [String] = []
    @Option(help: "The order-event topic, when showing services by URL.") var topic = Topics.orderEvents

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let listed =
            services.isEmpty
            ? (environment["FOODDELIVERY_DASHBOARD_SERVICES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty } : services
        let source: DashboardServer.Source =
            listed.isEmpty ? .simulation(dataDirectory: simulation.dataDir) : .services(listed, topic: topic)
        _ = try source.load()
        var port = self.port ?? 8091
        if self.port == nil, let text = environment["FOODDELIVERY_HTTP_PORT"] {
            guard let number = Int(text) else { throw CLIError("FOODDELIVERY_HTTP_PORT=\(text) is not a whole number") }
            port = number
        }
        let host = host ?? environment["FOODDELIVERY_HTTP_HOST"] ?? "127.0.0.1"
        OutputLine.write("dashboard: http://\(host):\(port)/ (Ctrl-C to stop)")
        let dashboard = DashboardServer(source: source, host: host, port: port)
        let logger = Logger(label: "dashboard")
        let group = ServiceGroup(
            configuration: .bounded(
                services: try dashboard.services(logger: logger).map { .init(service: $0) }, logger: logger))
        try await group.run()
    }
}
