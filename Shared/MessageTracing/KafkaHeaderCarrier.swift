public import Kafka
public import Tracing

/// Reads a trace context's fields (W3C `traceparent`, `tracestate`) from a record's headers.
public struct KafkaHeaderExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: [KafkaHeader]) -> String? {
        carrier.last { $0.key == key }?.value.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Writes a trace context's fields into a record's headers, replacing any of the same name, so a
/// record never carries two `traceparent`s.
public struct KafkaHeaderInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout [KafkaHeader]) {
        carrier.removeAll { $0.key == key }
        carrier.append(KafkaHeader(key: key, string: value))
    }
}
