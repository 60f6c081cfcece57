/// The Kafka headers that travel next to every event, so tools can route and trace without
/// parsing the JSON.
public enum EventHeaders {
    public static let eventType = "event-type"
    public static let schemaVersion = "schema-version"
    public static let contentType = "content-type"
    /// W3C Trace Context.
    public static let traceparent = "traceparent"

    /// The headers of a JSON record of `type`; the Kafka layer turns these pairs into record headers.
    public static func fields(type: String, schemaVersion: Int, traceparent: String) -> [(key: String, value: String)] {
        [
            (eventType, type),
            (Self.schemaVersion, String(schemaVersion)),
            (contentType, "application/json"),
            (Self.traceparent, traceparent),
        ]
    }
}
