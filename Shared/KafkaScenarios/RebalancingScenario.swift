import Foundation
import Kafka

/// Eager versus incremental rebalancing, side by side: two groups on one topic, one with the range
/// assignor (eager: every member gives up everything at every rebalance, and the group stops until
/// all partitions are handed out again) and one with cooperative-sticky (members keep what stays
/// theirs and give up only what moves). Members join one by one, then one leaves.
package struct RebalancingScenario: Scenario {
    package let name = "rebalancing"
    package let concept: KafkaConcept? = .rebalancing
    package let summary =
        "eager (range) and cooperative-sticky groups side by side: partitions revoked per rebalance, everything versus only what moves"

    static let partitions = 6
    /// How long one membership change may take to settle in both groups.
    static let settleLimit = Duration.seconds(45)

    /// One group and its members, in join order.
    final class Side {
        let label: String
        let strategy: KafkaConsumerConfiguration.AssignmentStrategy
        let group: String
        var members: [KafkaConsumer] = []
        var revokedTotal = 0
        var lost = 0
        var exact = true

        init(label: String, strategy: KafkaConsumerConfiguration.AssignmentStrategy, group: String) {
            (self.label, self.strategy, self.group) = (label, strategy, group)
        }

        /// Every partition has exactly one owner, and no member is idle.
        var settled: Bool {
            let owned = members.map(\.assignment)
            return owned.allSatisfy { !$0.isEmpty } && owned.map(\.count).reduce(0, +) == RebalancingScenario.partitions
                && Set(owned.flatMap { $0 }).count == RebalancingScenario.partitions
        }
    }

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-rebalancing", partitions: Self.partitions)
        let sides = [
            Side(label: "eager", strategy: .range, group: kafka.freshName("scenario-eager")),
            Side(label: "cooperative", strategy: .cooperativeSticky, group: kafka.freshName("scenario-cooperative")),
        ]
        kafka.say("groups \(sides[0].group) (range: eager) and \(sides[1].group) (cooperative-sticky) on \(topic) (6 partitions)")
        let started = ContinuousClock.now
        let steps: [String]
        do {
            steps = try await changeMembership(sides, topic: topic, kafka)
        } catch {
            for member in sides.flatMap(\.members) { await member.close() }
            throw error
        }
        for member in sides.flatMap(\.members) { await member.close() }
        return verdict(sides, steps: steps, started: started, kafka)
    }

    /// Members join one by one, then the last leaves; says what each group revoked at each change.
    private func changeMembership(_ sides: [Side], topic: String, _ kafka: ScenarioKafka) async throws -> [String] {
        var steps: [String] = []
        for step in ["member 1 joins", "member 2 joins", "member 3 joins", "member 3 leaves"] {
            // What each staying member owned before, and where its rebalance history stood.
            var before: [ObjectIdentifier: (owned: Set<TopicPartition>, history: Int)] = [:]
            for side in sides {
                for member in side.members { before[ObjectIdentifier(member)] = (Set(member.assignment), member.rebalanceHistory.count) }
                if step.hasSuffix("joins") {
                    let member = try kafka.consumer(group: side.group) { $0.assignmentStrategy = side.strategy }
                    try member.subscribe([topic])
                    side.members.append(member)
                } else {
                    let leaving = side.members.removeLast()
                    before[ObjectIdentifier(leaving)] = nil
                    await leaving.close()
                }
            }
            let stepStart = ContinuousClock.now
            let all = sides.flatMap(\.members)
            let settled = try await kafka.pollTogether(all, within: Self.settleLimit) { sides.allSatisfy(\.settled) }.settled
            let seconds = String(format: "%.0f", (ContinuousClock.now - stepStart) / .seconds(1))
            var line = "\(step) (\(seconds) s):"
            for side in sides {
                var revoked = 0
                var lost = 0
                var moved = 0
                var held = 0
                for member in side.members {
                    guard let previous = before[ObjectIdentifier(member)] else { continue }
                    for event in member.rebalanceHistory.dropFirst(previous.history) {
                        if case .revoked(let partitions, let wasLost) = event {
                            revoked += partitions.count
                            if wasLost { lost += partitions.count }
                        }
                    }
                    held += previous.owned.count
                    moved += previous.owned.subtracting(member.assignment).count
                }
                side.revokedTotal += revoked
                side.lost += lost
                // Eager gives up everything it held; cooperative only what moved to another member.
                let expected = side.strategy == .cooperativeSticky ? moved : held
                side.exact = side.exact && settled && revoked == expected && lost == 0
                line += " \(side.label) revoked \(revoked) (held \(held), moved \(moved)\(lost > 0 ? ", LOST \(lost)" : ""))"
                if !side.settled { line += " NOT SETTLED" }
            }
            kafka.say(line)
            steps.append(line)
            if !settled { break }
        }
        return steps
    }

    private func verdict(_ sides: [Side], steps: [String], started: ContinuousClock.Instant, _ kafka: ScenarioKafka) -> ScenarioVerdict {
        let (eager, cooperative) = (sides[0], sides[1])
        let evidence =
            "revoked in all: eager \(eager.revokedTotal), cooperative \(cooperative.revokedTotal) in \(String(format: "%.0f", (ContinuousClock.now - started) / .seconds(1))) s"
        if eager.exact && cooperative.exact && cooperative.revokedTotal < eager.revokedTotal {
            return ScenarioVerdict(
                passed: true, evidence: "\(evidence); eager gave up everything at each rebalance, cooperative only what moved")
        }
        if eager.exact && kafka.isLocalBroker && (cooperative.lost > 0 || !cooperative.settled) {
            return .unsupported(
                "cooperative-sticky did not settle or lost partitions (\(steps.last ?? "")): Tansu was once measured answering a live member with ILLEGAL_GENERATION after another's LeaveGroup (docs/LOCAL-BROKER.md); \(evidence)"
            )
        }
        return ScenarioVerdict(passed: false, evidence: "\(evidence); \(steps.joined(separator: "; "))")
    }
}
