public import GRDB
public import OrderEvents

/// Where an event was read from: projections that show it (support's timeline) keep it.
public struct EventPosition: Sendable, Hashable {
    public var partition: Int32
    public var offset: Int64

    public init(partition: Int32, offset: Int64) {
        self.partition = partition
        self.offset = offset
    }
}

/// A read model built from the order-event stream, one SQLite database per consumer group.
///
/// The runtime calls `apply` inside the batch's transaction, after deduplication: each event is
/// applied once, in its order's sequence, whatever the topic repeats.
public protocol Projection: Sendable {
    /// Also the consumer group id and the database file name.
    var name: String { get }
    /// The projection's own tables; registered after the runtime's.
    func registerMigrations(in migrator: inout DatabaseMigrator)
    /// Applies one event. Throw `ProjectionError.rejected` when the event itself is at fault
    /// (it goes to the dead-letter topic), and throw it *before writing anything*: the batch's
    /// transaction goes on with the next event. Any other error fails the batch, which is retried.
    func apply(_ event: OrderEvent, at position: EventPosition, in db: Database) throws
    /// The tables that make up the read model, for `ProjectionDatabase.checksum()`.
    var checksumTables: [String] { get }
}

public enum ProjectionError: Error, Sendable, Equatable {
    /// The event cannot be applied, and never will be: dead-letter it.
    case rejected(String)
}
