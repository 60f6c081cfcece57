public import Foundation
public import ServiceRuntime
import Synchronization

/// A `fooddelivery consume --json` child process: a real group member that tests can SIGKILL.
///
/// Its stdout is read line by line on a background thread; `events` is everything it printed.
public final class ChildConsumer: Sendable {
    public struct Event: Sendable {
        public var kind: String
        public var partitions: [Int32]
        public var partition: Int32?
        public var offset: Int64?
        public var key: String?
        public var value: String?
    }

    private let process: Process
    private let log = EventLog()
    public let name: String
    /// Everything the child printed, for post-mortems of failed tests.
    public let transcript: URL

    /// The `fooddelivery` executable built next to the test bundle.
    public static var executable: URL { builtExecutable("fooddelivery") }

    /// Starts a service as `launch` describes it, with `environment` added to this process's.
    public static func launch(_ launch: ServiceLaunch, output: URL? = nil, environment: [String: String] = [:]) throws -> Process {
        try self.launch(launch.service, launch.arguments, output: output, environment: environment)
    }

    /// Starts an executable of this package with `arguments`: stdout discarded and stderr shared,
    /// or both written to `output`.
    public static func launch(_ name: String, _ arguments: [String], output: URL? = nil, environment: [String: String] = [:]) throws
        -> Process
    {
        let process = Process()
        process.executableURL = builtExecutable(name)
        process.arguments = arguments
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        process.standardOutput = FileHandle.nullDevice
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
            process.standardError = try FileHandle(forWritingTo: output)
        }
        try process.run()
        return process
    }

    /// An executable of this package, built next to the test bundle.
    public static func builtExecutable(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    public init(name: String, brokers: String, topic: String, group: String, extraArguments: [String] = []) throws {
        self.name = name
        process = Process()
        process.executableURL = Self.executable
        process.arguments =
            ["consume", "--brokers", brokers, "--topic", topic, "--group", group, "--json", "--log-level", "warning"] + extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let handle = output.fileHandleForReading
        let transcript = FileManager.default.temporaryDirectory.appendingPathComponent("child-\(name)-\(process.processIdentifier).jsonl")
        _ = FileManager.default.createFile(atPath: transcript.path, contents: nil)
        self.transcript = transcript
        let transcriptHandle = try FileHandle(forWritingTo: transcript)
        let thread = Thread { [log] in
            var buffer = Data()
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                transcriptHandle.write(chunk)
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer[buffer.startIndex..<newline]
                    buffer.removeSubrange(buffer.startIndex...newline)
                    if let event = Self.parse(line) { log.events.withLock { $0.append(event) } }
                }
            }
        }
        thread.start()
    }

    deinit { if process.isRunning { Foundation.kill(process.processIdentifier, SIGKILL) } }

    public var events: [Event] { log.events.withLock { $0 } }
    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// The partitions it owns now, from its assigned/revoked lines.
    public var assignment: Set<Int32> {
        var owned: Set<Int32> = []
        for event in events {
            if event.kind == "assigned" { owned.formUnion(event.partitions) }
            if event.kind == "revoked" { owned.subtract(event.partitions) }
        }
        return owned
    }

    public var messages: [Event] { events.filter { $0.kind == "message" } }

    /// SIGKILL: no leave-group, no commit, no clean-up; the group must notice by session timeout.
    public func sigkill() { Foundation.kill(process.processIdentifier, SIGKILL) }

    /// SIGTERM: the consumer leaves the group cleanly.
    public func terminate() { Foundation.kill(process.processIdentifier, SIGTERM) }

    public func waitForExit(timeout: Duration = .seconds(30)) async throws {
        try await eventually("\(name) exits", timeout: timeout) { !process.isRunning }
    }

    private static func parse(_ line: Data) -> Event? {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any], let kind = object["event"] as? String else {
            return nil
        }
        return Event(
            kind: kind,
            partitions: (object["partitions"] as? [Int])?.map { Int32($0) } ?? [],
            partition: (object["partition"] as? Int).map { Int32($0) },
            offset: (object["offset"] as? Int).map { Int64($0) },
            key: object["key"] as? String,
            value: object["value"] as? String
        )
    }
}

/// The child's parsed output, shared with the thread that reads its stdout.
private final class EventLog: Sendable {
    let events = Mutex<[ChildConsumer.Event]>([])
}
