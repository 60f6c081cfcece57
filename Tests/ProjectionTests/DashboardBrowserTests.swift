import Foundation
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// The live dashboard in a real headless browser (Debian's chromium): the page loads and draws
    /// the simulation, its numbers move, and a killed consumer shows its lag rising, then falling
    /// after it is started again. A screenshot is kept.
    @Suite("Dashboard in a browser", .timeLimit(.minutes(5)))
    struct DashboardBrowserTests {
        /// What the page showed, read from the DOM the browser rendered.
        struct Page {
            var html: String
            var ordersTotal: Int? { Int(Self.first(#/id="orders-total">(\d+)</#, in: html) ?? "") }
            var connection: String? { Self.first(#/id="connection">([^<]*)</#, in: html) }
            func state(_ member: String) -> String? {
                html.firstMatch(of: try! Regex("data-member=\"\(member)\"><td>[^<]*</td><td class=\"[a-z]+\">([^<]*)<")).map {
                    String($0.output[1].substring ?? "")
                }
            }
            func totalLag(_ member: String) -> Int64? {
                html.firstMatch(of: try! Regex("data-member=\"\(member)\">.*?<td class=\"lag-total\">([0-9?]+)<")).flatMap {
                    Int64($0.output[1].substring ?? "")
                }
            }
            static func first(_ regex: Regex<(Substring, Substring)>, in text: String) -> String? {
                text.firstMatch(of: regex).map { String($0.1) }
            }
        }

        static func chromium(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/chromium")
            process.arguments =
                ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=4000"] + arguments
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self)
        }

        @Test("The dashboard loads, its numbers move, a killed consumer's lag rises then falls after restart; screenshot kept")
        func liveDashboard() async throws {
            #expect(
                FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "chromium is installed by scripts/setup.sh --for-tests")
            let directory = try TestNames.temporaryDirectory("dashboard").path
            let basePort = try LocalPort.freeRange(5)
            let dashboardPort = try LocalPort.free()
            let up = Process()
            up.executableURL = ChildConsumer.executable
            up.arguments = [
                "up", "--data-dir", directory, "--base-port", String(basePort), "--dashboard-port", String(dashboardPort), "--speed", "20",
                "--plain",
                "--log-level", "warning",
            ]
            up.standardOutput = FileHandle.nullDevice
            try up.run()
            defer { if up.isRunning { kill(up.processIdentifier, SIGKILL) } }
            let url = "http://127.0.0.1:\(dashboardPort)/?poll=500"
            func page() throws -> Page { Page(html: try Self.chromium(["--dump-dom", url])) }

            var first = Page(html: "")
            try await eventually("the page shows orders and four consumers up", timeout: .seconds(120)) {
                first = try page()
                return (first.ordersTotal ?? 0) > 0
                    && ["restaurants#1", "delivery#1", "support#1", "analytics#1"].allSatisfy { first.state($0) == "up" }
            }
            #expect(first.connection == "polling")
            try await eventually("the numbers move", timeout: .seconds(30)) { (try page().ordersTotal ?? 0) > (first.ordersTotal ?? 0) }
            // The choreography: orders waiting per stage, and each deciding service's group.
            try await eventually("the page shows the stages and the deciding services' groups", timeout: .seconds(30)) {
                let html = try page().html
                return ["orders.decisions", "restaurants.decisions", "delivery.decisions", "data-stage=\"placed\""].allSatisfy {
                    html.contains($0)
                }
            }

            // The server-sent event stream the page uses without ?poll.
            let curl = Process()
            curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
            curl.arguments = ["-sN", "--max-time", "3", "http://127.0.0.1:\(dashboardPort)/events"]
            let stream = Pipe()
            curl.standardOutput = stream
            try curl.run()
            let events = String(decoding: stream.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            curl.waitUntilExit()
            #expect(
                events.hasPrefix("data: {") && events.components(separatedBy: "\n\ndata: {").count >= 2,
                "one event a second: \(events.prefix(80))")

            _ = try SimulationCLITests.cli(["kill", "support", "--data-dir", directory])
            var lags: [Int64] = []
            try await eventually("the page shows support down with its lag rising", timeout: .seconds(40)) {
                let shown = try page()
                guard shown.state("support#1") == "DOWN", let lag = shown.totalLag("support#1") else { return false }
                lags.append(lag)
                return lags.count >= 2 && lags.last! > lags.first!
            }
            _ = try SimulationCLITests.cli(["start", "support", "--data-dir", directory])
            try await eventually("the page shows support up again with its lag back to 0", timeout: .seconds(60)) {
                let shown = try page()
                return shown.state("support#1") == "up" && shown.totalLag("support#1") == 0
            }
            let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent(
                "fooddelivery-dashboard-\(UUID().uuidString.prefix(6)).png")
            _ = try Self.chromium(["--window-size=1300,1500", "--screenshot=\(screenshot.path)", url])
            #expect(
                (try? FileManager.default.attributesOfItem(atPath: screenshot.path)[.size] as? Int) ?? 0 > 10_000,
                "a screenshot at \(screenshot.path)")

            _ = try SimulationCLITests.cli(["stop", "--data-dir", directory])
            try await eventually("up exits", timeout: .seconds(40)) { !up.isRunning }
            print(
                "dashboard: loaded in chromium, orders \(first.ordersTotal ?? 0) → more, support killed (lag on the page \(lags.map(String.init).joined(separator: " → "))), restarted (lag 0); screenshot \(screenshot.path)"
            )
        }
    }
}
