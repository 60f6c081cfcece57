import Contract
import Foundation
import Kafka
import Operations
import OrderEvents
import ServiceAPI
import SupportProjection
import TestSupport
import Testing

extension SystemTests {
    /// The operator commands against a cluster given only by `--brokers` and services given only
    /// by `--service <name>=<URL>`, as against compose or Kubernetes: no simulation, no run.json.
    @Suite("Operator commands on any cluster", .timeLimit(.minutes(5)))
    struct OperatorCommandsTests {
        /// `fooddelivery <arguments> --brokers <kit's brokers>`: the cluster given by flag, which
        /// wins over any simulation's run file.
        static func cli(_ kit: KafkaTestKit, _ arguments: [String]) throws -> String {
            try SimulationCLITests.cli(arguments + ["--brokers", kit.connection.configuration.bootstrapServers.joined(separator: ",")])
        }

        static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
            try JSONDecoder().decode(T.self, from: Data(text.utf8))
        }

        @Test(
            "groups list, describe and reset-offsets (a dry run changes nothing; --execute does), status from the brokers, consume --format without a group"
        )
        func groupsAndStatus() async throws {
            let kit = try await KafkaTestKit.make("operator-groups")
            let topic = try await kit.createTopic("operator", partitions: 3)
            try await kit.produce(topic, count: 30)
            let group = TestNames.unique("operator-group")
            _ = try Self.cli(kit, ["consume", "--topic", topic, "--group", group, "--max-records", "30", "--log-level", "error"])
            let first = try Self.decode(GroupReport.self, try Self.cli(kit, ["groups", "describe", group, "--json"]))
            #expect(first.partitions.count == 3 && first.totalLag == 0, "\(first)")
            #expect(first.partitions.allSatisfy { $0.committed != nil && $0.committed == $0.logEnd })
            #expect(first.partitions.compactMap(\.committed).reduce(0, +) == 30)

            // Records written after a moment the reset can aim at.
            try await Task.sleep(for: .milliseconds(1_500))
            let between = Timestamp.format(Date())
            try await Task.sleep(for: .milliseconds(1_500))
            try await kit.produce(topic, count: 9, startingAt: 30)
            #expect(try Self.cli(kit, ["groups", "list"]).contains(group))
            let lagging = try Self.decode(GroupReport.self, try Self.cli(kit, ["groups", "describe", group, "--json"]))
            #expect(lagging.totalLag == 9, "\(lagging)")
            let status = try Self.decode([GroupReport].self, try Self.cli(kit, ["status", "--json"]))
            #expect(status.first { $0.group == group }?.totalLag == 9)

            let committed = Dictionary(uniqueKeysWithValues: first.partitions.map { ($0.partition, $0.committed ?? -1) })
            let atTime = try Self.decode(
                OffsetResetPlan.self,
                try Self.cli(kit, ["groups", "reset-offsets", group, "--topic", topic, "--to-datetime", between, "--json"]))
            #expect(atTime.rows.allSatisfy { $0.target == committed[$0.partition] }, "the first record after the moment: \(atTime.rows)")
            let earliest = try Self.decode(
                OffsetResetPlan.self, try Self.cli(kit, ["groups", "reset-offsets", group, "--topic", topic, "--to-earliest", "--json"]))
            #expect(earliest.rows.allSatisfy { $0.target == 0 })
            let unchanged = try Self.decode(GroupReport.self, try Self.cli(kit, ["groups", "describe", group, "--json"]))
            #expect(unchanged.totalLag == 9, "a dry run changes nothing")
            _ = try Self.cli(kit, ["groups", "reset-offsets", group, "--topic", topic, "--shift-by", "-2", "--execute"])
            let shifted = try Self.decode(GroupReport.self, try Self.cli(kit, ["groups", "describe", group, "--json"]))
            for partition in shifted.partitions {
                #expect(partition.committed == max(0, (committed[partition.partition] ?? 0) - 2), "\(partition)")
            }

            // kcat-style, outside any group: every record once, in the format asked for.
            let lines = try Self.cli(
                kit, ["consume", "--topic", topic, "--format", "%p|%o|%k|%s", "--exit-at-end", "--log-level", "error"]
            )
            .split(separator: "\n")
            #expect(lines.count == 39)
            let values: Set<String> = Set(lines.map { String($0.split(separator: "|")[3]) })
            let expected: Set<String> = Set((0..<39).map { String($0) })
            #expect(values == expected)
            #expect(lines.allSatisfy { $0.wholeMatch(of: /[0-2]\|[0-9]+\|key-[0-9]+\|[0-9]+/) != nil })
        }

