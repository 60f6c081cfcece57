public import Foundation
public import Logging
import Synchronization

/// A local S3 server (moto, from PyPI) for the local broker's persistent storage: Tansu keeps its
/// topics, records and committed offsets in a bucket there, so they outlive the broker's restart
/// (not the S3 server's: moto keeps the bucket in memory). `scripts/setup.sh --local-s3` installs
/// it; like the broker, it stops by itself when the process that started it dies.
public final class LocalS3Server: Sendable {
    /// `http://127.0.0.1:<port>`.
    public let endpoint: String
    public let bucket: String
    private let process: Mutex<Process?>

    private init(endpoint: String, bucket: String, process: Process) {
        self.endpoint = endpoint
        self.bucket = bucket
        self.process = Mutex(process)
    }

    deinit { process.withLock { $0?.terminate() } }

    /// Where `scripts/setup.sh --local-s3` installs it.
    public static var installation: URL { TansuInstallation.cacheDirectory.appendingPathComponent("local-s3") }

    /// Whether `scripts/setup.sh --local-s3` has installed it.
    public static var isInstalled: Bool {
        FileManager.default.isExecutableFile(atPath: installation.appendingPathComponent("bin/moto_server").path)
    }

    /// Starts the server on a free loopback port and creates `bucket`; returns once it exists.
    public static func start(bucket: String = "fooddelivery-broker", logger: Logger, readyTimeout: Duration = .seconds(30))
        async throws -> LocalS3Server
    {
        let python = installation.appendingPathComponent("bin/python")
        let server = installation.appendingPathComponent("bin/moto_server")
        guard FileManager.default.isExecutableFile(atPath: server.path) else {
            throw LocalBrokerError("no local S3 server at \(server.path): run scripts/setup.sh --local-s3 to install it (moto, from PyPI)")
        }
        let port = try LoopbackPort.free()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("local-s3-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        // The server ends with its owner, as the broker does.
        let process = try WatchdogProcess.launch(
            server, ["-H", "127.0.0.1", "-p", String(port)], name: "local-s3-watchdog", stopping: .terminate, environment: [:],
            output: output)
        let started = LocalS3Server(endpoint: "http://127.0.0.1:\(port)", bucket: bucket, process: process)
        // The bucket is made with the server's own Python (an unsigned PUT, which moto accepts):
        // it answers once the server listens.
        let deadline = ContinuousClock.now + readyTimeout
        var lastFailure = "no answer"
        while ContinuousClock.now < deadline, process.isRunning {
            let create = await WatchdogProcess.run(
                python,
                [
                    "-c",
                    "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='PUT'), timeout=2)",
                    "\(started.endpoint)/\(bucket)",
                ])
            if create.status == 0 {
                logger.info("local S3 server ready at \(started.endpoint), bucket \(bucket)", metadata: ["log": "\(log.path)"])
                return started
            }
            lastFailure = create.output.split(separator: "\n").last.map(String.init) ?? "exit \(create.status)"
            try await Task.sleep(for: .milliseconds(200))
        }
        await started.stop()
        throw LocalBrokerError("the local S3 server did not start (\(lastFailure)); see \(log.path)")
    }

    /// The variables Tansu reads to reach it (any credentials do; plain HTTP must be allowed).
    var brokerEnvironment: [String: String] {
        [
            "AWS_ENDPOINT": endpoint, "AWS_ALLOW_HTTP": "true", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": "us-east-1",
        ]
    }

    public func stop() async {
        guard let process = process.take() else { return }
        await WatchdogProcess.stop(process, within: .seconds(5))
    }
}
