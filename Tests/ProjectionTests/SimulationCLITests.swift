import Foundation
import ServiceAPI
import ServiceHTTPClient
import ServiceRuntime
import SimulationControl
import TestSupport
import Testing

extension SystemTests {
    /// The operator's journey, driven through the CLI as a user would: `up`, kill a consumer and see
    /// its lag climb, start it and see the lag reach zero, replay two services with their checksums
    /// verified, query, `stop` — and no process left behind.
    @Suite("Simulation CLI", .timeLimit(.minutes(5)))
    struct SimulationCLITests {
        struct Status: Decodable {
            struct Group: Decodable {
                var service: String
                var instance: Int
                var assignment: [Int32]?
                var running: Bool
                var totalLag: Int64?
                var applied: Int?
                struct Coordinator: Decodable {
                    struct Member: Decodable { var memberID: String }
                    var members: [Member]
                }
                var coordinator: Coordinator?
            }
            struct Producer: Decodable {
                var running: Bool
            }
            var producer: Producer
            var groups: [Group]
            func group(_ name: String) -> Group? { groups.first { $0.service == name } }
        }

        @Test(
            "up → kill support (lag climbs) → start (lag 0) → replay support and analytics (checksums equal) → scale support to 2, kill and start support-2, and back → a merged query with absent peers answers at once → status with the broker frozen answers in time → query → stop, nothing left running"
        )
        func operatorJourney() async throws {
            let directory = try TestNames.temporaryDirectory("simulation").path
            // Free for every port the run may use: 5 services and 2 more instances of each consumer.
            let basePort = try LocalPort.freeRange(25)
            let up = Process()
            up.executableURL = ChildConsumer.executable
            up.arguments = [
                "up", "--data-dir", directory, "--base-port", String(basePort), "--speed", "20", "--plain", "--refresh", "1", "--log-level",
                "warning",
            ]
            let upLog = FileManager.default.temporaryDirectory.appendingPathComponent("up-\(UUID().uuidString.prefix(6)).log")
            _ = FileManager.default.createFile(atPath: upLog.path, contents: nil)
            up.standardOutput = try FileHandle(forWritingTo: upLog)
            up.standardError = up.standardOutput
            try up.run()
            defer { if up.isRunning { kill(up.processIdentifier, SIGKILL) } }

            try await eventually("every service runs, applies events and has caught up", timeout: .seconds(120)) {
                guard let status = try? Self.status(directory), status.producer.running else { return false }
                return status.groups.count == 4 && status.groups.allSatisfy { $0.running && ($0.applied ?? 0) > 0 && $0.totalLag == 0 }
            }
            let pids = try Self.pids(directory)
            // Kafka's own view of each group (DescribeGroups) sits beside each service's: one member
            // each, as the coordinator lists it (on Tansu, ids only).
            try await eventually("status shows each group as its coordinator describes it", timeout: .seconds(30)) {
                try Self.status(directory).groups.allSatisfy { ($0.coordinator?.members.count ?? 0) == 1 }
            }

            let killed = try Self.cli(["kill", "support", "--data-dir", directory])
            #expect(killed.contains("SIGKILL"))
            var lags: [Int64] = []
            try await eventually("support's lag climbs while it is down", timeout: .seconds(30)) {
                let status = try Self.status(directory)
                guard let support = status.group("support"), !support.running, let lag = support.totalLag else { return false }
                lags.append(lag)
                return lags.count >= 3 && lags.last! > lags.first!
            }
            _ = try Self.cli(["start", "support", "--data-dir", directory])
            try await eventually("support catches up: lag back to 0", timeout: .seconds(60)) {
                let support = try Self.status(directory).group("support")
                return support?.running == true && support?.totalLag == 0
            }
            for service in ["support", "analytics"] {
                let replay = try JSONDecoder().decode(
                    ReplayReport.self, from: Data(try Self.cli(["replay", service, "--json", "--data-dir", directory]).utf8))
                #expect(replay.checksumsMatch && replay.swapped, "\(service): \(replay)")
            }
            // Scale support to two instances in its group, and back. While another program holds the
            // port the second instance must use (support's + 10, where its peers expect it), `scale`
            // refuses and says so, leaving nothing half-started.
            let blocker = try ListeningSocket(port: basePort + 3 + 10)
            do {
                _ = try Self.cli(["scale", "support", "2", "--data-dir", directory])
                Issue.record("scale started an instance although its port \(basePort + 13) is taken")
            } catch let failure as CLIFailure {
                #expect(failure.output.contains("is taken by another program"), "\(failure.output)")
            }
            blocker.close()
            _ = try Self.cli(["scale", "support", "2", "--data-dir", directory])
            try await eventually("two support instances split the partitions", timeout: .seconds(60)) {
                let owned = try Self.status(directory).groups.filter { $0.service == "support" }.map { $0.assignment ?? [] }
                return owned.count == 2 && owned.allSatisfy { !$0.isEmpty } && Set(owned.flatMap { $0 }) == Set(0..<6)
            }
            // `kill` and `start` work on any instance, the ones `scale` added included: it comes back
            // on its port, in its group, and the partitions split again.
            _ = try Self.cli(["kill", "support-2", "--data-dir", directory])
            let restarted = try Self.cli(["start", "support-2", "--data-dir", directory])
            #expect(restarted.contains("port \(basePort + 13)"), "\(restarted)")
            try await eventually("the restarted support-2 owns partitions again", timeout: .seconds(60)) {
                let owned = try Self.status(directory).groups.filter { $0.service == "support" }.map { $0.assignment ?? [] }
                return owned.count == 2 && owned.allSatisfy { !$0.isEmpty } && Set(owned.flatMap { $0 }) == Set(0..<6)
            }
            _ = try Self.cli(["scale", "support", "1", "--data-dir", directory])
            try await eventually("one support instance owns every partition again", timeout: .seconds(60)) {
                let owned = try Self.status(directory).groups.filter { $0.service == "support" }.map { $0.assignment ?? [] }
                return owned.count == 1 && Set(owned[0]) == Set(0..<6)
            }
            // `up` names three peers per service, two of them not running now: a merged query asks
            // each, and a peer with nothing listening must cost a refused connection, not a timeout.
            let asked = ContinuousClock.now
            let merged = try await ServiceHTTPRequest("http://127.0.0.1:\(basePort + 3)/orders/late?limit=5", timeout: .seconds(10)).send()
            let took = ContinuousClock.now - asked
            #expect(merged.status == 200, "\(merged.text)")
            #expect(took < .seconds(4), "a merged query with two absent peers took \(took): absent peers must fail at once")
            let late = try Self.cli(["query", "support", "late", "--limit", "5", "--data-dir", directory])
            #expect(late.contains("orderId") || late.contains("(nothing)"), "\(late)")
            let order = try Self.cli(["query", "support", "timeline", "ord-1-000001", "--data-dir", directory])
            #expect(order.contains("order.created"), "\(order)")
            let summary = try Self.cli(["query", "analytics", "summary", "--data-dir", directory])
            #expect(summary.contains("orders:"), "\(summary)")

            // A frozen broker: `status` still answers, in time, with what it knows, and names the
            // part that did not answer.
            let tansu = try Self.brokerPID(directory)
            kill(tansu, SIGSTOP)
            let frozenAt = ContinuousClock.now
            let frozen = try? Self.cli(["status", "--data-dir", directory])
            let frozenTook = ContinuousClock.now - frozenAt
            kill(tansu, SIGCONT)
            #expect(frozenTook < .seconds(15), "status took \(frozenTook) with the broker frozen")
            #expect(
                frozen?.contains("did not answer in time") == true && frozen?.contains("broker") == true, "\(frozen ?? "status failed")")
            #expect(frozen?.contains("support") == true, "what the services said is still shown: \(frozen ?? "")")

