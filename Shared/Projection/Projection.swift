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
/// The runtime folds a batch of events into the projection's rows in memory (`makeFold`), then
/// writes each row the batch changed once, with the batch's offsets, in one transaction. Events
/// reach the fold after deduplication: each event is folded once, in its order's sequence,
/// whatever the topic repeats.
public protocol Projection: Sendable {
    /// Also the consumer group id and the database file name.
    var name: String { get }
    /// The projection's own tables; registered after the runtime's.
    func registerMigrations(in migrator: inout DatabaseMigrator)
    /// An empty fold for one batch (a rebuild folds many consumer batches into one).
    func makeFold() -> any ProjectionFold
    /// The tables that make up the read model, for `ProjectionDatabase.checksum()`.
    var checksumTables: [String] { get }
}

/// One batch of a projection, folded in memory before anything is written.
public protocol ProjectionFold {
    /// Reads the stored rows of these orders, once, before their first event is folded. The
    /// runtime passes each order once per fold.
    mutating func load(orders: [String], from db: Database) throws
    /// Folds one event into the rows in memory. Throw `ProjectionError.rejected` when the event
    /// itself is at fault (it goes to the dead-letter topic), leaving the rows as they were: the
    /// batch goes on with the next event. Any other error fails the batch, which is retried.
    mutating func fold(_ event: OrderEvent, at position: EventPosition) throws
    /// Writes every row the fold changed, once, in key order.
    func write(to db: Database) throws
}

public enum ProjectionError: Error, Sendable, Equatable {
    /// The event cannot be applied, and never will be: dead-letter it.
    case rejected(String)
}