        @Test("dlq list and show; dlq redrive publishes a dead letter back once, and a repeated redrive is applied once")
        func deadLetterRedrive() async throws {
            let kit = try await KafkaTestKit.make("operator-dlq")
            let topic = try await OrderFlow.topic(kit, partitions: 1)
            let deadLetters = Topics.deadLetters(of: topic)
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let support = try ServiceProcess(
                .testConsumer(
                    "support", brokers: brokers, topic: topic, group: TestNames.unique("support"),
                    directory: try TestNames.temporaryDirectory("operator-support")))
            try await support.waitUntilServing()
            let service = ["--service", "support=\(support.baseURL)"]

            // An order's first event, set aside by a consumer group (as a bug in it would have).
            let event = ProjectionDatabaseTests.event("ord-redrive-1", 1)
            let producer = try await kit.makeProducer()
            /// Sets `event` aside on the dead-letter topic as `group` would have.
            func deadLetter(_ event: OrderEvent, by group: String) async throws {
                try await producer.send(
                    KafkaProducerMessage(
                        topic: deadLetters, key: Array(event.orderID.utf8), value: OrderEventCodec.encode(event),
                        headers: [
                            KafkaHeader(key: EventHeaders.eventType, string: event.type.rawValue),
                            KafkaHeader(key: DeadLetterHeaders.originalTopic, string: topic),
                            KafkaHeader(key: DeadLetterHeaders.originalPartition, string: "0"),
                            KafkaHeader(key: DeadLetterHeaders.originalOffset, string: "41"),
                            KafkaHeader(key: DeadLetterHeaders.consumerGroup, string: group),
                            KafkaHeader(key: DeadLetterHeaders.error, string: "rejected: a bug, since fixed"),
                        ]))
            }
            try await deadLetter(event, by: "support-before-the-fix")

            #expect(try Self.cli(kit, ["dlq", "list"]).contains("\(deadLetters)  1 record(s)"))
            let shown = try Self.decode([DeadLetter].self, try Self.cli(kit, ["dlq", "show", deadLetters, "--json"]))
            #expect(shown.count == 1)
            #expect(shown.first?.reason == "rejected: a bug, since fixed" && shown.first?.originTopic == topic)
            #expect(shown.first?.originOffset == 41 && shown.first?.group == "support-before-the-fix")
            let headers = try Self.cli(
                kit, ["consume", "--topic", deadLetters, "--format", "%k %h", "--exit-at-end", "--log-level", "error"])
            #expect(headers.contains("ord-redrive-1") && headers.contains("\(DeadLetterHeaders.error)=rejected: a bug, since fixed"))

            /// The order's timeline as support answers it, through its URL only.
            func timeline() throws -> [SupportAPI.TimelineEntry]? {
                let text = try? SimulationCLITests.cli(["query", "support", "timeline", "ord-redrive-1", "--json"] + service)
                return try text.map { try ServiceProcess.decoder.decode(SupportAPI.Timeline.self, from: Data($0.utf8)).events }
            }
            let dryRun = try Self.decode(DeadLetters.RedriveReport.self, try Self.cli(kit, ["dlq", "redrive", deadLetters, "--json"]))
            #expect(dryRun.dryRun && dryRun.redriven.count == 1)
            try await Task.sleep(for: .seconds(2))
            #expect(try timeline() == nil, "a dry run publishes nothing")

            let redrive = ["dlq", "redrive", deadLetters, "--execute", "--json"]
            #expect(try Self.decode(DeadLetters.RedriveReport.self, try Self.cli(kit, redrive)).redriven.count == 1)
            try await eventually("support applies the redriven event", timeout: .seconds(30)) { (try? timeline())??.count == 1 }
            #expect(try Self.decode(DeadLetters.RedriveReport.self, try Self.cli(kit, redrive)).redriven.isEmpty, "nothing twice")

            // Interrupted between the broker's acknowledgement and remembering it: the redrive sends
            // again, and support drops the repeat.
            let redriveGroup = DeadLetters.redriveGroup(topic: deadLetters)
            _ = try Self.cli(kit, ["groups", "reset-offsets", redriveGroup, "--topic", deadLetters, "--to-earliest", "--execute"])
            #expect(try Self.decode(DeadLetters.RedriveReport.self, try Self.cli(kit, redrive)).redriven.count == 1)
            let copies = try Self.cli(kit, ["consume", "--topic", topic, "--format", "%h", "--exit-at-end", "--log-level", "error"])
                .split(separator: "\n")
            #expect(copies.count == 2 && copies.allSatisfy { $0.contains("\(DeadLetterHeaders.redrivenFrom)=\(deadLetters)[0]@0") })
            #expect(copies.allSatisfy { !$0.contains(DeadLetterHeaders.error) }, "a redriven record leaves the dead-letter headers behind")
            try await eventually("support has read both copies", timeout: .seconds(30)) {
                let instance = try? await support.get("/instance", as: InstanceInfo.self)
                return instance?.owned?.first { $0.partition == 0 }?.storedOffset == 2
            }
            #expect(try timeline()?.count == 1, "applied once")

            // --only-group redrives a partition up to the first record of another group; the rest wait.
            try await deadLetter(ProjectionDatabaseTests.event("ord-redrive-2", 1), by: "another-group")
            try await deadLetter(ProjectionDatabaseTests.event("ord-redrive-3", 1), by: "support-before-the-fix")
            let onlyOurs = try Self.decode(
                DeadLetters.RedriveReport.self, try Self.cli(kit, redrive + ["--only-group", "support-before-the-fix"]))
            #expect(onlyOurs.redriven.isEmpty && onlyOurs.left.map(\.key) == ["ord-redrive-2", "ord-redrive-3"], "\(onlyOurs)")
            let everyone = try Self.decode(DeadLetters.RedriveReport.self, try Self.cli(kit, redrive))
            #expect(everyone.redriven.map(\.key) == ["ord-redrive-2", "ord-redrive-3"] && everyone.left.isEmpty, "\(everyone)")
            await producer.close()

            // A rebuild from the log agrees with the live read model, through the service's URL.
            let replay = try SimulationCLITests.cli(["replay", "support", "--swap", "never", "--json"] + service)
            #expect(try ServiceProcess.decoder.decode(ReplayReport.self, from: Data(replay.utf8)).checksumsMatch)
            try await support.terminate()
        }

