public import GRDB
public import OrderEvents

/// A read model's row per order (a GRDB record keyed by order id), built by folding the order's
/// events one after the other.
public protocol OrderRow: FetchableRecord, PersistableRecord, Sendable {
    var orderId: String { get }
    /// The row once `event` is folded in; `current` is nil for the first event seen of the order.
    static func folding(_ event: OrderEvent, at position: EventPosition, into current: Self?) throws -> Self
}

/// The fold of a read model that keeps one row per order: rows are read once per fold, folded in
/// memory, and each changed row is written once, inserted or updated as it was found.
public struct OrderRowFold<Row: OrderRow>: ProjectionFold {
    private var rows: [String: Row] = [:]
    private var stored: Set<String> = []
    private var changed: Set<String> = []

    public init() {}

    public mutating func load(orders: [String], from db: Database) throws {
        for chunk in orders.keyChunks() {
            for row in try Row.fetchAll(db, keys: chunk) {
                rows[row.orderId] = row
                stored.insert(row.orderId)
            }
        }
    }

    public mutating func fold(_ event: OrderEvent, at position: EventPosition) throws {
        rows[event.orderID] = try Row.folding(event, at: position, into: rows[event.orderID])
        changed.insert(event.orderID)
    }

    public func write(to db: Database) throws {
        for orderID in changed.sorted() {
            guard let row = rows[orderID] else { continue }
            if stored.contains(orderID) { try row.update(db) } else { try row.insert(db) }
        }
    }
}
