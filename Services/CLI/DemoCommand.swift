import ArgumentParser
import Foundation
import Kafka
import Logging
import SimulationControl
import Synchronization
import UnixSignals

/// The smallest honest demo: a producer and a consumer group talking through a real broker.
///
/// Orders move through a few steps; every step is a record keyed by its order id, so all of an
/// order's steps land on one partition, in order. Two consumers in one group split the partitions
/// and print what they receive. Ctrl-C stops everything cleanly (and the broker, if started here).
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run a producer and a consumer group through Kafka and print the flow live."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Topic to use (created if missing).") var topic = "demo-orders"
    @Option(help: "Partitions of the topic.") var partitions = 6
    @Option(help: "New orders per second.") var rate: Double = 2
    @Option(help: "Consumers in the group.") var consumers = 2
    @Option(help: "Stop after this many seconds (0 = until Ctrl-C).") var duration: Double = 0

    static let steps = ["created", "accepted", "preparing", "picked-up", "delivered"]

    func run() async throws {
        guard consumers >= 1, partitions >= 1, rate > 0 else {
            throw ValidationError("--consumers, --partitions and --rate must be positive")
        }
        try await broker.withKafka(clientID: "fooddelivery-demo") { configuration, local in
            let logger = Logger(label: "demo")
            let where_ =
                local.map { "local Tansu broker at \($0.bootstrapServer) (stops with this command)" }
                ?? configuration.bootstrapServers.joined(separator: ",")
            OutputLine.write("fooddelivery demo: broker \(where_)")
            let admin = try KafkaAdmin.make(configuration: configuration, logger: logger)
            let created = try await admin.ensureTopic(NewTopic(name: topic, partitions: partitions))
            OutputLine.write(
                "topic \(topic): \(partitions) partitions\(created ? " (created)" : " (exists)"); group demo-printers with \(consumers) consumers; Ctrl-C to stop\n"
            )

            let group = "demo-printers"
            var members: [KafkaConsumer] = []
            for index in 1...consumers {
                var consumerConfiguration = KafkaConsumerConfiguration.localBroker(common: configuration, groupID: group)
                consumerConfiguration.common.clientID = "demo-consumer-\(index)"
                consumerConfiguration.autoOffsetReset = .earliest
                let consumer = try KafkaConsumer.make(
                    configuration: consumerConfiguration, rebalanceListener: AssignmentPrinter(name: "consumer-\(index)"), logger: logger)
                try consumer.subscribe([topic])
                members.append(consumer)
            }
            let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: configuration), logger: logger)
            let counts = DemoCounts()

            try await withThrowingTaskGroup(of: Void.self) { tasks in
                for (index, consumer) in members.enumerated() {
                    tasks.addTask { try await Self.print(consumer, name: "consumer-\(index + 1)", counts: counts) }
                }
                let (topic, rate, duration) = (topic, rate, duration)
                // The producer runs until --duration is over or SIGINT/SIGTERM arrives.
                await withThrowingTaskGroup(of: Void.self) { producing in
                    producing.addTask { try await Self.produceOrders(producer, topic: topic, rate: rate, counts: counts) }
                    if duration > 0 {
                        try? await Task.sleep(for: .seconds(duration))
                    } else {
                        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
                    }
                    OutputLine.write("\nstopping: producer flushes, consumers leave the group…")
                    producing.cancelAll()
                    // Cancellation ends the producing loop with an error; nothing to report.
                    while (try? await producing.next()) != nil {}
                }
                await producer.close()
                for consumer in members { await consumer.close() }
                try await tasks.waitForAll()
            }
            OutputLine.write(
                "done: produced \(counts.produced), consumed \(counts.consumed) (the rest stays in the topic for the next run)")
        }
    }

    private static func produceOrders(_ producer: KafkaProducer, topic: String, rate: Double, counts: DemoCounts) async throws {
        let pacer = Pacer(perSecond: rate * Double(Self.steps.count))
        var active: [(id: String, step: Int)] = []
        var next = 1
        while !Task.isCancelled {
            await pacer.wait()
            // Mostly advance an order already in flight, so steps of different orders interleave.
            if active.count < 3 || (active.count < 10 && Int.random(in: 0..<3) == 0) {
                active.append((String(format: "order-%04d", next), 0))
                next += 1
            }
            let pick = Int.random(in: 0..<active.count)
            let order = active[pick]
            let step = Self.steps[order.step]
            let value = #"{"order":"\#(order.id)","step":"\#(step)","at":"\#(Date().formatted(.iso8601))"}"#
            let report = try await producer.send(KafkaProducerMessage(topic: topic, key: order.id, value: value))
            counts.didProduce()
            OutputLine.write(
                "→ \(order.id) \(step.padding(toLength: 10, withPad: " ", startingAt: 0)) → \(report.topicPartition) @ \(report.offset ?? -1)"
            )
            if order.step + 1 == Self.steps.count { active.remove(at: pick) } else { active[pick].step += 1 }
        }
    }

    private static func print(_ consumer: KafkaConsumer, name: String, counts: DemoCounts) async throws {
        for try await batch in consumer.batches(maxMessages: 100, maxWait: .milliseconds(5)) {
            for message in batch.messages {
                let step = message.valueString.firstMatch(of: /"step":"([^"]+)"/).map { String($0.1) } ?? "?"
                OutputLine.write("    ← [\(name)] \(message.keyString ?? "-") \(step) from \(message.topicPartition) @ \(message.offset)")
            }
            for error in batch.errors { OutputLine.write("    ! [\(name)] \(error)") }
            counts.didConsume(batch.messages.count)
            try consumer.commitAsync(batch.nextOffsets)
        }
    }
}

/// Prints each consumer's assignment as rebalances happen.
struct AssignmentPrinter: KafkaRebalanceListener {
    let name: String

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        OutputLine.write("    ⇄ [\(name)] assigned \(partitions.map { String($0.partition) }.joined(separator: ","))")
        return [:]
    }

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        OutputLine.write(
            "    ⇄ [\(name)] revoked \(partitions.map { String($0.partition) }.joined(separator: ","))\(lost ? " (lost)" : "")")
    }
}

final class DemoCounts: Sendable {
    private let state = Mutex((produced: 0, consumed: 0))
    func didProduce() { state.withLock { $0.produced += 1 } }
    func didConsume(_ count: Int) { state.withLock { $0.consumed += count } }
    var produced: Int { state.withLock { $0.produced } }
    var consumed: Int { state.withLock { $0.consumed } }
}