            let finalPIDs = try Self.pids(directory)
            let stopping = ContinuousClock.now
            let stopped = try Self.cli(["stop", "--data-dir", directory])
            try await eventually("up exits", timeout: .seconds(40)) { !up.isRunning }
            let stopTook = ContinuousClock.now - stopping
            #expect(stopped.contains("stopped"), "\(stopped)")
            #expect(up.terminationStatus == 0, "up's output: \((try? String(contentsOf: upLog, encoding: .utf8))?.suffix(2000) ?? "")")
            // An exited process whose parent is gone waits as a zombie until PID 1 collects it
            // (this sandbox's PID 1 may never do so): it has stopped, and does not count.
            let survivors = Set(pids + finalPIDs).filter { SimulationRun.isAlive($0) }
            #expect(survivors.isEmpty, "still running: \(survivors)")
            #expect(!FileManager.default.fileExists(atPath: directory + "/run.json"))
            print(
                "simulation CLI: up, kill support (lag climbed \(lags.map(String.init).joined(separator: " → "))), start (lag 0), replay support and analytics (checksums equal, swapped), scale 2, kill and start support-2, and back, merged query with 2 absent peers in \(took), status with the broker frozen in \(frozenTook), query, stop in \(stopTook): no process left"
            )
        }

        /// Runs `fooddelivery` with `arguments`; its standard output, or an error with both outputs.
        static func cli(_ arguments: [String]) throws -> String {
            let process = Process()
            process.executableURL = ChildConsumer.executable
            process.arguments = arguments
            let output = Pipe()
            let errors = Pipe()
            process.standardOutput = output
            process.standardError = errors
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            let errorData = errors.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else {
                throw CLIFailure(arguments: arguments, output: String(decoding: data + errorData, as: UTF8.self))
            }
            return String(decoding: data, as: UTF8.self)
        }

        struct CLIFailure: Error, CustomStringConvertible {
            var arguments: [String]
            var output: String
            var description: String { "fooddelivery \(arguments.joined(separator: " ")) failed: \(output)" }
        }

        static func status(_ directory: String) throws -> Status {
            try JSONDecoder().decode(Status.self, from: Data(try cli(["status", "--json", "--data-dir", directory]).utf8))
        }

        struct Run: Decodable {
            struct Service: Decodable { var pid: Int32 }
            var supervisor: Int32
            var services: [String: Service]
        }

        /// The local broker `up` started: the tansu process listening where run.json says.
        static func brokerPID(_ directory: String) throws -> Int32 {
            struct Brokers: Decodable { var brokers: String }
            let brokers = try JSONDecoder().decode(Brokers.self, from: try Data(contentsOf: URL(fileURLWithPath: directory + "/run.json")))
                .brokers
            for entry in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
                guard let pid = Int32(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline") else { continue }
                let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
                if arguments.first?.hasSuffix("/tansu") == true, arguments.contains("tcp://\(brokers)") { return pid }
            }
            throw CLIFailure(arguments: ["(find the broker)"], output: "no tansu process listens on \(brokers)")
        }

        static func pids(_ directory: String) throws -> [Int32] {
            let run = try JSONDecoder().decode(Run.self, from: try Data(contentsOf: URL(fileURLWithPath: directory + "/run.json")))
            return [run.supervisor] + run.services.values.map(\.pid)
        }
    }
}

/// A socket listening on a local port, to stand for "another program has this port".
private struct ListeningSocket {
    let descriptor: Int32

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard bound, listen(descriptor, 1) == 0 else { throw POSIXError(.EADDRINUSE) }
    }

    func close() { _ = Glibc.close(descriptor) }
}
