import Foundation
import Kafka
import TestSupport
import Testing

/// A member SIGKILLed just before its broker freezes. Kafka guarantees that a member which misses
/// its session timeout is removed *by a rebalance*: the survivors are told to rejoin and its
/// partitions are handed out again. The local broker, when the survivor is a static member, removes
/// such a member without a rebalance, leaving its partitions to nobody while the group reports
/// itself Stable. This pins
/// what the broker does, and that leaving and rejoining the group (`rejoinGroup`, what a consumer
/// service does when it finds partitions without an owner) makes it hand them out.
///
/// It freezes the broker (SIGSTOP), so it runs against a broker of its own, always a local one;
/// that Kafka reassigns a SIGKILLed member's partitions is `sigkilledMemberIsReplaced`'s part.
@Suite("Consumer groups: a member that dies while the broker is frozen", .timeLimit(.minutes(4)))
struct DroppedMemberConformanceTests {
    static let all = Set<Int32>(0..<6)
    static let sessionTimeout = Duration.seconds(6)

    @Test(
        "On Tansu 0.6.0 its partitions are left to nobody in a Stable group (Kafka would reassign them), until a member rejoins"
    )
    func deadMemberDroppedWhileFrozen() async throws {
        try await KafkaTestKit.withDedicatedBroker("dropped-member") { kit, tansu in
            try await deadMemberDroppedWhileFrozen(kit, tansu: tansu)
        }
    }

    private func deadMemberDroppedWhileFrozen(_ kit: KafkaTestKit, tansu: Int32) async throws {
        let expectations = BrokerExpectations(kind: kit.kind)
        let topic = try await kit.createTopic(partitions: 6)
        let group = TestNames.unique("dropped-member")
        let brokers = kit.connection.configuration.bootstrapServers.joined(separator: ",")
        let survivor = try await kit.makeConsumer(group: group, topic: topic, clientID: "survivor") {
            // As `fooddelivery up` starts a service's first instance: a static member.
            $0.groupInstanceID = "\(group)-survivor"
            $0.sessionTimeout = Self.sessionTimeout
        }
        _ = try await survivor.pollUntilAssignment("all partitions", timeout: .seconds(40)) { $0.count == 6 }
        let victim = try ChildConsumer(name: "victim", brokers: brokers, topic: topic, group: group)
        try await pollTogether([survivor], until: "the group splits between the two", timeout: .seconds(60)) {
            let mine = Set(survivor.assignment.map(\.partition))
            return !victim.assignment.isEmpty && mine.isDisjoint(with: victim.assignment) && mine.union(victim.assignment) == Self.all
        }
        let survivorShare = Set(survivor.assignment.map(\.partition))

        victim.sigkill()
        try await victim.waitForExit()
        try await Task.sleep(for: .seconds(1))
        kill(tansu, SIGSTOP)
        try await Task.sleep(for: .seconds(20))
        kill(tansu, SIGCONT)

        // Three session timeouts and a rebalance after the resume: Kafka has reassigned by then.
        let watchedUntil = ContinuousClock.now + Self.sessionTimeout * 3 + .seconds(10)
        var reassigned = false
        while ContinuousClock.now < watchedUntil && !reassigned {
            _ = try await survivor.nextBatch(idleTimeout: .milliseconds(200))
            reassigned = Set(survivor.assignment.map(\.partition)) == Self.all
        }
        let admin = try KafkaAdmin.make(
            configuration: kit.configuration(clientID: "dropped-member-admin"), logger: TestLogging.logger("admin"))
        let description = try await admin.describeGroup(group)
        print(
            "dropped member: after the freeze the survivor owns \(survivor.assignment.map(\.partition)); coordinator: \(description.state), \(description.members.count) member(s)"
        )
        #expect(
            reassigned == expectations.reassignsMemberDroppedWhileFrozen,
            "survivor owns \(survivor.assignment.map(\.partition)) (it owned \(survivorShare.sorted()))")
        if !reassigned {
            // The coordinator forgot the dead member and calls the group settled, with one member
            // that owns only its own share.
            #expect(description.state == "Stable" && description.members.count == 1, "\(description)")
            #expect(Set(survivor.assignment.map(\.partition)) == survivorShare)
            // Leaving and rejoining makes the coordinator rebalance: the lone member gets everything.
            try await survivor.rejoinGroup()
            _ = try await survivor.pollUntilAssignment("every partition after rejoining", timeout: .seconds(40)) {
                Set($0.map(\.partition)) == Self.all
            }
        }
        await survivor.close()
    }
}
