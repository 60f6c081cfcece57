import Dispatch
import Foundation
import Synchronization

/// What the local broker's and the local S3 server's watchdog shells share: the program they
/// watch is their one child, and blocking work (running a program to its end) stays off Swift's
/// cooperative pool.
enum WatchdogProcess {
    /// The watched program: the watchdog shell's child.
    static func child(of watchdog: Int32) -> Int32? {
        guard let children = try? String(contentsOfFile: "/proc/\(watchdog)/task/\(watchdog)/children", encoding: .utf8) else {
            return nil
        }
        return children.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// How a watchdog stops its program, on SIGTERM or SIGINT or when its owner is gone.
    enum Stopping {
        /// SIGKILL at once: the program has nothing to save.
        case kill
        /// SIGTERM, and wait for it.
        case terminate
        /// SIGTERM, then SIGKILL if it has not exited within `limit`.
        case terminateThenKill(after: Duration)

        var shell: String {
            switch self {
            case .kill: "kill -KILL $child 2>/dev/null"
            case .terminate: "kill -TERM $child 2>/dev/null"
            case .terminateThenKill(let limit):
                "kill -TERM $child 2>/dev/null; n=0; while kill -0 $child 2>/dev/null && [ $n -lt \(limit.components.seconds * 10) ]; do sleep 0.1; n=$((n+1)); done; kill -KILL $child 2>/dev/null"
            }
        }
    }

    /// Starts `program` under a watchdog shell named `name` that stops it as `stopping` says on
    /// SIGTERM or SIGINT, and by itself once this process is gone (even SIGKILLed), so nothing is
    /// left behind. The program gets only `PATH`, `HOME` and `environment`, so none of the
    /// caller's settings redirect it; its output goes to `output`.
    static func launch(
        _ program: URL, _ arguments: [String], name: String, stopping: Stopping, environment: [String: String], output: FileHandle
    ) throws -> Process {
        let script = """
            owner=$1; shift
            "$@" &
            child=$!
            trap '\(stopping.shell); wait $child; exit 0' TERM INT
            while kill -0 "$owner" 2>/dev/null && kill -0 $child 2>/dev/null; do sleep 1; done
            \(stopping.shell); wait $child
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", script, name, String(getpid()), program.path] + arguments
        var settings = ["PATH": "/usr/bin:/bin"].merging(environment) { $1 }
        if let home = ProcessInfo.processInfo.environment["HOME"] { settings["HOME"] = home }
        process.environment = settings
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Stops a watchdog (SIGTERM: it stops its program as it was told to) and waits for it to
    /// exit, SIGKILLing it after `limit`; the program is SIGKILLed last, in case the watchdog
    /// could not see to it. It finishes in bounded time even in a cancelled task.
    static func stop(_ watchdog: Process, within limit: Duration) async {
        guard watchdog.isRunning else { return }
        let program = child(of: watchdog.processIdentifier)
        watchdog.terminate()
        if await !exited(watchdog, within: limit) {
            kill(watchdog.processIdentifier, SIGKILL)
            _ = await exited(watchdog, within: .seconds(5))
        }
        if let program { kill(program, SIGKILL) }
    }

    /// Whether `process` exits within `limit`. It waits with a sleep that cancellation does not cut
    /// short (a cancelled `Task.sleep` returns at once, and the loop would spin), and counts a
    /// process that has exited but is not yet reaped (a zombie) as exited.
    private static func exited(_ process: Process, within limit: Duration) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while process.isRunning && !isZombie(process.processIdentifier) {
            guard ContinuousClock.now < deadline else { return false }
            _ = await offPool { usleep(20_000) }
        }
        return true
    }

    private static func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return false }
        return stat[afterName.upperBound...].first == "Z"
    }

    /// Runs `work` on a thread of its own rather than a cooperative one.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }

    /// Runs `executable` to its end: its exit status and what it printed.
    static func run(_ executable: URL, _ arguments: [String]) async -> (status: Int32, output: String) {
        await offPool {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            do { try process.run() } catch { return (-1, "\(error)") }
            // Read to the end before waiting: a full pipe would otherwise stall the program.
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
    }
}

extension Mutex where Value == Process? {
    /// The process, leaving none behind: whoever takes it stops it, once.
    func take() -> Process? {
        withLock { process in
            defer { process = nil }
            return process
        }
    }
}
