/// What a service that takes part in the choreography (orders, restaurants, delivery) says about
/// its decisions.
public enum DecisionEndpoints {
    /// `DecisionsReport`.
    public static let decisions = Route(.get, "/decisions")
}

/// A deciding service's consumer group: how far behind each input topic it is and what it did.
public struct DecisionsReport: Codable, Sendable, Equatable {
    public struct Input: Codable, Sendable, Equatable {
        public var topic: String
        /// Over the partitions it owns, from its stored offsets and the log ends its fetches saw
        /// (nil until it has fetched).
        public var lag: Int64?

        public init(topic: String, lag: Int64?) {
            self.topic = topic
            self.lag = lag
        }
    }

    public var group: String
    public var inputs: [Input]
    public var decided: Int
    /// Messages dropped as repeats (by topic, producer, order and sequence).
    public var repeats: Int
    public var deadLettered: Int

    public init(group: String, inputs: [Input], decided: Int, repeats: Int, deadLettered: Int) {
        self.group = group
        self.inputs = inputs
        self.decided = decided
        self.repeats = repeats
        self.deadLettered = deadLettered
    }
}
