/// The thirteen Kafka concepts the scenarios verify, in the order they build on each other.
package enum KafkaConcept: String, Sendable, CaseIterable {
    case topic
    case partitionsAndKeys = "partitions and keys"
    case producer
    case consumer
    case consumerGroup = "consumer group"
    case offsetsAndReplay = "offsets and replay"
    case rebalancing
    case staticMembership = "static membership"
    case retention
    case brokerAndCluster = "broker and cluster"
    case replication
    case leaders = "leaders and in-sync replicas"
    case decoupling

    /// Its place in the list, from 1.
    package var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}
