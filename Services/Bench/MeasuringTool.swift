import Foundation

/// Another program that measures a rate and prints it (librdkafka's `rdkafka_performance`, the
/// Python peer): run to its end, its output read, the rate taken from the last line that states it.
struct MeasuringTool {
    /// How the report and errors name it.
    let name: String
    let executable: String

    /// Runs it with `arguments`; `pattern` captures the rate. A failed run, or output without the
    /// rate, throws with the end of its output.
    func rate(_ arguments: [String], pattern: Regex<(Substring, Substring)>) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // rdkafka_performance prints its summary more than once; the last one is final.
        guard process.terminationStatus == 0, let match = text.matches(of: pattern).last, let rate = Double(match.1) else {
            throw BenchError(
                "\(name) \(arguments.joined(separator: " ")) failed (exit \(process.terminationStatus)):\n\(text.suffix(1500))")
        }
        return rate
    }
}
