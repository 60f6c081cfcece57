import Foundation
import Kafka
import ServiceAPI
import ServiceRuntime
import SimulationControl

/// Resident memory of a real consumer service process (the release executable; as deployed when
/// built with `--static-swift-stdlib`, as `scripts/bench.sh` and `deploy/Dockerfile` build it):
/// while it catches up on a filled topic, at steady state under a steady event rate, and while
/// it replays its projection from the beginning (a shadow database beside the live one).
struct ServiceMemoryBench {
    let bootstrapServers: String
    let directory: URL

    /// Peaks and the steady median, each as (all resident, anonymous = the process's own heap and stacks).
    struct Figures {
        var catchUpPeak: RSSSampler.Sample
        var steadyPeak: RSSSampler.Sample
        var steadyMedian: RSSSampler.Sample
        var replayPeak: RSSSampler.Sample
        /// Whether the process loaded Swift's runtime as a shared library (a plain `swift build`),
        /// which adds its pages to the resident figure; the deployed build links it in.
        var swiftRuntimeShared: Bool
    }

    /// `produce` runs the steady load (events/s for the steady window) on the same topic.
    func measure(service: String, topic: String, events: Int, steadySeconds: Int, produce: @Sendable () async throws -> Void) async throws
        -> Figures
    {
        let port = try LocalPort.free()
        let dataDirectory = directory.appendingPathComponent("memory-\(service)")
        let log = directory.appendingPathComponent("memory-\(service).log").path
        try FileManager.default.createDirectory(at: dataDirectory, withIntermediateDirectories: true)
        let launch = ServiceLaunch(
            service: service, brokers: bootstrapServers, dataDir: dataDirectory.path, topic: topic, httpPort: port, logLevel: .warning,
            consumer: .init(group: "bench-memory-\(service)-\(UUID().uuidString.prefix(6).lowercased())", profile: .local))
        let pid = try ServiceLauncher.launch(launch, log: log)
        defer {
            kill(pid, SIGKILL)
            ServiceLauncher.reap(pid)
        }
        let client = ServiceClient(port: port)
        let sampler = RSSSampler(pid: pid)

        // Catch-up: until every event on the topic is applied.
        let caughtUp = try await sampler.sampling {
            let deadline = ContinuousClock.now + .seconds(300)
            while ContinuousClock.now < deadline {
                if let offsets: OffsetsReport = try? await client.get(ProjectionEndpoints.offsets), offsets.counts.applied >= events {
                    return
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw BenchError("\(service) did not apply \(events) events within 300 s; see \(log)")
        }
        let maps = (try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8)) ?? ""
        // Steady state: a steady rate of new events, after a second to settle.
        try await Task.sleep(for: .seconds(1))
        let steady = try await sampler.sampling { try await produce() }
        // Replay from the beginning: the shadow database is built beside the live one, then swapped in.
        var replayClient = ServiceClient(port: port, timeout: 600)
        // The service inherits this process's environment, an operator token included.
        replayClient.operatorToken = ProcessInfo.processInfo.environment[OperatorToken.variable]
        let replay = try await sampler.sampling { [replayClient] in
            _ = try await replayClient.send(ProjectionEndpoints.replay, query: "from=earliest&swap=always")
        }
        guard steady.count > steadySeconds else { throw BenchError("too few memory samples of \(service) (\(steady.count))") }
        func peak(_ samples: [RSSSampler.Sample]) -> RSSSampler.Sample {
            RSSSampler.Sample(resident: samples.map(\.resident).max() ?? 0, anonymous: samples.map(\.anonymous).max() ?? 0)
        }
        let median = RSSSampler.Sample(
            resident: steady.map(\.resident).sorted()[steady.count / 2], anonymous: steady.map(\.anonymous).sorted()[steady.count / 2])
        return Figures(
            catchUpPeak: peak(caughtUp), steadyPeak: peak(steady), steadyMedian: median, replayPeak: peak(replay),
            swiftRuntimeShared: maps.contains("libswiftCore.so"))
    }

}

/// Samples a process's resident memory (/proc/<pid>/status) every 100 ms while some work runs.
struct RSSSampler: Sendable {
    let pid: Int32

    /// Bytes. `resident` (VmRSS) includes the file-backed pages in use of the executable and its
    /// shared libraries (librdkafka, SQLite, libc…), shared between processes; `anonymous`
    /// (RssAnon) is what this process alone holds: heap, stacks, librdkafka's queues, SQLite's cache.
    struct Sample: Sendable {
        var resident: Int
        var anonymous: Int
    }

    func sampling(_ work: @Sendable () async throws -> Void) async throws -> [Sample] {
        try await withThrowingTaskGroup(of: [Sample].self) { group in
            group.addTask {
                var samples: [Sample] = []
                while !Task.isCancelled {
                    if let sample = Self.sample(pid) { samples.append(sample) }
                    try? await Task.sleep(for: .milliseconds(100))
                }
                return samples
            }
            try await work()
            group.cancelAll()
            return try await group.next() ?? []
        }
    }

    static func sample(_ pid: Int32) -> Sample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        func bytes(_ field: String) -> Int? {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
                let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            else { return nil }
            return kilobytes * 1024
        }
        guard let resident = bytes("VmRSS"), let anonymous = bytes("RssAnon") else { return nil }
        return Sample(resident: resident, anonymous: anonymous)
    }
}
