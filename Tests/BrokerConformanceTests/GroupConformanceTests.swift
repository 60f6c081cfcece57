import Foundation
import Kafka
import TestSupport
import Testing

/// Consumer-group membership: join, split, leave, crash. Uses the range assignor with a 6 s
/// session, the settings measured for the local broker (docs/LOCAL-BROKER.md).
@Suite("Consumer groups", .timeLimit(.minutes(3)))
struct GroupConformanceTests {
    static let all = Set<Int32>(0..<6)

    @Test("A single member of a new group is assigned every partition", arguments: KafkaConsumerConfiguration.AssignmentStrategy.allCases)
    func singleMemberGetsAll(strategy: KafkaConsumerConfiguration.AssignmentStrategy) async throws {
        let kit = try await KafkaTestKit.make("join")
        let topic = try await kit.createTopic(partitions: 6)
        let consumer = try await kit.makeConsumer(group: TestNames.unique("join"), topic: topic) { $0.assignmentStrategy = strategy }
        _ = try await consumer.pollUntilAssignment("all 6 partitions") { Set($0.map(\.partition)) == Self.all }
        #expect(consumer.memberID != nil)
        await consumer.close()
        #expect(consumer.assignment.isEmpty, "close revokes everything")
    }

    @Test("A second member splits the partitions; a graceful leave gives them back")
    func secondMemberSplitsThenLeaves() async throws {
        let kit = try await KafkaTestKit.make("split")
        let topic = try await kit.createTopic(partitions: 6)
        let group = TestNames.unique("split")
        let first = try await kit.makeConsumer(group: group, topic: topic, clientID: "first")
        _ = try await first.pollUntilAssignment("all partitions") { $0.count == 6 }

        let second = try await kit.makeConsumer(group: group, topic: topic, clientID: "second")
        // Both must poll for the rebalance to complete (each serves its own callbacks).
        async let secondSettled = second.pollUntilAssignment("a share", timeout: .seconds(40)) { !$0.isEmpty }
        _ = try await first.pollUntilAssignment("a share", timeout: .seconds(40)) { !$0.isEmpty && $0.count < 6 }
        _ = try await secondSettled
        try await pollTogether([first, second], until: "the two shares are disjoint and cover all 6", timeout: .seconds(40)) {
            let a = Set(first.assignment.map(\.partition))
            let b = Set(second.assignment.map(\.partition))
            return a.isDisjoint(with: b) && a.union(b) == Self.all && !a.isEmpty && !b.isEmpty
        }

        let leaveStarted = ContinuousClock.now
        await second.close()
        _ = try await first.pollUntilAssignment("all partitions after the leave", timeout: .seconds(40)) { $0.count == 6 }
        let took = ContinuousClock.now - leaveStarted
        #expect(took < .seconds(20), "graceful leave rebalanced in \(took)")
        await first.close()
    }

    @Test("A SIGKILLed member's partitions move to the survivor within the session timeout, nothing lost")
    func sigkilledMemberIsReplaced() async throws {
        let kit = try await KafkaTestKit.make("sigkill")
        let topic = try await kit.createTopic(partitions: 6)
        let group = TestNames.unique("sigkill")
        let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
        let survivor = try ChildConsumer(name: "survivor", brokers: brokers, topic: topic, group: group)
        try await eventually("survivor owns all partitions", timeout: .seconds(40)) { survivor.assignment == Self.all }
        let victim = try ChildConsumer(name: "victim", brokers: brokers, topic: topic, group: group)
        try await eventually("the group splits between the two processes", timeout: .seconds(40)) {
            !victim.assignment.isEmpty && survivor.assignment.union(victim.assignment) == Self.all
                && survivor.assignment.isDisjoint(with: victim.assignment)
        }
        let victimPartitions = victim.assignment
        try await kit.produce(topic, count: 300, keys: 60)
        try await eventually(
            "the first 300 records are consumed (survivor \(survivor.events.count) events, victim \(victim.events.count))",
            timeout: .seconds(30)
        ) {
            survivor.messages.count + victim.messages.count >= 300
        }

        let killedAt = ContinuousClock.now
        victim.sigkill()
        try await victim.waitForExit()
        // Records produced while the victim is dead, some of them to its partitions.
        try await kit.produce(topic, count: 300, keys: 60, startingAt: 300)
        try await eventually("the survivor owns every partition again", timeout: .seconds(30)) { survivor.assignment == Self.all }
        let takeover = ContinuousClock.now - killedAt
        // Session timeout 6 s plus one rebalance; docs/LOCAL-BROKER.md measured about 9 s.
        #expect(takeover < .seconds(20), "takeover took \(takeover)")

        try await eventually("every record after the kill reaches the survivor", timeout: .seconds(30)) {
            Set(survivor.messages.compactMap(\.value).compactMap(Int.init)).isSuperset(of: 300..<600)
        }
        // Nothing lost overall: every one of the 600 records was seen by someone.
        let seen = Set((survivor.messages + victim.messages).compactMap(\.value).compactMap(Int.init))
        #expect(seen == Set(0..<600))
        // The survivor took over the victim's partitions (it read records from them after the kill).
        let survivorAfterKill = Set(survivor.messages.filter { Int($0.value ?? "") ?? 0 >= 300 }.compactMap(\.partition))
        #expect(survivorAfterKill.isSuperset(of: victimPartitions))
        survivor.terminate()
        try await survivor.waitForExit()
    }
}

