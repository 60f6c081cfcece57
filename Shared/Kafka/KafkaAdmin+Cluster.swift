internal import CRdKafka

/// Who the cluster is, as a client discovers it from one bootstrap address: the cluster's id,
/// which broker is the controller, and every broker with the address clients reach it at.
public struct ClusterDescription: Sendable, Hashable {
    /// The id every broker of one cluster shares; nil when the broker sends none (Metadata v1 and older).
    public var clusterID: String?
    /// The broker that manages partition leadership; nil when the broker does not say.
    public var controllerID: Int32?
    public var brokers: [ClusterMetadata.Broker]
}

extension KafkaAdmin {
    /// The cluster's id, controller and brokers (from the Metadata response librdkafka caches).
    public func describeCluster(timeout: Duration? = nil) async throws(KafkaError) -> ClusterDescription {
        let metadata = try await metadata(timeout: timeout)
        let client = self.client
        let timeoutMs = Int32(clamping: (timeout ?? requestTimeout).milliseconds)
        let identity = await Blocking.run { () -> (clusterID: String?, controllerID: Int32) in
            // Both block until the first Metadata response arrives (the one above already did).
            let clusterID: String? = rd_kafka_clusterid(client.handle, timeoutMs).map { id in
                defer { rd_kafka_mem_free(client.handle, id) }
                return String(cString: id)
            }
            return (clusterID, rd_kafka_controllerid(client.handle, timeoutMs))
        }
        return ClusterDescription(
            clusterID: identity.clusterID, controllerID: identity.controllerID >= 0 ? identity.controllerID : nil,
            brokers: metadata.brokers.sorted { $0.id < $1.id })
    }
}
