import Foundation
package import Kafka
package import Logging
import SimulationControl

/// A narrated, self-verifying walkthrough of one Kafka concept: it says what it will show, does
/// it against a real broker, and ends with PASS or FAIL from what it measured.
package protocol Scenario: Sendable {
    var name: String { get }
    /// The concept it verifies; nil for the scenarios that go beyond the thirteen.
    var concept: KafkaConcept? { get }
    var summary: String { get }
    func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict
}

package struct ScenarioVerdict {
    package var passed: Bool
    package var evidence: String
    /// Not passed because the broker lacks the feature (a known limitation of the local broker,
    /// pinned in docs/LOCAL-BROKER.md), not because the concept failed: printed as `UNSUPPORTED`.
    package var brokerLimitation = false

    package var label: String { passed ? "PASS" : brokerLimitation ? "UNSUPPORTED" : "FAIL" }

    package init(passed: Bool, evidence: String, brokerLimitation: Bool = false) {
        self.passed = passed
        self.evidence = evidence
        self.brokerLimitation = brokerLimitation
    }

    /// The cluster cannot show the concept: `reason` says why, and what would make it possible.
    package static func unsupported(_ reason: String) -> ScenarioVerdict {
        ScenarioVerdict(passed: false, evidence: reason, brokerLimitation: true)
    }
}

/// Every scenario, in the order `fooddelivery scenario all` runs them: the thirteen concepts in
/// order, then the extras.
package enum ScenarioCatalog {
    package static let all: [any Scenario] = [
        TopicScenario(), KeysAndPartitionsScenario(), ProducerScenario(), ConsumerStartScenario(), ConsumerGroupScenario(),
        MemberCrashScenario(), OffsetsAndReplayScenario(), RebalancingScenario(), StaticMembershipScenario(), RetentionScenario(),
        ClusterScenario(), BrokerRestartScenario(), ReplicationScenario(), LeadersScenario(), DecouplingScenario(), SagaScenario(),
    ]

    /// Each concept with the names of the scenarios that verify it.
    package static var byConcept: [(concept: KafkaConcept, scenarios: [String])] {
        KafkaConcept.allCases.map { concept in (concept, all.filter { $0.concept == concept }.map(\.name)) }
    }

    /// The scenarios beyond the thirteen concepts.
    package static var extras: [any Scenario] { all.filter { $0.concept == nil } }
}

/// What a scenario works with: the cluster, a way to stop or pause its brokers, fresh names, a
/// narrator.
package struct ScenarioKafka {
    package let configuration: KafkaConfiguration
    package let logger: Logger
    package let brokerControl: BrokerControl
    /// The cluster is the local Tansu broker, whose measured deviations (docs/LOCAL-BROKER.md)
    /// turn some verdicts into UNSUPPORTED.
    package let isLocalBroker: Bool

    package init(configuration: KafkaConfiguration, logger: Logger, brokerControl: BrokerControl = .none, isLocalBroker: Bool = false) {
        self.configuration = configuration
        self.logger = logger
        self.brokerControl = brokerControl
        self.isLocalBroker = isLocalBroker
    }

    package func say(_ text: String) { OutputLine.write("  " + text) }

    package func admin() throws -> KafkaAdmin { try KafkaAdmin.make(configuration: configuration, logger: logger) }

    /// A topic or group name no earlier run has used (a fresh group has no committed offsets).
    package func freshName(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(6).lowercased())" }

    package func freshTopic(_ prefix: String, partitions: Int) async throws -> String {
        let name = freshName(prefix)
        try await admin().createTopic(NewTopic(name: name, partitions: partitions))
        return name
    }

    /// Sends records keyed by `key(index)`, and returns where each landed, in send order.
    package func produce(_ topic: String, count: Int, key: (Int) -> String) async throws -> [(
        key: String, value: String, partition: Int32, offset: Int64
    )] {
        let producer = try KafkaProducer.make(configuration: KafkaProducerConfiguration(common: configuration), logger: logger)
        var landed: [(key: String, value: String, partition: Int32, offset: Int64)] = []
        for index in 0..<count {
            let report = try await producer.send(KafkaProducerMessage(topic: topic, key: key(index), value: String(index)))
            landed.append((key(index), String(index), report.topicPartition.partition, report.offset ?? -1))
        }
        await producer.close()
        return landed
    }

    package func consumer(group: String, configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws -> KafkaConsumer {
        var settings = KafkaConsumerConfiguration.localBroker(common: configuration, groupID: group)
        settings.autoOffsetReset = .earliest
        configure(&settings)
        return try KafkaConsumer.make(configuration: settings, logger: logger)
    }

    /// Polls every member in turn (a group only rebalances while its members poll) until
    /// `settled` holds or `limit` passes; returns whether it held, and the records read meanwhile.
    package func pollTogether(
        _ members: [KafkaConsumer], within limit: Duration, until settled: () -> Bool
    ) async throws -> (settled: Bool, read: [KafkaConsumerMessage]) {
        var read: [KafkaConsumerMessage] = []
        let deadline = ContinuousClock.now + limit
        while !settled() {
            guard ContinuousClock.now < deadline else { return (false, read) }
            for member in members { read += try await member.nextBatch(maxMessages: 100, idleTimeout: .milliseconds(100))?.messages ?? [] }
        }
        return (true, read)
    }

    /// Reads from `consumer` until `count` records arrived or nothing came for `idle`.
    package func read(_ consumer: KafkaConsumer, count: Int, idle: Duration = .seconds(15)) async throws -> [KafkaConsumerMessage] {
        var records: [KafkaConsumerMessage] = []
        while records.count < count, let batch = try await consumer.nextBatch(maxMessages: count - records.count, idleTimeout: idle) {
            if batch.messages.isEmpty { break }
            records += batch.messages
        }
        return records
    }
}