@Suite("Consumer groups: incremental and static membership", .timeLimit(.minutes(3)))
struct MembershipConformanceTests {
    @Test("cooperative-sticky: a joining member takes a share without the first member losing the rest")
    func cooperativeStickyIncremental() async throws {
        let kit = try await KafkaTestKit.make("cooperative")
        let topic = try await kit.createTopic(partitions: 6)
        let group = TestNames.unique("cooperative")
        let first = try await kit.makeConsumer(group: group, topic: topic, clientID: "coop-first") {
            $0.assignmentStrategy = .cooperativeSticky
        }
        _ = try await first.pollUntilAssignment("all 6", timeout: .seconds(60)) { $0.count == 6 }
        let second = try await kit.makeConsumer(group: group, topic: topic, clientID: "coop-second") {
            $0.assignmentStrategy = .cooperativeSticky
        }
        let started = ContinuousClock.now
        try await pollTogether([first, second], until: "the two members split the 6 partitions", timeout: .seconds(90)) {
            let a = Set(first.assignment)
            let b = Set(second.assignment)
            return !a.isEmpty && !b.isEmpty && a.isDisjoint(with: b) && a.union(b).count == 6
        }
        let took = ContinuousClock.now - started
        // Incremental: the first member gave up only what moved; it never revoked everything.
        let revokedByFirst = first.rebalanceHistory.flatMap { event -> [TopicPartition] in
            if case .revoked(let partitions, _) = event { return partitions }
            return []
        }
        #expect(revokedByFirst.count < 6, "revoked \(revokedByFirst)")
        #expect(Set(revokedByFirst) == Set(second.assignment))
        // docs/LOCAL-BROKER.md measured about 11 s per cooperative rebalance on Tansu; Kafka takes ~3 s.
        #expect(took < .seconds(60), "incremental rebalance took \(took)")
        await second.close()
        await first.close()
    }

    @Test("Static membership: a member that returns with its group.instance.id within the session gets its partitions back")
    func staticMembershipRejoin() async throws {
        let kit = try await KafkaTestKit.make("static")
        let topic = try await kit.createTopic(partitions: 4)
        let group = TestNames.unique("static")
        func member(_ id: String) async throws -> KafkaConsumer {
            try await kit.makeConsumer(group: group, topic: topic, clientID: id) {
                $0.groupInstanceID = id
                $0.sessionTimeout = .seconds(20)
            }
        }
        let stay = try await member("static-stay")
        let bounce = try await member("static-bounce")
        try await pollTogether([stay, bounce], until: "the two members split the partitions", timeout: .seconds(60)) {
            return stay.assignment.count == 2 && bounce.assignment.count == 2
        }
        let before = Set(bounce.assignment)
        let stayHistory = stay.rebalanceHistory.count
        // Static members do not send LeaveGroup on close: the group waits for them to return.
        await bounce.close()
        let back = try await member("static-bounce")
        _ = try await back.pollUntilAssignment("its old partitions", timeout: .seconds(30)) { !$0.isEmpty }
        #expect(Set(back.assignment) == before)
        _ = try await stay.drain(for: .seconds(2))
        #expect(stay.rebalanceHistory.count == stayHistory, "the other member saw no rebalance: \(stay.rebalanceHistory.suffix(2))")
        await back.close()
        await stay.close()
    }
}
