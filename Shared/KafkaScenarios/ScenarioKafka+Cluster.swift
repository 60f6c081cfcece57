import Foundation
package import Kafka

extension ScenarioKafka {
    /// Waits until `topic`'s metadata satisfies `condition`, and returns that metadata; nil when
    /// it did not within `limit`.
    package func waitForMetadata(
        _ topic: String, within limit: Duration = .seconds(30), until condition: (TopicMetadata) -> Bool
    ) async throws -> TopicMetadata? {
        let admin = try admin()
        let deadline = ContinuousClock.now + limit
        while true {
            // A broker that was just stopped may fail a request or two: keep asking the others.
            if let topic = try? await admin.metadata(topic: topic).topic(topic), topic.error == nil, condition(topic) { return topic }
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(500))
        }
    }

    /// Waits until every partition of a newly created topic has a leader.
    package func waitForLeaders(_ topic: String, partitions: Int) async throws {
        guard
            try await waitForMetadata(topic, until: { $0.partitions.count == partitions && $0.partitions.allSatisfy { $0.leader >= 0 } })
                != nil
        else { throw BrokerControlError("topic \(topic) has no leader for every partition after 30 s: is every broker up?") }
    }

    /// A producer with the given acknowledgements; `retries: false` reports the broker's first
    /// refusal instead of retrying until the delivery timeout; `requestTimeout` is how long it
    /// waits for an answer before it retries.
    package func producer(
        acks: KafkaProducerConfiguration.Acks, idempotent: Bool, deliveryTimeout: Duration = .seconds(30), retries: Bool = true,
        requestTimeout: Duration? = nil
    ) throws -> KafkaProducer {
        var common = configuration
        if !retries { common.overrides["retries"] = "0" }
        if let requestTimeout {
            // librdkafka gives up on a produce request after socket.timeout.ms (request.timeout.ms
            // is only what the broker is told to wait for replicas).
            common.overrides["socket.timeout.ms"] = String(requestTimeout.milliseconds)
            common.overrides["request.timeout.ms"] = String(requestTimeout.milliseconds)
        }
        var settings = KafkaProducerConfiguration(common: common, idempotent: idempotent, deliveryTimeout: deliveryTimeout)
        settings.acks = acks
        return try KafkaProducer.make(configuration: settings, logger: logger)
    }

    /// Why a scenario needing `needed` brokers cannot run here; nil when the cluster has them.
    package func brokersShort(of needed: Int) async throws -> (reason: String, count: Int)? {
        let count = try await admin().describeCluster().brokers.count
        return count >= needed ? nil : ("needs at least \(needed) brokers; this cluster has \(count)", count)
    }
}
