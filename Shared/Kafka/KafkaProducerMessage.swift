/// A record to send. With a key and no explicit partition, the partitioner (murmur2, as the Java
/// client) picks the partition from the key, so all records of one key stay in order on one
/// partition.
public struct KafkaProducerMessage: Sendable, Hashable {
    public var topic: String
    public var partition: Int32?
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch; `nil` lets the client stamp the send time.
    public var timestampMilliseconds: Int64?

    public init(
        topic: String, partition: Int32? = nil, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader] = [],
        timestampMilliseconds: Int64? = nil
    ) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public init(topic: String, partition: Int32? = nil, key: String?, value: String, headers: [KafkaHeader] = []) {
        self.init(topic: topic, partition: partition, key: key.map { Array($0.utf8) }, value: Array(value.utf8), headers: headers)
    }
}

/// The broker's answer for one produced record.
public struct DeliveryReport: Sendable, Hashable {
    /// The id `KafkaProducer.enqueue` returned for this record.
    public var messageID: UInt64
    public var topicPartition: TopicPartition
    /// The record's offset; `nil` when delivery failed.
    public var offset: Int64?
    public var error: KafkaError?

    public var isDelivered: Bool { error == nil }
}

extension KafkaError: Hashable {
    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.code == rhs.code && lhs.brokerCode == rhs.brokerCode && lhs.message == rhs.message
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(code)
        hasher.combine(brokerCode)
        hasher.combine(message)
    }
}
