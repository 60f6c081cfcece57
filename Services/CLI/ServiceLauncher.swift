import Foundation

/// Starts and stops the system's executables as separate processes, each writing its output to
/// its own log file, as `fooddelivery up` and `fooddelivery start` do.
enum ServiceLauncher {
    /// The executables are built next to this one.
    static func executable(_ name: String) -> URL {
        URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent(name)
    }

    static func launch(_ name: String, arguments: [String], log: String) throws -> Int32 {
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

    /// SIGTERM, then SIGKILL after `grace` if it is still there.
    static func stop(_ pid: Int32, grace: Duration = .seconds(10)) async {
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
    static func reap(_ pid: Int32) {
        var status: Int32 = 0
        _ = waitpid(pid, &status, WNOHANG)
    }
}
