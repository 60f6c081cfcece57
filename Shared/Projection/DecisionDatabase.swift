public import GRDB
import Outbox

/// The SQLite database of a service's decisions: the decider's state, its outbox, and the offsets
/// and message progress of what it consumed, changed together in one transaction per batch.
public enum DecisionDatabase {
    /// Opens (creating if needed) the database at `path`, in WAL mode, and migrates it.
    public static func open(path: String, decider: any Decider) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        // As for read models and orders: a commit survives this process being killed without an
        // fsync per transaction.
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        let pool = try DatabasePool(path: path, configuration: configuration)
        var migrator = DatabaseMigrator()
        OutboxTable.registerMigrations(in: &migrator)
        DecisionRunner.registerMigrations(for: decider, in: &migrator)
        try migrator.migrate(pool)
        return pool
    }
}
