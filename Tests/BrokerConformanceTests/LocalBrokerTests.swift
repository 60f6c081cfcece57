import Foundation
import Kafka
import LocalBroker
import TestSupport
import Testing

/// The managed local broker itself: what starting, stopping and crashing do.
@Suite("Local broker lifecycle", .timeLimit(.minutes(2)))
struct LocalBrokerTests {
    @Test("Stop and restart on the same port: memory storage starts empty (Tansu), nothing is left behind")
    func restartLosesEverything() async throws {
        let logger = TestLogging.logger("lifecycle")
        let broker = try await LocalBroker.start(logger: logger)
        let port = Int(broker.bootstrapServer.split(separator: ":").last!)!
        let admin = try KafkaAdmin.make(configuration: broker.kafkaConfiguration, logger: logger)
        let topic = TestNames.unique("ephemeral")
        try await admin.createTopic(NewTopic(name: topic, partitions: 2))
        try await eventually("topic exists") { try await admin.metadata(topic: topic).topic(topic)?.error == nil }
        let tansu = try #require(broker.brokerPID)
        await broker.stop()
        #expect(!isAlive(tansu), "the Tansu process is gone after stop()")

        let restarted = try await LocalBroker.start(port: port, logger: logger)
        let fresh = try KafkaAdmin.make(configuration: restarted.kafkaConfiguration, logger: logger)
        let after = try await fresh.metadata(topic: topic).topic(topic)
        // BrokerExpectations.survivesRestart is false for Tansu's memory storage.
        #expect(after == nil || after?.error != nil || after?.partitions.isEmpty == true)
        await restarted.stop()
    }

    @Test("The broker dies with the process that started it, even on SIGKILL")
    func watchdogStopsOrphans() async throws {
        let process = Process()
        process.executableURL = ChildConsumer.executable
        process.arguments = ["broker", "--port", "0", "--log-level", "warning"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        var text = ""
        try await eventually("the broker reports ready", timeout: .seconds(30)) {
            text += String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
            return text.contains("local broker ready")
        }
        let pid = try #require(text.firstMatch(of: /\(pid (\d+)/).flatMap { Int32($0.1) })
        #expect(isAlive(pid))
        kill(process.processIdentifier, SIGKILL)
        try await eventually("Tansu exits after its owner was SIGKILLed", timeout: .seconds(10)) { !isAlive(pid) }
    }

    /// Running (a zombie awaiting its reaper counts as gone).
    private func isAlive(_ pid: Int32) -> Bool {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !status.contains(") Z ")
    }
}
