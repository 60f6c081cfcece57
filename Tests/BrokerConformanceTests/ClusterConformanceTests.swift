import Foundation
import Kafka
import TestSupport
import Testing

@Suite("Cluster: identity, brokers, leaders and replicas", .timeLimit(.minutes(2)))
struct ClusterConformanceTests {
    @Test("One bootstrap address gives the cluster id, a controller among the brokers, and each partition's leader, replicas and ISR")
    func describeCluster() async throws {
        let kit = try await KafkaTestKit.make("cluster")
        let cluster = try await kit.admin.describeCluster()
        let brokerIDs = Set(cluster.brokers.map(\.id))
        #expect(!cluster.brokers.isEmpty)
        #expect(cluster.clusterID?.isEmpty == false, "Metadata v2+ carries the cluster id")
        let controller = try #require(cluster.controllerID, "Metadata v1+ names the controller")
        #expect(brokerIDs.contains(controller))
        #expect(cluster.brokers.allSatisfy { !$0.host.isEmpty && $0.port > 0 })

        let topic = try await kit.createTopic(partitions: 3)
        let partitions = try #require(try await kit.admin.metadata(topic: topic).topic(topic)).partitions
        #expect(partitions.map(\.id) == [0, 1, 2])
        for partition in partitions {
            #expect(brokerIDs.contains(partition.leader))
            #expect(partition.replicas.contains(partition.leader), "the leader is one of the replicas")
            #expect(Set(partition.inSyncReplicas).isSubset(of: Set(partition.replicas)))
            #expect(partition.inSyncReplicas.contains(partition.leader), "a fresh partition's leader is in sync")
            // The broker's default replication factor, on distinct brokers of this cluster.
            #expect(!partition.replicas.isEmpty && Set(partition.replicas).isSubset(of: brokerIDs))
            #expect(Set(partition.replicas).count == partition.replicas.count)
        }
    }
}
