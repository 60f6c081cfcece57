import Contract

/// What travels as Kafka headers next to each event (names in `EventHeaders`), so tools can route
/// and trace without parsing the JSON. The Kafka layer turns these pairs into record headers.
public enum OrderEventHeaders {
    public static func fields(for event: OrderEvent, trace: TraceContext) -> [(key: String, value: String)] {
        fields(type: event.type.rawValue, traceparent: trace.traceparent)
    }

    /// The same from the event's type and its trace context.
    public static func fields(type: String, traceparent: String) -> [(key: String, value: String)] {
        EventHeaders.fields(type: type, schemaVersion: OrderEvent.currentSchemaVersion, traceparent: traceparent)
    }
}

/// A W3C Trace Context (`traceparent`: version 00, 16-byte trace id, 8-byte parent span id, flags).
public struct TraceContext: Sendable, Hashable {
    public var traceID: String
    public var spanID: String
    public var sampled: Bool

    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[1].allSatisfy(\.isHexDigit), parts[2].allSatisfy(\.isHexDigit), let flags = UInt8(parts[3], radix: 16),
            parts[1] != String(repeating: "0", count: 32), parts[2] != String(repeating: "0", count: 16)
        else { return nil }
        traceID = parts[1].lowercased()
        spanID = parts[2].lowercased()
        sampled = flags & 1 == 1
    }

    /// The same trace, from a new span of its own (a step taken on behalf of an incoming request).
    public func child<G: RandomNumberGenerator>(using generator: inout G) -> TraceContext {
        var child = Self.random(using: &generator)
        child.traceID = traceID
        child.sampled = sampled
        return child
    }

    /// A new trace, e.g. for an order placed by the simulator.
    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> TraceContext {
        // 16 hex digits per random word, zero-padded.
        func hex(_ words: Int) -> String {
            (0..<words).map { _ in
                let digits = String(generator.next() as UInt64, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }.joined()
        }
        var trace = hex(2)
        if trace == String(repeating: "0", count: 32) { trace = "1" + trace.dropFirst() }
        var span = hex(1)
        if span == String(repeating: "0", count: 16) { span = "1" + span.dropFirst() }
        return TraceContext(traceparent: "00-\(trace)-\(span)-01")!
    }

    public var traceparent: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }
}
