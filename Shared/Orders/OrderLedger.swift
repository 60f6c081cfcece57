import Choreography
public import Contract
public import Foundation
public import GRDB
public import OrderEvents
public import Outbox
import Projection

/// Records the steps of orders: checks each against the lifecycle, then writes the order's new
/// state, the event's outbox row and, in a choreographed run, the messages the step sends to the
/// kitchens and the couriers (`OrderCommands`), in one SQLite transaction.
public struct OrderLedger: Sendable {
    public let database: OrdersDatabase
    public let producerName: String
    /// Whether steps send kitchen orders and courier requests: true when `restaurants` and
    /// `delivery` decide, false when the simulator plays them too.
    public let sendsCommands: Bool
    /// When set, single steps (an order over HTTP, a cancel) commit through it, many to a
    /// transaction under load; without it each commits on its own.
    public let groupCommit: GroupCommit?

    public init(
        database: OrdersDatabase, producerName: String = ServiceNames.orders, sendsCommands: Bool = false, groupCommit: GroupCommit? = nil
    ) {
        self.database = database
        self.producerName = producerName
        self.sendsCommands = sendsCommands
        self.groupCommit = groupCommit
    }

    /// Runs `work` in a transaction of its own, or in the group commit's next one.
    private func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let groupCommit { return try await groupCommit.write(work) }
        return try await database.writer.write(work)
    }

    public enum Failure: Error, Sendable, CustomStringConvertible, Equatable {
        case unknownOrder(String)
        case orderExists(String)
        case illegal(IllegalTransition)
        case invalid(String)

        public var description: String {
            switch self {
            case .unknownOrder(let id): "no order with id '\(id)'"
            case .orderExists(let id): "an order with id '\(id)' exists already"
            case .illegal(let transition): transition.description
            case .invalid(let detail): detail
            }
        }
    }

    /// Creates an order (`order.created`, sequence 1).
    @discardableResult
    public func create(orderID: String, snapshot: OrderSnapshot, at time: Date, trace: TraceContext) async throws -> OrderEvent {
        try await write { db in try create(orderID: orderID, snapshot: snapshot, at: time, trace: trace, in: db) }
    }

    /// The same inside the caller's transaction.
    public func create(orderID: String, snapshot: OrderSnapshot, at time: Date, trace: TraceContext, in db: Database) throws -> OrderEvent {
        if try OrderRecord.fetchOne(db, key: orderID) != nil { throw Failure.orderExists(orderID) }
        var initial = snapshot
        initial.status = .created
        return try append(
            db, type: .created, orderID: orderID, sequence: 1, previous: nil, snapshot: initial, reason: nil, at: time, trace: trace)
    }

    /// Moves an existing order one step; `change` may edit the snapshot (e.g. set the courier).
    /// The step continues the order's own trace (the one it was created in), with `trace`'s span.
    @discardableResult
    public func advance(
        orderID: String, to type: OrderEventType, reason: String? = nil, at time: Date, trace: TraceContext,
        change: @escaping @Sendable (inout OrderSnapshot) -> Void = { _ in }
    ) async throws -> OrderEvent {
        try await write { db in
            try advance(orderID: orderID, to: type, reason: reason, at: time, trace: trace, in: db, change: change)
        }
    }

    /// The same inside the caller's transaction.
    @discardableResult
    public func advance(
        orderID: String, to type: OrderEventType, reason: String? = nil, at time: Date, trace: TraceContext, in db: Database,
        change: (inout OrderSnapshot) -> Void = { _ in }
    ) throws -> OrderEvent {
        guard let record = try OrderRecord.fetchOne(db, key: orderID) else { throw Failure.unknownOrder(orderID) }
        var snapshot = try record.decodedSnapshot()
        let previous = snapshot.status
        do throws(IllegalTransition) {
            snapshot.status = try OrderLifecycle.apply(type, to: snapshot.status)
        } catch {
            throw Failure.illegal(error)
        }
        change(&snapshot)
        var continued = trace
        continued.traceID = record.traceId ?? trace.traceID
        return try append(
            db, type: type, orderID: orderID, sequence: record.sequence + 1, previous: previous, snapshot: snapshot, reason: reason,
            at: time, trace: continued)
    }

    /// Orders not yet finished, and how many orders exist, so a restarted simulation resumes
    /// instead of starting over.
    public func resumeState(idPrefix: String) async throws -> (unfinished: [(id: String, status: OrderStatus)], existing: Int) {
        try await database.writer.read { db in
            let terminal = OrderStatus.allCases.filter(\.isTerminal).map(\.rawValue)
            let unfinished = try Row.fetchAll(
                db,
                sql:
                    "SELECT id, status FROM \"order\" WHERE id LIKE ? AND status NOT IN (\(terminal.map { _ in "?" }.joined(separator: ","))) ORDER BY id",
                arguments: StatementArguments([idPrefix + "%"] + terminal)
            ).map { (id: $0["id"] as String, status: OrderStatus(rawValue: $0["status"]) ?? .created) }
            let existing = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \"order\" WHERE id LIKE ?", arguments: [idPrefix + "%"]) ?? 0
            return (unfinished, existing)
        }
    }

    public func order(_ id: String) async throws -> (snapshot: OrderSnapshot, sequence: Int)? {
        try await database.writer.read { db in try order(id, in: db) }
    }

    /// The `traceparent` the order's first event was written with: the span that placed the order.
    public func placement(of orderID: String, in db: Database) throws -> String? {
        try OutboxRecord.filter(
            OutboxRecord.Columns.topic == Topics.orderEvents && OutboxRecord.Columns.orderId == orderID
                && OutboxRecord.Columns.sequence == 1
        ).fetchOne(db)?.traceparent
    }

    public func order(_ id: String, in db: Database) throws -> (snapshot: OrderSnapshot, sequence: Int)? {
        guard let record = try OrderRecord.fetchOne(db, key: id) else { return nil }
        return (try record.decodedSnapshot(), record.sequence)
    }

    /// Inside the caller's transaction: validate, then write the state, the outbox row and the
    /// step's commands.
    private func append(
        _ db: Database, type: OrderEventType, orderID: String, sequence: Int, previous: OrderStatus?, snapshot: OrderSnapshot,
        reason: String?, at time: Date, trace: TraceContext
    ) throws -> OrderEvent {
        let event = OrderEvent(
            eventID: UUID(), type: type, orderID: orderID, sequence: sequence, occurredAt: time, producer: producerName, order: snapshot,
            reason: reason)
        do throws(OrderEventDecodingError) {
            try OrderEventCodec.validate(event)
        } catch {
            throw Failure.invalid(error.description)
        }
        let now = Date().timeIntervalSince1970
        try OrderRecord(
            id: orderID, status: snapshot.status.rawValue, sequence: sequence, snapshot: try JSONEncoder.orders.encode(snapshot),
            updatedAt: now, traceId: trace.traceID
        ).save(db)
        try OutboxRecord(
            eventId: event.eventID.uuidString.lowercased(), topic: Topics.orderEvents, key: orderID, orderId: orderID, sequence: sequence,
            type: type.rawValue, schemaVersion: OrderEvent.currentSchemaVersion, payload: Data(OrderEventCodec.encode(event)),
            traceparent: trace.traceparent, createdAt: now
        ).insert(db)
        if sendsCommands {
            for command in try OrderCommands.after(event, previous: previous, in: db) {
                try FlowOutbox.append(command, traceparent: trace.traceparent, in: db)
            }
        }
        return event
    }
}
