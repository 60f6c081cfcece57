package import Foundation

/// Another program run to its end: its exit status and what it printed (standard output and
/// error together). For the tools this package drives (validators, load generators, readelf),
/// not for services, which run as long-lived children (`ServiceLauncher`).
package struct ProgramRun: Sendable {
    package let status: Int32
    package let output: String

    /// Runs `executable` with `arguments`, `environment` added to this process's, in `directory`.
    package init(_ executable: String, _ arguments: [String], environment: [String: String] = [:], in directory: URL? = nil) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
        if let directory { process.currentDirectoryURL = directory }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        // Read to the end before waiting: a full pipe would otherwise stall the program.
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        (status, output) = (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
