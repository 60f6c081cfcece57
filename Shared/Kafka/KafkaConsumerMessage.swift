internal import CRdKafka

/// A record read from Kafka, copied out of librdkafka's buffers.
public struct KafkaConsumerMessage: Sendable, Hashable {
    public var topicPartition: TopicPartition
    public var offset: Int64
    public var key: [UInt8]?
    public var value: [UInt8]
    public var headers: [KafkaHeader]
    /// Milliseconds since the epoch (create or log-append time, as the topic is configured).
    public var timestampMilliseconds: Int64?

    public init(
        topicPartition: TopicPartition, offset: Int64, key: [UInt8]?, value: [UInt8],
        headers: [KafkaHeader] = [], timestampMilliseconds: Int64? = nil
    ) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.key = key
        self.value = value
        self.headers = headers
        self.timestampMilliseconds = timestampMilliseconds
    }

    public var keyString: String? { key.map { String(decoding: $0, as: UTF8.self) } }
    public var valueString: String { String(decoding: value, as: UTF8.self) }

    /// The offset to store or commit once this record is processed: Kafka's committed offset is
    /// the *next* record to read.
    public var nextOffset: TopicPartitionOffset { TopicPartitionOffset(topicPartition, KafkaOffset(offset + 1)) }

    /// Copies a successful `rd_kafka_message_t` (the caller still destroys it). `topic` is the
    /// caller's cached name of `m.rkt`, so hot loops do not build a String per record.
    init(copying message: UnsafeMutablePointer<rd_kafka_message_t>, topic: String) {
        let m = message.pointee
        topicPartition = TopicPartition(topic, m.partition)
        offset = m.offset
        key = m.key.map { Array(UnsafeRawBufferPointer(start: $0, count: m.key_len)) }
        value = m.payload.map { Array(UnsafeRawBufferPointer(start: $0, count: m.len)) } ?? []
        var type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE
        let timestamp = rd_kafka_message_timestamp(message, &type)
        timestampMilliseconds = type == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE ? nil : timestamp
        headers = Self.copyHeaders(message)
    }

    private static func copyHeaders(_ message: UnsafeMutablePointer<rd_kafka_message_t>) -> [KafkaHeader] {
        var list: OpaquePointer?
        guard rd_kafka_message_headers(message, &list) == RD_KAFKA_RESP_ERR_NO_ERROR, let list else { return [] }
        var headers: [KafkaHeader] = []
        var index = 0
        var name: UnsafePointer<CChar>?
        var value: UnsafeRawPointer?
        var size = 0
        while rd_kafka_header_get_all(list, index, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR {
            let bytes = value.map { Array(UnsafeRawBufferPointer(start: $0, count: size)) }
            headers.append(KafkaHeader(key: name.map { String(cString: $0) } ?? "", value: bytes))
            index += 1
        }
        return headers
    }
}
