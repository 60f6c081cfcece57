/// Why bytes on the topic are not a usable `OrderEvent`. Every case is the record's fault (a
/// consumer dead-letters it and moves on), and each says what is wrong in terms a person can act on.
public enum OrderEventDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Not JSON, or not a JSON object.
    case malformedJSON(String)
    /// A required field is missing or has the wrong type.
    case invalidField(String, String)
    case unknownEventType(String)
    /// Newer than this build understands (or not a version at all): upgrade the consumer.
    case unsupportedSchemaVersion(Int)
    /// Well-formed, but contradicts itself or the lifecycle (e.g. status does not match type).
    case invalidEvent(String)

    public var description: String {
        switch self {
        case .malformedJSON(let detail): "malformed JSON: \(detail)"
        case .invalidField(let field, let detail): "field '\(field)': \(detail)"
        case .unknownEventType(let type):
            "unknown event type '\(type)'; known: \(OrderEventType.allCases.map(\.rawValue).joined(separator: ", "))"
        case .unsupportedSchemaVersion(let version):
            "schema version \(version) is not supported (this build reads 1...\(OrderEvent.currentSchemaVersion)); upgrade the consumer"
        case .invalidEvent(let detail): "invalid event: \(detail)"
        }
    }

    /// A short stable code for metrics and dead-letter headers.
    public var code: String {
        switch self {
        case .malformedJSON: "malformed_json"
        case .invalidField: "invalid_field"
        case .unknownEventType: "unknown_type"
        case .unsupportedSchemaVersion: "unsupported_version"
        case .invalidEvent: "invalid_event"
        }
    }
}
