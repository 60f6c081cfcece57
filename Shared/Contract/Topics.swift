/// The system's topics, named once. Every process imports this module, so a topic's name and the
/// rule that derives its dead-letter topic are spelled in one place.
public enum Topics {
    /// Every step of every order, keyed by order id (docs/EVENTS.md).
    public static let orderEvents = "order-events"

    /// Where a consumer sends the records of `topic` it cannot read or apply, with the reason in
    /// `DeadLetterHeaders`.
    public static func deadLetters(of topic: String) -> String { topic + ".dlq" }
}
