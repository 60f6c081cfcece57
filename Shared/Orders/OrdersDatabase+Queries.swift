import Contract
import GRDB
import OrderEvents
public import Outbox
public import ServiceAPI

/// The orders database's named queries, for the HTTP API.
extension OrdersDatabase {
    /// Orders, events written and published (per type, and each partition's end), and unfinished
    /// orders per status.
    public func stats() async throws -> OrdersEndpoints.Stats {
        try await writer.read { db in
            var stats = OrdersEndpoints.Stats(
                orders: try Int.fetchOne(db, sql: #"SELECT COUNT(*) FROM "order""#) ?? 0, events: 0, published: 0, publishedByType: [:],
                partitionEnds: [:])
            for row in try Row.fetchAll(
                db, sql: "SELECT type, COUNT(*) AS total, COUNT(sentAt) AS sent FROM outbox WHERE topic = ? GROUP BY type",
                arguments: [Topics.orderEvents])
            {
                stats.events += row["total"] as Int
                stats.published += row["sent"] as Int
                stats.publishedByType[row["type"]] = row["sent"]
            }
            for row in try Row.fetchAll(
                db,
                sql: "SELECT partition, MAX(offset) + 1 AS end FROM outbox WHERE topic = ? AND offset IS NOT NULL GROUP BY partition",
                arguments: [Topics.orderEvents])
            {
                stats.partitionEnds[String(row["partition"] as Int32)] = row["end"]
            }
            let terminal = OrderStatus.allCases.filter(\.isTerminal).map(\.rawValue)
            for row in try Row.fetchAll(
                db,
                sql:
                    #"SELECT status, COUNT(*) AS count FROM "order" WHERE status NOT IN (\#(terminal.map { _ in "?" }.joined(separator: ","))) GROUP BY status"#,
                arguments: StatementArguments(terminal))
            {
                stats.waiting[row["status"]] = row["count"]
            }
            return stats
        }
    }

    /// An order's events as its outbox holds them, in sequence.
    public func orderEvents(of orderID: String) async throws -> [OutboxRecord] {
        try await writer.read { db in
            try OutboxRecord.filter(OutboxRecord.Columns.orderId == orderID && OutboxRecord.Columns.topic == Topics.orderEvents)
                .order(OutboxRecord.Columns.sequence).fetchAll(db)
        }
    }
}
