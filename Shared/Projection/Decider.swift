public import Choreography
import Contract
public import Foundation
public import GRDB
import OrderEvents
import Outbox

/// A service's part in the choreography: from the messages it consumes and its own state, it
/// decides, and publishes what it decided. `DecisionRunner` calls it inside the transaction that
/// also stores the consumed offsets and the outbox rows of what it sends, so a decision is taken
/// once and published once in effect, whatever crashes.
public protocol Decider: Sendable {
    /// The service whose messages it sends; `DecisionRunner` signs them with this name and its
    /// database's instance id (`FlowMessage.producer`).
    var producer: String { get }
    /// The topics it consumes.
    var inputs: [FlowMessageType.Topic] { get }
    /// Its own tables; registered after the runtime's.
    func registerMigrations(in migrator: inout DatabaseMigrator)
    /// Decides on one message, never a repeat. Throw `DecisionError.rejected` when the message
    /// itself is at fault (it goes to the dead-letter topic), before writing anything.
    func decide(_ message: FlowMessage, in context: DecisionContext) throws
    /// Takes the steps that are due at `context.now` (a meal becoming ready, a courier arriving)
    /// of what this instance committed to, even after its partition moved to another instance
    /// (the kitchen that accepted a meal cooks it); returns when the next one is due (nil: none).
    func decideDue(in context: DecisionContext) throws -> Date?
}

extension Decider {
    public func decideDue(in context: DecisionContext) throws -> Date? { nil }
}

public enum DecisionError: Error, Sendable, Equatable {
    /// The message cannot be decided on, and never will be: dead-letter it.
    case rejected(String)
}

/// What a decision sees and how it sends: the open transaction, the decider's clock, the
/// partitions it owns, and the outbox.
public struct DecisionContext {
    public let db: Database
    /// The time of this decision (the decider's own clock).
    public let now: Date
    /// The partition the message came from (nil for due steps).
    public let partition: Int32?
    /// The trace the decision belongs to (the message's `traceparent` header, if any).
    public let traceparent: String?
    let producer: String

    /// Writes `message` to the outbox, signed by the decider and numbered after its earlier
    /// messages about the same order on the same topic.
    public func send(_ message: FlowMessage, traceparent: String? = nil) throws {
        var message = message
        message.producer = producer
        try FlowOutbox.append(message, traceparent: traceparent ?? self.traceparent, in: db)
    }
}
