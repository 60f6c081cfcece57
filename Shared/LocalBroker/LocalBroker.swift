public import Foundation
public import Kafka
public import Logging
import Synchronization

/// A local Kafka-compatible broker (Tansu) for the demo and the tests.
///
/// `start` installs Tansu if needed, starts it on a free loopback port, and returns once the
/// broker answers a Kafka Metadata request. `stop` ends it. The broker also stops by itself when
/// the process that started it dies (even by SIGKILL): a watchdog shell polls its owner's pid, so a
/// killed test run or demo never leaves a broker behind.
///
/// By default Tansu keeps everything in memory: a restart means empty topics. On `.s3` storage
/// (a `LocalS3Server`) it keeps topics, records and committed offsets across `restart()`
/// (docs/LOCAL-BROKER.md).
public final class LocalBroker: Sendable {
    /// Where Tansu keeps its data.
    public enum Storage: Sendable {
        case memory
        /// A bucket of a local S3 server: what Tansu wrote survives its restart.
        case s3(LocalS3Server)
    }

    /// `127.0.0.1:<port>`.
    public let bootstrapServer: String
    public let logFile: URL
    public let storage: Storage
    private let executable: URL
    private let process: Mutex<Process?>

    private init(bootstrapServer: String, logFile: URL, storage: Storage, executable: URL, process: Process) {
        self.bootstrapServer = bootstrapServer
        self.logFile = logFile
        self.storage = storage
        self.executable = executable
        self.process = Mutex(process)
    }

    deinit { process.withLock { $0?.terminate() } }

    public var kafkaConfiguration: KafkaConfiguration { KafkaConfiguration(bootstrapServers: [bootstrapServer]) }
    /// The watchdog shell's pid.
    public var pid: Int32? { process.withLock { $0?.processIdentifier } }

    /// The Tansu process itself (the watchdog's child).
    public var brokerPID: Int32? { pid.flatMap(WatchdogProcess.child(of:)) }

    /// How long Tansu on S3 storage gets to exit after SIGTERM before SIGKILL.
    public static let gracefulStopLimit = Duration.seconds(10)

    /// Starts a broker. `port` 0 picks a free one. Logs go to `logFile` (default: a temp file).
    public static func start(
        port: Int = 0, logFile: URL? = nil, storage: Storage = .memory, logger: Logger, readyTimeout: Duration = .seconds(30)
    ) async throws -> LocalBroker {
        let installation = try await TansuInstallation.locateOrInstall(logger: logger)
        var lastFailure = ""
        // A port picked by binding port 0 can be taken by someone else before Tansu binds it: retry.
        for _ in 0..<3 {
            let chosenPort = port == 0 ? try LoopbackPort.free() : port
            let address = "127.0.0.1:\(chosenPort)"
            let log = logFile ?? FileManager.default.temporaryDirectory.appendingPathComponent("tansu-\(chosenPort).log")
            let process = try launch(installation.executable, address: address, log: log, storage: storage)
            let broker = LocalBroker(
                bootstrapServer: address, logFile: log, storage: storage, executable: installation.executable, process: process)
            if let failure = await broker.waitUntilReady(timeout: readyTimeout, logger: logger) {
                lastFailure = failure
                await broker.stop()
                if port != 0 { break }
                continue
            }
            logger.info(
                "local Kafka broker (Tansu) ready at \(address)", metadata: ["pid": "\(process.processIdentifier)", "log": "\(log.path)"])
            return broker
        }
        throw LocalBrokerError("the local broker did not start: \(lastFailure)")
    }

    /// Stops the broker and starts it again on the same address and storage; returns once it
    /// answers again. On memory storage it comes back empty.
    public func restart(logger: Logger, readyTimeout: Duration = .seconds(30)) async throws {
        await stop()
        let process = try Self.launch(executable, address: bootstrapServer, log: logFile, storage: storage, appending: true)
        self.process.withLock { $0 = process }
        if let failure = await waitUntilReady(timeout: readyTimeout, logger: logger) {
            throw LocalBrokerError("the local broker did not come back: \(failure)")
        }
    }

    /// Stops the broker and waits for it to exit: at once on memory storage, where there is
    /// nothing to save; on S3 storage with SIGTERM, so it finishes what it was writing (SIGKILL
    /// after `gracefulStopLimit`).
    public func stop() async {
        guard let process = process.take() else { return }
        await WatchdogProcess.stop(process, within: Self.gracefulStopLimit + .seconds(5))
    }

    public var isRunning: Bool { process.withLock { $0?.isRunning ?? false } }

    // MARK: - Starting

    private static func launch(_ tansu: URL, address: String, log: URL, storage: Storage, appending: Bool = false) throws -> Process {
        if !appending || !FileManager.default.fileExists(atPath: log.path) {
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        }
        let output = try FileHandle(forWritingTo: log)
        try output.seekToEnd()
        // With memory storage a graceful shutdown saves nothing, and Tansu was seen to hang on
        // SIGTERM after its clients died, so it ends with SIGKILL. With S3 storage a SIGKILL while
        // it writes can lose records it acknowledged (it records a batch's sequence before the
        // batch), so it gets SIGTERM and `gracefulStopLimit` to finish, then SIGKILL.
        let (engine, stopping): (String, WatchdogProcess.Stopping)
        var environment = ["RUST_LOG": "warn"]
        switch storage {
        case .memory:
            (engine, stopping) = ("memory://tansu/", .kill)
        case .s3(let server):
            (engine, stopping) = ("s3://\(server.bucket)/", .terminateThenKill(after: gracefulStopLimit))
            environment.merge(server.brokerEnvironment) { $1 }
        }
        // Tansu reads its settings from the environment too; it gets only what it needs, so an
        // OTEL_EXPORTER_OTLP_ENDPOINT or LISTENER_URL of the caller cannot redirect it.
        return try WatchdogProcess.launch(
            tansu,
            ["broker", "--listener-url", "tcp://\(address)", "--advertised-listener-url", "tcp://\(address)", "--storage-engine", engine],
            name: "tansu-watchdog", stopping: stopping, environment: environment, output: output)
    }

    /// Returns nil once a Metadata request succeeds, or why it never did.
    private func waitUntilReady(timeout: Duration, logger: Logger) async -> String? {
        var quiet = logger
        quiet.logLevel = .critical  // connection-refused noise while Tansu starts up
        let deadline = ContinuousClock.now + timeout
        var lastError = "no answer"
        while ContinuousClock.now < deadline {
            guard isRunning else { return "tansu exited during start-up; see \(logFile.path)" }
            do {
                var configuration = kafkaConfiguration
                configuration.clientID = "fooddelivery-broker-probe"
                configuration.statisticsInterval = nil
                let admin = try KafkaAdmin.make(configuration: configuration, logger: quiet, requestTimeout: .seconds(2))
                let metadata = try await admin.metadata(timeout: .seconds(2))
                if !metadata.brokers.isEmpty { return nil }
            } catch {
                lastError = "\(error)"
            }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return "no Metadata answer within \(timeout) (\(lastError)); see \(logFile.path)"
    }
}
