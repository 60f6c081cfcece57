import Foundation
import KafkaScenarios
import Logging
import TestSupport
import Testing

extension SystemTests {
    /// Every narrated scenario of `fooddelivery scenario` ends in PASS against the real broker,
    /// run in-process from the library the CLI runs them from.
    @Suite("Scenarios", .timeLimit(.minutes(6)))
    struct ScenarioTests {
        @Test(
            "partitions, consumer, consumer-group, static-membership, member-crash, replay, decoupling, saga PASS; retention PASS on Kafka, UNSUPPORTED on Tansu"
        )
        func allScenariosPass() async throws {
            let kit = try await KafkaTestKit.make("scenarios")
            var logger = Logger(label: "scenario")
            logger.logLevel = .error
            // Tansu 0.6.0 never deletes expired segments (measured: records of a 3 s retention topic
            // still readable after 30 s), so retention is the one concept it cannot show.
            let unsupported = kit.connection.kind == .tansu ? ["retention"] : []
            #expect(ScenarioCatalog.all.count == 9)
            var verdicts: [String] = []
            for scenario in ScenarioCatalog.all {
                let verdict = try await scenario.run(ScenarioKafka(configuration: kit.connection.configuration, logger: logger))
                verdicts.append("\(verdict.label) \(scenario.name)")
                let expected = unsupported.contains(scenario.name) ? "UNSUPPORTED" : "PASS"
                #expect(verdict.label == expected, "\(scenario.name): \(verdict.evidence)")
            }
            print("scenarios: " + verdicts.joined(separator: " | "))
        }
    }
}
