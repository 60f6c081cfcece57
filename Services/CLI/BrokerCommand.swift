import ArgumentParser
import Foundation
import LocalBroker
import Logging
import ServiceRuntime
import SimulationControl
import UnixSignals

/// Runs the local broker in the foreground until Ctrl-C, printing its address.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the local in-memory Kafka broker (Tansu) until Ctrl-C.",
        discussion: "Point other commands at it with --brokers or KAFKA_BOOTSTRAP_SERVERS. Its data lives in memory only."
    )

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 9092

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let logger = ServiceLogging.bootstrap(level: logLevel, label: "fooddelivery")
        let broker = try await LocalBroker.start(port: port, logger: logger)
        OutputLine.write(
            "local broker ready: KAFKA_BOOTSTRAP_SERVERS=\(broker.bootstrapServer)  (pid \(broker.brokerPID.map(String.init) ?? "?"), log: \(broker.logFile.path))"
        )
        OutputLine.write("Ctrl-C stops it; its topics and offsets are gone afterwards (memory storage).")
        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
        await broker.stop()
        OutputLine.write("local broker stopped")
    }
}
