/// The headers a dead letter carries besides the original record's own: where it came from, who
/// gave up on it, and why.
public enum DeadLetterHeaders {
    public static let originalTopic = "dlq-original-topic"
    public static let originalPartition = "dlq-original-partition"
    public static let originalOffset = "dlq-original-offset"
    public static let consumerGroup = "dlq-consumer-group"
    /// `<error code>: <message>`, or `rejected: <reason>` for an event the projection refused.
    public static let error = "dlq-error"

    /// On a record redriven to its original topic (`fooddelivery dlq redrive`): the dead letter it
    /// came from, `<dead-letter topic>[<partition>]@<offset>`, and when it was redriven (ISO 8601).
    public static let redrivenFrom = "redriven-from"
    public static let redrivenAt = "redriven-at"

    /// The headers only a dead letter has; a redriven record leaves them behind.
    public static let all: Set<String> = [originalTopic, originalPartition, originalOffset, consumerGroup, error]
}
