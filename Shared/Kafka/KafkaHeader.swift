/// A Kafka record header. Values are bytes; `nil` is a header with a null value.
public struct KafkaHeader: Hashable, Sendable {
    public var key: String
    public var value: [UInt8]?

    public init(key: String, value: [UInt8]?) {
        self.key = key
        self.value = value
    }

    public init(key: String, string: String) {
        self.init(key: key, value: Array(string.utf8))
    }

    public var stringValue: String? { value.map { String(decoding: $0, as: UTF8.self) } }
}

extension [KafkaHeader] {
    /// The last value of the header named `key` (Kafka allows repeats; the last one wins).
    public func last(named key: String) -> KafkaHeader? { last { $0.key == key } }
}
