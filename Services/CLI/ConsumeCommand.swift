import ArgumentParser
import Foundation
import Kafka
import Logging
import Operations
import SimulationControl
import UnixSignals

/// A group consumer that prints what it receives and its rebalances; or, without `--group`, a
/// reader of every partition in the manner of kcat (`--format`). Also the child process the
/// conformance tests kill, so its output is exact and flushed line by line.
struct ConsumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "consume",
        abstract: "Join a consumer group (or, without --group, read every partition), print records and rebalances."
    )

    @OptionGroup var broker: BrokerOptions
    @Option(help: "Topic to subscribe to.") var topic: String
    @Option(help: "Consumer group id; without it, every partition is read from --offset-reset's end and nothing is committed.")
    var group: String?
    @Option(help: "Print each record as this says (like kcat -f): \(RecordFormat.tokens).") var format: String?
    @Flag(help: "Without --group: stop once every partition is read to its end (like kcat -e).") var exitAtEnd = false
    @Option(help: "Partition assignor: range, roundrobin, cooperative-sticky.") var assignor: String = "range"
    @Option(help: "Session timeout in ms (6000 suits the local broker).") var sessionTimeoutMs: Int = 6000
    @Option(help: "Static membership id (group.instance.id).") var instanceID: String?
    @Option(help: "Where a partition without a committed offset starts: earliest or latest.") var offsetReset: String = "earliest"
    @Option(help: "Stop after this many records (0 = run until Ctrl-C).") var maxRecords: Int = 0
    @Flag(inversion: .prefixedNo, help: "Commit offsets after each batch.") var commit = true
    @Flag(help: "Print one JSON object per event.") var json = false

    func run() async throws {
        guard let strategy = KafkaConsumerConfiguration.AssignmentStrategy(rawValue: assignor) else {
            throw ValidationError("--assignor must be one of range, roundrobin, cooperative-sticky")
        }
        guard let reset = KafkaConsumerConfiguration.OffsetReset(rawValue: offsetReset) else {
            throw ValidationError("--offset-reset must be earliest or latest")
        }
        let recordFormat = try format.map { format throws(RecordFormatError) in try RecordFormat(format) }
        guard let group else { return try await readAll(format: recordFormat, fromEnd: reset == .latest) }
        if exitAtEnd { throw ValidationError("--exit-at-end reads without a group: drop --group, or stop with --max-records") }
        try await broker.withKafka(clientID: "fooddelivery-consume") { common, _ in
            var configuration = KafkaConsumerConfiguration.localBroker(common: common, groupID: group)
            configuration.assignmentStrategy = strategy
            configuration.sessionTimeout = .milliseconds(sessionTimeoutMs)
            configuration.groupInstanceID = instanceID
            configuration.autoOffsetReset = reset
            let printer = RebalancePrinter(json: json, format: recordFormat)
            let consumer = try KafkaConsumer.make(
                configuration: configuration, rebalanceListener: printer, logger: Logger(label: "consume"))
            try consumer.subscribe([topic])
            printer.started(group: group, topic: topic)

            let (commit, maxRecords) = (commit, maxRecords)
            // Until SIGINT or SIGTERM, or --max-records: whichever ends first ends the other.
            let received = try await withThrowingTaskGroup(of: Int?.self) { group in
                group.addTask {
                    for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
                    consumer.stopFetching()
                    return nil
                }
                group.addTask {
                    var received = 0
                    for try await batch in consumer.batches(maxMessages: 500) {
                        for message in batch.messages { printer.message(message) }
                        for error in batch.errors { printer.error(error) }
                        if commit { try await consumer.commit(batch.nextOffsets) }
                        received += batch.messages.count
                        if maxRecords > 0 && received >= maxRecords { break }
                    }
                    return received
                }
                while let result = try await group.next() {
                    guard let received = result else { continue }
                    group.cancelAll()
                    return received
                }
                return 0
            }
            await consumer.close()
            printer.stopped(received: received)
        }
    }
}

