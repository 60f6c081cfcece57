import Foundation
import Kafka

/// Brokers and the cluster: a client is given one address, and from the Metadata answer learns
/// the whole cluster: its id, its controller, every broker's id and address, and which broker
/// leads each partition (the one its producers and consumers then talk to).
package struct ClusterScenario: Scenario {
    package let name = "cluster"
    package let concept: KafkaConcept? = .brokerAndCluster
    package let summary =
        "from one bootstrap address a client discovers the cluster: its id, controller, every broker, and the leader of each partition"

    package func run(_ kafka: ScenarioKafka) async throws -> ScenarioVerdict {
        // One address is enough: the client is given only the first.
        var configuration = kafka.configuration
        configuration.bootstrapServers = Array(configuration.bootstrapServers.prefix(1))
        let bootstrap = configuration.bootstrapServers.first ?? "?"
        let discovering = ScenarioKafka(
            configuration: configuration, logger: kafka.logger, brokerControl: kafka.brokerControl, isLocalBroker: kafka.isLocalBroker)
        let cluster = try await discovering.admin().describeCluster()
        let brokerIDs = Set(cluster.brokers.map(\.id))
        kafka.say(
            "bootstrap \(bootstrap) → cluster id \(cluster.clusterID ?? "(none)"), controller \(cluster.controllerID.map(String.init) ?? "(unknown)"), \(cluster.brokers.count) broker(s): "
                + cluster.brokers.map { "\($0.id) at \($0.host):\($0.port)" }.joined(separator: ", "))

        let topic = try await discovering.freshTopic("scenario-cluster", partitions: 3)
        try await discovering.waitForLeaders(topic, partitions: 3)
        let partitions = try await discovering.waitForMetadata(topic) { _ in true }?.partitions ?? []
        kafka.say("new topic \(topic): " + partitions.map { "partition \($0.id) led by broker \($0.leader)" }.joined(separator: ", "))
        let leadersKnown = !partitions.isEmpty && partitions.allSatisfy { brokerIDs.contains($0.leader) }
        let controllerKnown = cluster.controllerID.map(brokerIDs.contains) ?? false
        let passed = !cluster.brokers.isEmpty && cluster.clusterID?.isEmpty == false && controllerKnown && leadersKnown
        return ScenarioVerdict(
            passed: passed,
            evidence:
                "from \(bootstrap): cluster \(cluster.clusterID ?? "(no id)"), controller \(cluster.controllerID.map(String.init) ?? "unknown"), brokers \(cluster.brokers.map { String($0.id) }.joined(separator: ",")); every partition's leader is one of them (\(leadersKnown))"
        )
    }
}
