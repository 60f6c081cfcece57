package import Foundation
import ServiceAPI
package import ServiceRuntime

/// Starts and stops the system's executables as separate processes, each writing its output to
/// its own log file, as `fooddelivery up` and `fooddelivery start` do.
package enum ServiceLauncher {
    /// The executables are built next to this one.
    package static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    package static func launch(_ launch: ServiceLaunch, log: String) throws -> Int32 {
        try self.launch(executable: launch.service, arguments: launch.arguments, log: log)
    }

    /// Starts one of the system's executables, its output appended to `log`.
    package static func launch(executable name: String, arguments: [String], log: String) throws -> Int32 {
        let path = executable(name)
        guard FileManager.default.isExecutableFile(atPath: path.path) else {
            throw CLIError("\(path.path) is missing: build every executable first (`swift build`)")
        }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        guard let output = FileHandle(forWritingAtPath: log) else { throw CLIError("cannot write the log file \(log)") }
        output.seekToEndOfFile()
        let process = Process()
        process.executableURL = path
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process.processIdentifier
    }

    /// Waits until a just-launched service answers HTTP; if it exits first (a taken port, a bad
    /// setting), says so with the end of its log instead of leaving a dead entry behind.
    package static func waitUntilServing(pid: Int32, port: Int, name: String, log: String, timeout: Duration = .seconds(30)) async throws {
        let client = ServiceClient(port: port, timeout: 1)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            reap(pid)
            guard SimulationRun.isAlive(pid) else {
                let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(3).joined(
                    separator: "\n")
                throw CLIError("\(name) exited at start; the end of \(log):\n\(tail)")
            }
            if (try? await client.send(OperationalEndpoints.live)) != nil { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw CLIError("\(name) (pid \(pid)) did not answer on port \(port) within \(timeout); see \(log)")
    }

    /// SIGTERM, then SIGKILL after `grace` if it is still there.
    package static func stop(_ pid: Int32, grace: Duration = .seconds(10)) async {
        guard SimulationRun.isAlive(pid) else { return }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while SimulationRun.isAlive(pid) && ContinuousClock.now < deadline {
            reap(pid)
            try? await Task.sleep(for: .milliseconds(100))
        }
        if SimulationRun.isAlive(pid) { kill(pid, SIGKILL) }
        reap(pid)
    }

    /// Collects a child that has exited, so it does not linger as a zombie (which would still
    /// answer `kill(pid, 0)`).
    package static func reap(_ pid: Int32) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
