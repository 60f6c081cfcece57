import Foundation
import GRDB
import ServiceAPI
import ServiceRuntime
import TestSupport
import Testing

extension SystemTests {
    /// A log that went backwards: the broker lost records a service already applied (its data
    /// erased, a topic deleted and recreated, an unclean leader election), so the offset the
    /// service stored lies beyond the new log end. Kafka answers OFFSET_OUT_OF_RANGE; the local
    /// broker answers nothing, and the binding's LogEndGuard says it instead. Either way the
    /// service must stop and say so, not wait silently and then skip every record below its offset.
    @Suite("A log behind the stored offset", .timeLimit(.minutes(3)))
    struct LogBehindStoredOffsetTests {
        @Test("A service whose stored offset lies beyond the log end stops and says which partition, both offsets and what to do")
        func serviceSaysSo() async throws {
            let kit = try await KafkaTestKit.make("log-behind")
            let topic = try await kit.createTopic("order-events", partitions: 1)
            let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
            let directory = try TestNames.temporaryDirectory("support")
            let launch = ServiceLaunch.testConsumer(
                "support", brokers: brokers, topic: topic, group: TestNames.unique("support"), directory: directory, logLevel: .error)
            // A first run makes the read model's database; then the service has applied 500 records.
            let first = try ServiceProcess(launch)
            try await first.waitUntilServing()
            try await eventually("the first run is assigned the partition", timeout: .seconds(60)) {
                (try? await first.get("/instance", as: InstanceInfo.self))?.assignment == [0]
            }
            try await first.terminate()
            let database = try DatabaseQueue(path: directory.appendingPathComponent("support.sqlite").path)
            try await database.write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO kafka_offset (topic, partition, nextOffset, updatedAt) VALUES (?, 0, 500, 0)",
                    arguments: [topic])
            }
            // The log holds only 10.
            try await kit.produce(topic, count: 10)

            // The second run, its log kept.
            let log = directory.appendingPathComponent("second-run.log")
            let second = try ServiceProcess(launch, output: log)
            try await eventually("support stops", timeout: .seconds(90)) { !second.isRunning }
            let said = try String(contentsOf: log, encoding: .utf8)
            #expect(second.process.terminationStatus != 0, "it exits with a failure, so a supervisor shows it: \(said)")
            #expect(said.contains("\(topic)[0]") || said.contains("\(topic)/0") || said.contains("partition 0"), "\(said)")
            #expect(said.contains("500") && said.contains("beyond the log end 10"), "\(said)")
            #expect(said.contains("replay from the beginning"), "what to do next: \(said)")
        }
    }
}
