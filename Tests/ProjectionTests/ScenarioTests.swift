import Foundation
import Kafka
import KafkaScenarios
import Logging
import TestSupport
import Testing

extension SystemTests {
    /// Every narrated scenario of `fooddelivery scenario` ends in PASS against the real broker,
    /// run in-process from the library the CLI runs them from, except where the broker cannot
    /// show the concept: those end UNSUPPORTED, for the reason the test names.
    @Suite("Scenarios", .timeLimit(.minutes(8)))
    struct ScenarioTests {
        /// The scenarios that share the test broker, in catalog order, and the one that freezes a
        /// broker and so gets one of its own.
        static let onSharedBroker = ScenarioCatalog.all.map(\.name).filter { $0 != "producer" }
        static let onOwnBroker = ["producer"]

        /// What the cluster cannot show, with a phrase its verdict must give as the reason.
        static func unsupported(on kind: TestBroker.Kind, brokers: Int) -> [String: String] {
            var reasons: [String: String] = [:]
            if brokers < 3 {
                // Fewer brokers than replicas: nothing to replicate to or fail over to.
                reasons["replication"] = "needs at least 3 brokers; this cluster has \(brokers)"
                reasons["leaders"] = "needs at least 3 brokers"
            } else {
                // The tests give no commands to stop a broker of a cluster they did not start.
                reasons["leaders"] = "no way to stop/start a broker"
            }
            if kind == .tansu {
                // The local broker never deletes expired segments (docs/LOCAL-BROKER.md).
                reasons["retention"] = "no segment was deleted"
            }
            return reasons
        }

        @Test("The catalog covers all 13 concepts, each scenario run once below")
        func catalogCoversEveryConcept() {
            #expect(KafkaConcept.allCases.count == 13)
            for (concept, scenarios) in ScenarioCatalog.byConcept {
                #expect(!scenarios.isEmpty, "no scenario for concept \(concept.number), \(concept.rawValue)")
            }
            let names = ScenarioCatalog.all.map(\.name)
            #expect(Set(names).count == names.count, "scenario names are unique")
            #expect((Self.onSharedBroker + Self.onOwnBroker).sorted() == names.sorted(), "every scenario is run by a test, once")
            #expect(ScenarioCatalog.extras.map(\.name).sorted() == ["member-crash", "saga"])
        }

        @Test("Each scenario ends PASS, or UNSUPPORTED with its reason where the broker cannot show it")
        func scenariosPass() async throws {
            let kit = try await KafkaTestKit.make("scenarios")
            let kafka = ScenarioKafka(
                configuration: kit.connection.configuration, logger: Self.logger, isLocalBroker: kit.connection.kind == .tansu)
            let brokers = try await KafkaAdmin.make(configuration: kit.connection.configuration, logger: Self.logger).describeCluster()
                .brokers.count
            try await Self.check(Self.onSharedBroker, kafka, unsupported: Self.unsupported(on: kit.connection.kind, brokers: brokers))
        }

        @Test("The producer scenario pauses a broker of its own: the idempotent producer loses and duplicates nothing")
        func producerThroughPause() async throws {
            try await KafkaTestKit.withDedicatedBroker("scenario-producer") { kit, brokerPID in
                let kafka = ScenarioKafka(
                    configuration: kit.connection.configuration, logger: Self.logger, brokerControl: .localProcess(pid: brokerPID),
                    isLocalBroker: true)
                try await Self.check(Self.onOwnBroker, kafka, unsupported: [:])
            }
        }

        static var logger: Logger {
            var logger = Logger(label: "scenario")
            logger.logLevel = .error
            return logger
        }

        static func check(_ names: [String], _ kafka: ScenarioKafka, unsupported: [String: String]) async throws {
            var verdicts: [String] = []
            for name in names {
                let scenario = try #require(ScenarioCatalog.all.first { $0.name == name }, "no scenario \(name)")
                let verdict = try await scenario.run(kafka)
                verdicts.append("\(verdict.label) \(name): \(verdict.evidence)")
                if let reason = unsupported[name] {
                    #expect(verdict.label == "UNSUPPORTED", "\(name): \(verdict.evidence)")
                    #expect(verdict.evidence.contains(reason), "\(name) should say \(reason): \(verdict.evidence)")
                } else {
                    #expect(verdict.label == "PASS", "\(name): \(verdict.evidence)")
                }
            }
            print("scenarios:\n" + verdicts.joined(separator: "\n"))
        }
    }
}
