import ArgumentParser
import Contract
import Foundation
import Operations
import OrderEvents
import SimulationControl

/// `order-stats`: analytics' per-minute, per-region statistics, read from their topic as a
/// consumer should read a transactional topic: `read_committed`, the latest record per key,
/// summed over partitions.
struct OrderStatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "order-stats",
        abstract: "Per-minute, per-region order statistics, as analytics publishes them in Kafka transactions (read_committed).")

    @OptionGroup var cluster: ClusterOptions
    @Option(help: "The statistics topic.") var topic = Topics.orderStats
    @Option(help: "Show the newest this many minutes.") var minutes = 10
    @Flag(help: "Print JSON (for scripts).") var json = false

    func run() async throws {
        guard minutes > 0 else { throw ValidationError("--minutes must be at least 1") }
        let (_, configuration, logger) = try cluster.admin(clientID: "fooddelivery-order-stats")
        let totals = try await OrderStatsReader.totals(topic: topic, configuration: configuration, logger: logger)
        let newest = Set(totals.map(\.minute)).sorted().suffix(minutes)
        let shown = totals.filter { newest.contains($0.minute) }
        if json { return try OutputLine.pretty(shown) }
        guard !shown.isEmpty else {
            return OutputLine.write(
                "\(topic) has no statistics yet: analytics publishes them (unless --publish-stats false) once orders flow")
        }
        OutputLine.write("MINUTE (UTC)              REGION      ORDERS  IN-FLIGHT  DELIVERED  REJECTED  CANCELLED  FAILED  DELIVERED-EUR")
        for row in shown {
            let counts = row.counts
            let cells: [(String, Int)] = [
                (row.minute, 26), (row.region, 12), (String(counts.orders), 8), (String(counts.inFlight), 11),
                (String(counts.delivered), 11),
                (String(counts.rejected), 10), (String(counts.cancelled), 11), (String(counts.deliveryFailed), 8),
            ]
            OutputLine.write(
                cells.map { $0.0.padding(toLength: $0.1, withPad: " ", startingAt: 0) }.joined()
                    + String(format: "%.2f", Double(counts.deliveredCents) / 100))
        }
    }
}
