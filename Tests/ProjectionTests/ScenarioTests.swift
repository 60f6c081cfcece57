import Foundation
import Testing
import TestSupport

extension SystemTests {
    /// Every narrated scenario of `fooddelivery scenario` ends in PASS against the real broker.
    @Suite("Scenarios", .timeLimit(.minutes(4)))
    struct ScenarioTests {
        @Test("fooddelivery scenario all: partitions, consumer-group, member-crash, replay, decoupling — all PASS")
        func allScenariosPass() async throws {
            let kit = try await KafkaTestKit.make("scenarios")
            let output = try SimulationCLITests.cli(["scenario", "all", "--brokers", kit.connection.configuration.bootstrapServers.joined(separator: ","), "--log-level", "error"])
            let verdicts = output.split(separator: "\n").filter { $0.hasPrefix("PASS ") || $0.hasPrefix("FAIL ") }
            #expect(verdicts.count == 5 && verdicts.allSatisfy { $0.hasPrefix("PASS ") }, "\(output)")
            print("scenarios: " + verdicts.joined(separator: " | "))
        }
    }
}