extension ConsumeCommand {
    /// Every partition of the topic from its beginning or its end, outside any group, until
    /// Ctrl-C, --max-records or (with --exit-at-end) the end of every partition.
    func readAll(format: RecordFormat?, fromEnd: Bool) async throws {
        if commit == false || assignor != "range" || instanceID != nil {
            throw ValidationError("--no-commit, --assignor and --instance-id belong to a group: add --group")
        }
        let printer = RebalancePrinter(json: json, format: format)
        let (topic, maxRecords, exitAtEnd) = (topic, maxRecords, exitAtEnd)
        try await broker.withKafka(clientID: "fooddelivery-consume") { common, _ in
            let logger = Logger(label: "consume")
            try await KafkaConsumer.withStandalone(configuration: common, logger: logger) { consumer in
                let partitions = try await consumer.partitionCount(of: topic)
                guard partitions > 0 else { throw CLIError("no topic \(topic): `fooddelivery topics list`") }
                // The end as a Fetch response states it (ListOffsets' is wrong on the local broker).
                let ends =
                    fromEnd
                    ? try await FetchedLogEnds.read(topic: topic, partitions: partitions, configuration: common, logger: logger) : [:]
                try consumer.assign(
                    (0..<partitions).map { partition in
                        let tp = TopicPartition(topic, Int32(partition))
                        return TopicPartitionOffset(tp, ends[tp].map { KafkaOffset($0) } ?? .beginning)
                    })
                // Until SIGINT or SIGTERM, --max-records or the end: whichever comes first ends the other.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await _ in await UnixSignalsSequence(trapping: .sigterm, .sigint) { break }
                        consumer.stopFetching()
                    }
                    group.addTask {
                        var received = 0
                        var ended: Set<TopicPartition> = []
                        while !(exitAtEnd && ended.count == partitions) && !(maxRecords > 0 && received >= maxRecords) {
                            guard let batch = try await consumer.nextBatch(maxMessages: 500, idleTimeout: .milliseconds(200)) else {
                                if consumer.isStopping { return }
                                continue
                            }
                            for message in batch.messages.prefix(maxRecords > 0 ? maxRecords - received : .max) { printer.message(message) }
                            for error in batch.errors { printer.error(error) }
                            received += batch.messages.count
                            ended.formUnion(batch.endOfPartition.map(\.topicPartition))
                        }
                    }
                    try await group.next()
                    group.cancelAll()
                }
            }
        }
    }
}

/// Prints rebalances as they happen (inside the rebalance callback) and records as they arrive.
struct RebalancePrinter: KafkaRebalanceListener {
    let json: Bool
    var format: RecordFormat? = nil

    func partitionsAssigned(_ partitions: [TopicPartition], consumer: KafkaConsumer) async throws -> [TopicPartition: KafkaOffset] {
        if json {
            OutputLine.json(["event": "assigned", "partitions": partitions.map { Int($0.partition) }])
        } else {
            OutputLine.write("⇄ assigned \(partitions.map(\.description).joined(separator: ", "))")
        }
        return [:]
    }

    func partitionsRevoked(_ partitions: [TopicPartition], lost: Bool, consumer: KafkaConsumer) async {
        if json {
            OutputLine.json(["event": "revoked", "partitions": partitions.map { Int($0.partition) }, "lost": lost])
        } else {
            OutputLine.write("⇄ revoked \(partitions.map(\.description).joined(separator: ", "))\(lost ? " (lost)" : "")")
        }
    }

    func started(group: String, topic: String) {
        if json {
            OutputLine.json(["event": "started", "group": group, "topic": topic, "pid": Int(getpid())])
        } else {
            OutputLine.write("joining group \(group) on \(topic) …")
        }
    }

    func message(_ message: KafkaConsumerMessage) {
        if let format {
            OutputLine.write(format.render(message))
        } else if json {
            OutputLine.json([
                "event": "message", "partition": Int(message.topicPartition.partition), "offset": message.offset,
                "key": message.keyString ?? "", "value": message.valueString, "timestamp": message.timestampMilliseconds ?? -1,
                "headers": message.headers.map { ["key": $0.key, "value": $0.stringValue ?? ""] },
            ])
        } else {
            OutputLine.write("← \(message.keyString ?? "-") from \(message.topicPartition) @ \(message.offset): \(message.valueString)")
        }
    }

    func error(_ error: KafkaError) {
        if json { OutputLine.json(["event": "error", "error": error.description]) } else { OutputLine.write("! \(error)") }
    }

    func stopped(received: Int) {
        if json {
            OutputLine.json(["event": "stopped", "received": received])
        } else {
            OutputLine.write("stopped after \(received) records")
        }
    }
}
