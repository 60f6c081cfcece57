import Foundation
import Kafka

/// Where a consumer starts, and that every group gets every record: a new group starts at the
/// earliest offset or at the log end (`auto.offset.reset`); two groups read the same records
/// independently.
package struct ConsumerStartScenario: Scenario {
    package let name = "consumer"
    package let concept: KafkaConcept? = .consumer
    package let summary = "a new group starts at the earliest record or only at new ones (auto.offset.reset); every group gets every record"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-consumer", partitions: 3)
        _ = try await kafka.produce(topic, count: 30) { "ord-\($0)" }
        kafka.say("30 records on \(topic) (3 partitions) before any consumer exists")
        let earliest = try kafka.consumer(group: kafka.freshName("scenario-earliest")) { $0.autoOffsetReset = .earliest }
        let latest = try kafka.consumer(group: kafka.freshName("scenario-latest")) { $0.autoOffsetReset = .latest }
        try earliest.subscribe([topic])
        try latest.subscribe([topic])
        let old = try await kafka.read(earliest, count: 30)
        // The latest group must own its partitions (and have fetched its start) before new records come.
        var before = try await kafka.pollTogether([latest], within: .seconds(40)) { latest.assignment.count == 3 }.read
        before += try await kafka.read(latest, count: 30, idle: .seconds(2))
        kafka.say("group with earliest read \(old.count) old records; group with latest read \(before.count) (it starts at the end)")
        _ = try await kafka.produce(topic, count: 10) { "ord-new-\($0)" }
        let newForEarliest = try await kafka.read(earliest, count: 10)
        let newForLatest = try await kafka.read(latest, count: 10)
        kafka.say("10 new records: the earliest group read \(newForEarliest.count), the latest group \(newForLatest.count)")
        await earliest.close()
        await latest.close()
        let values = { (records: [KafkaConsumerMessage]) in Set(records.map(\.valueString)) }
        let ok =
            old.count == 30 && before.isEmpty && newForEarliest.count == 10 && newForLatest.count == 10
            && values(newForEarliest) == values(newForLatest)
        return ScenarioVerdict(
            passed: ok,
            evidence:
                "earliest: all 30 old records, then the 10 new; latest: none of the old, the same 10 new (each group has its own offsets)")
    }
}

/// Static membership (KIP-345): a member with a `group.instance.id` that restarts within its
/// session timeout gets its partitions back, and the rest of the group sees no rebalance.
package struct StaticMembershipScenario: Scenario {
    package let name = "static-membership"
    package let concept: KafkaConcept? = .staticMembership
    package let summary = "a member with a group.instance.id restarted within its session gets its partitions back without a rebalance"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        let topic = try await kafka.freshTopic("scenario-static", partitions: 4)
        let group = kafka.freshName("scenario-static")
        func member(_ id: String) throws -> KafkaConsumer {
            let consumer = try kafka.consumer(group: group) {
                $0.groupInstanceID = id
                $0.sessionTimeout = .seconds(20)
            }
            try consumer.subscribe([topic])
            return consumer
        }
        let stay = try member("kitchen-1")
        var bounce = try member("kitchen-2")
        let members = [stay, bounce]
        _ = try await kafka.pollTogether(members, within: .seconds(60)) { members.allSatisfy { $0.assignment.count == 2 } }
        let owned = Set(bounce.assignment.map(\.partition))
        let rebalancesBefore = stay.rebalanceHistory.count
        kafka.say(
            "kitchen-1 owns \(stay.assignment.map(\.partition).sorted()), kitchen-2 owns \(owned.sorted()); kitchen-2 stops (a static member sends no LeaveGroup) and starts again"
        )
        await bounce.close()
        bounce = try member("kitchen-2")
        let returning = bounce
        _ = try await kafka.pollTogether([returning], within: .seconds(30)) { !returning.assignment.isEmpty }
        for _ in 0..<10 { _ = try await stay.nextBatch(maxMessages: 100, idleTimeout: .milliseconds(200)) }
        let returned = Set(bounce.assignment.map(\.partition))
        let rebalances = stay.rebalanceHistory.count - rebalancesBefore
        kafka.say("kitchen-2 is back with \(returned.sorted()); kitchen-1 saw \(rebalances) rebalance(s) meanwhile")
        await bounce.close()
        await stay.close()
        return ScenarioVerdict(
            passed: !owned.isEmpty && returned == owned && rebalances == 0,
            evidence: "the restarted member got the same partitions back and the other member was not rebalanced")
    }
}