        @Test("topics alter, add-partitions (which keys move; refused plainly where the broker cannot) and delete")
        func topicChanges() async throws {
            let kit = try await KafkaTestKit.make("operator-topics")
            let topic = try await kit.createTopic("operator-topic", partitions: 3)
            try await kit.produce(topic, count: 20)

            _ = try Self.cli(kit, ["topics", "alter", topic, "--config", "retention.ms=3600000"])
            #expect(try await kit.admin.topicConfigs(topic).first { $0.name == "retention.ms" }?.value == "3600000")

            let moving = (0..<20).map { "key-\($0)" }.filter {
                KafkaPartitioner.partition(forKey: $0, partitions: 3) != KafkaPartitioner.partition(forKey: $0, partitions: 4)
            }
            let plan = try Self.cli(kit, ["topics", "add-partitions", topic, "--partitions", "4"])
            #expect(
                plan.contains("3 → 4 partitions; \(moving.count) of the 20 keys in the log move") && plan.contains("dry run"), "\(plan)")
            #expect(try await kit.admin.metadata(topic: topic).topic(topic)?.partitions.count == 3)
            do {
                _ = try Self.cli(kit, ["topics", "add-partitions", topic, "--partitions", "4", "--execute"])
                #expect(kit.kind == .apacheKafka, "the local broker has no CreatePartitions")
                #expect(try await kit.admin.metadata(topic: topic).topic(topic)?.partitions.count == 4)
            } catch let failure as SimulationCLITests.CLIFailure {
                #expect(kit.kind == .tansu && failure.output.contains("CreatePartitions"), "\(failure)")
            }

            _ = try Self.cli(kit, ["topics", "delete", topic])
            #expect(try Self.cli(kit, ["topics", "list"]).contains(topic), "a dry run deletes nothing")
            _ = try Self.cli(kit, ["topics", "delete", topic, "--execute"])
            try await eventually("the topic is gone", timeout: .seconds(20)) { !(try Self.cli(kit, ["topics", "list"]).contains(topic)) }
        }
    }
}
