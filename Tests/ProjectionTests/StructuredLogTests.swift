import Contract
import Foundation
import Kafka
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    @Suite("Structured logs", .timeLimit(.minutes(3)))
    struct StructuredLogTests {
        @Test("With --log-format json a service logs one JSON object per line, and a dead letter's record carries its trace_id")
        func jsonLogsCarryTheTrace() async throws {
            let kit = try await KafkaTestKit.make("json-logs")
            let topic = try await OrderFlow.topic(kit, partitions: 1)
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let directory = try TestNames.temporaryDirectory("json-logs")
            var launch = ServiceLaunch.testConsumer(
                "support", brokers: brokers, topic: topic, group: TestNames.unique("support"), directory: directory, logLevel: .info)
            launch.logFormat = .json
            let log = directory.appendingPathComponent("support.log")
            let support = try ServiceProcess(launch, output: log)
            try await support.waitUntilServing()
            let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
            let producer = try await kit.makeProducer()
            try await producer.send(
                KafkaProducerMessage(
                    topic: topic, key: "ord-unreadable", value: "{not json",
                    headers: [KafkaHeader(key: EventHeaders.traceparent, string: "00-\(traceID)-00f067aa0ba902b7-01")]))
            await producer.close()
            try await eventually("support dead-letters the record", timeout: .seconds(60)) {
                ((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains("dead-lettering")
            }
            try await support.terminate()
            let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.count == lines.count, "every line is a JSON object: \(lines.filter { !$0.hasPrefix("{") }.prefix(3))")
            let deadLetter = objects.first { ($0["message"] as? String)?.hasPrefix("dead-lettering") == true }
            #expect(deadLetter?["trace_id"] as? String == traceID, "\(deadLetter ?? [:])")
            #expect(deadLetter?["level"] as? String == "warning" && deadLetter?["label"] as? String == "support")
        }
    }
}
