import GRDB
import Projection
import Testing

/// `Statement.bind`, the projections' hot path, on real SQLite: values land as bound, each
/// execution binds afresh, and misuse is an error rather than silent NULLs.
@Suite("Statement binding")
struct StatementBindingTests {
    static func database() throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (id TEXT PRIMARY KEY, small INTEGER, big INTEGER, flag BOOLEAN, note TEXT, ratio REAL)")
        }
        return queue
    }

    @Test("Every value lands in its column, NULL for nil; a reused statement binds new values each time")
    func roundTrip() throws {
        let queue = try Self.database()
        try queue.write { db in
            for index in 0..<1_000 {
                let note: String? = index.isMultiple(of: 2) ? nil : "odd \(index)"
                try db.cachedStatement(sql: "INSERT INTO t (id, small, big, flag, note, ratio) VALUES (?, ?, ?, ?, ?, ?)")
                    .bind("id-\(index)", Int32(index), Int64(index) << 33, index.isMultiple(of: 3), note, Double(index) / 4).execute()
            }
        }
        try queue.read { db in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM t") == 1_000)
            let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM t WHERE id = 'id-999'"))
            #expect(row["small"] as Int32 == 999)
            #expect(row["big"] as Int64 == 999 << 33)
            #expect(row["flag"] as Bool == true)
            #expect(row["note"] as String? == "odd 999")
            #expect(row["ratio"] as Double == 249.75)
            #expect(try String.fetchOne(db, sql: "SELECT note FROM t WHERE id = 'id-998'") == nil)
            let lookup = try db.cachedStatement(sql: "SELECT big FROM t WHERE id = ?")
            #expect(try Int64.fetchOne(lookup.bind("id-1")) == 1 << 33)
            #expect(try Int64.fetchOne(lookup.bind("id-2")) == 2 << 33)
            #expect(try Int64.fetchOne(lookup.bind("missing")) == nil)
        }
    }

    @Test("More values than the statement takes is an error that names the statement")
    func tooMany() throws {
        let queue = try Self.database()
        let error = #expect(throws: DatabaseError.self) {
            try queue.write { db in try db.cachedStatement(sql: "INSERT INTO t (id) VALUES (?)").bind("a", "surplus").execute() }
        }
        let sql = error?.sql
        #expect(error?.resultCode == .SQLITE_RANGE)
        #expect(sql == "INSERT INTO t (id) VALUES (?)")
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM t") } == 0)
    }

    @Test("After a failed execution the same SQL binds and runs again (GRDB hands out a fresh statement)")
    func afterFailure() throws {
        let queue = try Self.database()
        try queue.write { db in
            let sql = "INSERT INTO t (id, small) VALUES (?, ?)"
            try db.cachedStatement(sql: sql).bind("a", 1).execute()
            #expect(throws: DatabaseError.self) { try db.cachedStatement(sql: sql).bind("a", 2).execute() }
            try db.cachedStatement(sql: sql).bind("b", 3).execute()
            #expect(try Int.fetchAll(db, sql: "SELECT small FROM t ORDER BY id") == [1, 3])
        }
    }
}
