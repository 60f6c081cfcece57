/// The headers a dead letter carries besides the original record's own: where it came from, who
/// gave up on it, and why.
public enum DeadLetterHeaders {
    public static let originalTopic = "dlq-original-topic"
    public static let originalPartition = "dlq-original-partition"
    public static let originalOffset = "dlq-original-offset"
    public static let consumerGroup = "dlq-consumer-group"
    /// `<error code>: <message>`, or `rejected: <reason>` for an event the projection refused.
    public static let error = "dlq-error"
}
