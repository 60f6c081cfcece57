import Foundation
import ServiceRuntime

/// Another program that measures something and prints it (librdkafka's `rdkafka_performance`, the
/// Python peer, `wrk`): run to its end, its output read.
struct MeasuringTool {
    /// How the report and errors name it.
    let name: String
    let executable: String

    /// Runs it with `arguments` (and `environment` added to this process's); a failed run throws
    /// with the end of its output.
    func output(_ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let run = try ProgramRun(executable, arguments, environment: environment)
        guard run.status == 0 else {
            throw BenchError("\(name) \(arguments.joined(separator: " ")) failed (exit \(run.status)):\n\(run.output.suffix(1500))")
        }
        return run.output
    }

    /// Runs it with `arguments`; `pattern` captures the rate, taken from the last line that states
    /// it (rdkafka_performance prints its summary more than once; the last one is final).
    func rate(_ arguments: [String], pattern: Regex<(Substring, Substring)>) throws -> Double {
        let text = try output(arguments)
        guard let match = text.matches(of: pattern).last, let rate = Double(match.1) else {
            throw BenchError("\(name) \(arguments.joined(separator: " ")) printed no rate:\n\(text.suffix(1500))")
        }
        return rate
    }
}
