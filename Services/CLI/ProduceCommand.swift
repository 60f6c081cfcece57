import ArgumentParser
import Foundation
import Kafka
import Logging
import SimulationControl

/// Produces keyed test records and prints each delivery report.
struct ProduceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "produce",
        abstract: "Produce keyed records (order-<n>) and print where each landed."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Topic to produce to (created if missing).") var topic: String
    @Option(help: "Partitions, if the topic is created.") var partitions: Int = 6
    @Option(help: "How many records.") var count: Int = 100
    @Option(help: "Distinct keys (order-0 ... order-<keys-1>).") var keys: Int = 20
    @Option(help: "Records per second (0 = as fast as possible).") var rate: Double = 0
    @Flag(help: "Print one JSON object per delivery report.") var json = false

    func run() async throws {
        try await broker.withKafka(clientID: "fooddelivery-produce") { configuration, _ in
            let logger = Logger(label: "produce")
            let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
            try await admin.ensureTopic(NewTopic(name: topic, partitions: partitions))
            let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: configuration), logger: logger)
            let pacer = Pacer(perSecond: rate)
            for sequence in 0..<count {
                await pacer.wait()
                let key = "order-\(sequence % max(keys, 1))"
                let value = #"{"sequence":\#(sequence),"key":"\#(key)"}"#
                let report = try await producer.send(KafkaProducerMessage(topic: topic, key: key, value: value))
                if json {
                    OutputLine.json([
                        "event": "delivered", "key": key, "sequence": sequence, "partition": report.topicPartition.partition,
                        "offset": report.offset ?? -1,
                    ])
                } else {
                    OutputLine.write("→ \(key) seq \(sequence) → \(report.topicPartition) @ \(report.offset ?? -1)")
                }
            }
            await producer.close()
        }
    }
}

/// Spaces out iterations to a target rate without drifting (sleeps until the next slot).
struct Pacer: Sendable {
    let interval: Duration?
    let start = ContinuousClock.now
    private let count = Counter()

    init(perSecond: Double) { interval = perSecond > 0 ? .seconds(1 / perSecond) : nil }

    func wait() async {
        guard let interval else { return }
        let slot = start + interval * count.next()
        if slot > .now { try? await Task.sleep(until: slot, clock: .continuous) }
    }

    private final class Counter: @unchecked Sendable {
        private var value = 0
        private let lock = NSLock()
        func next() -> Int {
            lock.withLock {
                defer { value += 1 }
                return value
            }
        }
    }
}
