/// The Kafka headers that travel next to every event, so tools can route and trace without
/// parsing the JSON (`OrderEventHeaders` fills them in).
public enum EventHeaders {
    public static let eventType = "event-type"
    public static let schemaVersion = "schema-version"
    public static let contentType = "content-type"
    /// W3C Trace Context.
    public static let traceparent = "traceparent"
}
