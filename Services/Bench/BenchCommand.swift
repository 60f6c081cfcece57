import ArgumentParser
import Foundation
import Kafka
import Logging
import SimulationControl

/// Benchmarks the binding against librdkafka's own `rdkafka_performance` on the same broker, in
/// one run, rounds interleaved (A/B, then B/A) so machine noise hits both sides alike. Prints and
/// writes a Markdown report with medians and ratios. Not a test: numbers go in the report only.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Raw produce/consume rate of our binding vs rdkafka_performance, as ratios (use scripts/bench.sh)."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Messages per run.") var messages = 200_000
    @Option(help: "Message size in bytes.") var size = 200
    @OptionGroup var rounds: BenchRounds
    @Option(help: "Orders per run of the orders pipeline (about 8.7 events each).") var orders = 2_000
    @Option(help: "Path of rdkafka_performance built from the same librdkafka source.") var rdkafkaPerformance: String
    @Option(help: "Where to write the Markdown report.") var out = "bench/REPORT.md"

    func run() async throws {
        guard FileManager.default.isExecutableFile(atPath: rdkafkaPerformance) else {
            throw ValidationError("\(rdkafkaPerformance) is not executable; scripts/bench.sh builds it from librdkafka's source")
        }
        try await broker.withKafka(clientID: "fooddelivery-bench") { configuration, local in
            let runner = BenchRunner(
                configuration: configuration, messages: messages, size: size, tool: rdkafkaPerformance, logger: Logger(label: "bench"))
            var results: [String: [Double]] = [:]
            for round in 1...rounds.count {
                // Alternate who goes first each round.
                let oursFirst = round % 2 == 1
                let topic = try await runner.freshTopic()
                for side in oursFirst ? ["ours", "theirs"] : ["theirs", "ours"] {
                    let rate =
                        side == "ours"
                        ? try await runner.oursProduce(topic: topic) : try await runner.theirsProduce(topic: try await runner.freshTopic())
                    results["produce-\(side)", default: []].append(rate)
                    OutputLine.write("round \(round): produce \(side): \(Int(rate)) msg/s")
                }
                for side in oursFirst ? ["ours", "theirs"] : ["theirs", "ours"] {
                    let rate = side == "ours" ? try await runner.oursConsume(topic: topic) : try await runner.theirsConsume(topic: topic)
                    results["consume-\(side)", default: []].append(rate)
                    OutputLine.write("round \(round): consume \(side): \(Int(rate)) msg/s")
                }
                let pipeline = try await runner.ordersPipeline(topic: try await runner.freshTopic(), orders: orders)
                results["orders-pipeline", default: []].append(pipeline)
                OutputLine.write("round \(round): orders pipeline (simulate → SQLite outbox → relay → Kafka): \(Int(pipeline)) events/s")
            }
            let report = BenchReport(
                results: results, messages: messages, size: size, rounds: rounds.count,
                broker: local == nil ? configuration.bootstrapServers.joined(separator: ",") : "local Tansu 0.6.0 (memory storage)")
            let markdown = report.markdown()
            OutputLine.write("\n" + markdown)
            try BenchReport.write(markdown, to: out)
        }
    }
}
