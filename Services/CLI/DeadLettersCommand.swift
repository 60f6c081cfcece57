import ArgumentParser
import Contract
import Foundation
import Kafka
import Operations
import OrderEvents
import SimulationControl

/// `dlq`: the dead-letter topics of any cluster. `list` counts them, `show` prints each record
/// with why it was set aside and where it came from, `redrive` puts records back on their
/// original topic, exactly once in effect (a dry run unless `--execute`).
struct DeadLettersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq", abstract: "List, show and redrive dead letters of any cluster.",
        subcommands: [List.self, Show.self, Redrive.self], defaultSubcommand: List.self)

    static func line(_ letter: DeadLetter) -> String {
        let time = letter.timestampMilliseconds.map { Timestamp.format(Timestamp.date(milliseconds: $0)) } ?? "-"
        let origin = letter.originTopic.map {
            "\($0)[\(letter.originPartition.map(String.init) ?? "?")]@\(letter.originOffset.map(String.init) ?? "?")"
        }
        return "\(letter.topic)[\(letter.partition)]@\(letter.offset)  \(time)  key \(letter.key ?? "-")  \(letter.eventType ?? "")\n"
            + "    from \(origin ?? "unknown origin"), set aside by \(letter.group ?? "?"): \(letter.reason ?? "no reason given")"
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The dead-letter topics and how many records each holds.")
        @OptionGroup var cluster: ClusterOptions

        func run() async throws {
            let (admin, configuration, logger) = try cluster.admin(clientID: "fooddelivery-dlq")
            let topics = try await DeadLetters.topics(admin: admin, configuration: configuration, logger: logger)
            if topics.isEmpty { OutputLine.write("no dead-letter topics (<topic>\(Topics.deadLetters(of: "")))") }
            for (topic, count) in topics { OutputLine.write("\(topic)  \(count) record(s)") }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A dead-letter topic's records: reason, origin, key, type.")
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The dead-letter topic, e.g. order-events.dlq.") var topic: String
        @Option(help: "At most this many records.") var limit = 50
        @Flag(help: "Print JSON, with each record's value.") var json = false

        func run() async throws {
            let (_, configuration, logger) = try cluster.admin(clientID: "fooddelivery-dlq")
            let letters = Array(try await DeadLetters.read(topic: topic, configuration: configuration, logger: logger).prefix(limit))
            if json { return try OutputLine.pretty(letters) }
            if letters.isEmpty { OutputLine.write("\(topic): no records") }
            for letter in letters { OutputLine.write(DeadLettersCommand.line(letter)) }
        }
    }

    struct Redrive: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish dead letters back to their original topic, each once; prints what it would do unless --execute.",
            discussion: """
                Each record goes back with its key, value and headers, and `redriven-from` / `redriven-at`. The \
                redrive's own consumer group remembers how far it came, so a second run sends nothing twice; if it \
                is interrupted between sending and remembering, the consumers drop the repeats (order id and sequence).
                """)
        @OptionGroup var cluster: ClusterOptions
        @Argument(help: "The dead-letter topic, e.g. order-events.dlq.") var topic: String
        @Option(
            name: .customLong("only-group"),
            help: "Only the records this consumer group set aside: in each partition, up to the first record of another group.")
        var onlyGroup: String?
        @Flag(help: "Publish them (without it: only list them).") var execute = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() async throws {
            let (_, configuration, logger) = try cluster.admin(clientID: "fooddelivery-dlq")
            let report = try await DeadLetters.redrive(
                topic: topic, onlyGroup: onlyGroup, dryRun: !execute, configuration: configuration, logger: logger)
            if json { return try OutputLine.pretty(report) }
            OutputLine.write(
                "\(execute ? "redrove" : "would redrive (dry run; --execute publishes)") \(report.redriven.count) record(s) from \(topic); \(report.left.count) left for a later run; \(report.unroutable.count) without an original topic, passed; progress kept by group \(report.redriveGroup)"
            )
            for letter in report.redriven { OutputLine.write(DeadLettersCommand.line(letter)) }
        }
    }
}
