import ArgumentParser
import Foundation
import ServiceAPI
import ServiceRuntime
import SimulationControl

/// `replay <service> --from …`: rebuild a projection from the log into a shadow database, compare
/// checksums with the live one, and swap it in.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay", abstract: "Rebuild a service's projection from the log, compare checksums, swap it in.")

    @OptionGroup var cluster: ClusterOptions
    @Argument(help: "restaurants, delivery, support or analytics.") var service: String
    @Option(help: "earliest, an offset, or a time (ISO 8601, or @<ms>).") var from = "earliest"
    @Option(help: "never, when-equal or always.") var swap = "when-equal"
    @Flag(help: "Print the report as JSON.") var json = false
    @Option(
        help:
            "The operator token the service requires, if it was given one. Default: $FOODDELIVERY_OPERATOR_TOKEN (preferable: ps shows arguments)."
    )
    var operatorToken: String?

    func run() async throws {
        guard SimulationRun.consumers.contains(service) else {
            throw CLIError("replay works on the consumer services: \(SimulationRun.consumers.joined(separator: ", "))")
        }
        let entry = try cluster.run().service(service)
        let query = "from=\(from.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? from)&swap=\(swap)"
        var client = entry.client
        client.timeout = 600
        client.operatorToken = operatorToken ?? ProcessInfo.processInfo.environment[OperatorToken.variable]
        // A progress bar from GET /replay while it runs (on stderr, so --json stays clean). The
        // watcher ends before anything else is printed, so the bar never follows the result.
        let interactive = !json
        let outcome = await withTaskGroup(of: Result<Data, any Error>?.self) { group in
            group.addTask { [client] in
                do { return .success(try await client.send(ProjectionEndpoints.replay, query: query)) } catch { return .failure(error) }
            }
            if interactive {
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .milliseconds(400))
                        guard !Task.isCancelled, let state: ReplayState = try? await entry.client.get(ProjectionEndpoints.replayState),
                            let progress = state.progress, progress.expected > 0
                        else { continue }
                        let done = min(1, Double(progress.recordsRead) / Double(progress.expected))
                        let bar = String(repeating: "#", count: Int(done * 30)) + String(repeating: ".", count: 30 - Int(done * 30))
                        FileHandle.standardError.write(
                            Data("\r  replaying [\(bar)] \(progress.recordsRead)/\(progress.expected) records".utf8))
                    }
                    return nil
                }
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        guard let outcome else { throw CLIError("the replay request ended without an answer") }
        let data = try outcome.get()
        if json { return OutputLine.write(String(decoding: data, as: UTF8.self)) }
        let report = try ServiceClient.decoder.decode(ReplayReport.self, from: data)
        OutputLine.write(
            """
            replay of \(service) from \(report.from): \(report.progress.recordsRead) records read, \(report.progress.applied) events applied in \(String(format: "%.1f", report.seconds)) s
            live checksum   \(report.liveChecksum)
            replay checksum \(report.replayChecksum)  \(report.checksumsMatch ? "EQUAL: nothing lost, nothing applied twice" : "DIFFERENT")
            \(report.swapped ? "swapped in" : "not swapped (swap=\(swap))")
            """)
    }
}
