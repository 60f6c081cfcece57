public import Choreography
import Contract
import Foundation
public import GRDB
import OrderEvents
import Outbox

/// Flow messages into a service's outbox.
public enum FlowOutbox {
    private static func newTrace() -> String {
        var random = SystemRandomNumberGenerator()
        return TraceContext.random(using: &random).traceparent
    }

    /// The flow-message format's version (the `schema-version` header).
    public static let schemaVersion = 1

    /// Numbers `message` (`OutboxRecord.nextSequence`) and writes its outbox row, inside the
    /// caller's transaction.
    public static func append(_ message: FlowMessage, traceparent: String?, in db: Database) throws {
        var message = message
        let topic = message.type.topic.name(beside: Topics.orderEvents)
        message.sequence = try OutboxRecord.nextSequence(topic: topic, orderID: message.orderId, in: db)
        try message.validate()
        try OutboxRecord(
            eventId: UUID().uuidString.lowercased(), topic: topic, key: message.key, orderId: message.orderId,
            sequence: message.sequence, type: message.type.rawValue, schemaVersion: schemaVersion, payload: Data(message.encoded()),
            traceparent: traceparent ?? newTrace(), createdAt: Date().timeIntervalSince1970
        ).insert(db)
    }
}
