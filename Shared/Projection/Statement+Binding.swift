public import GRDB

extension Statement {
    /// Binds `values` to the statement's parameters, in order, straight through each value's
    /// `sqlite3_bind_*` (GRDB's `StatementBinding`), for statements a batch runs thousands of
    /// times.
    ///
    /// Why not `execute(arguments: [...])`: that builds a `StatementArguments` per call (every
    /// value boxed as an existential, then converted to a `DatabaseValue`), validates it against
    /// the statement, and binds through nested closures; profiles of a catch-up show that work
    /// costing more than SQLite's own. Here the values are a parameter pack, bound as they are.
    ///
    /// The count is checked in debug builds (tests), as `setUncheckedArguments` documents: in
    /// release a missing value would bind NULL. Use on a statement from `cachedStatement(sql:)`,
    /// which GRDB never hands out after a failed step (`setUncheckedArguments` resets it).
    @discardableResult
    public func bind<each Value: StatementBinding>(_ values: repeat each Value) throws -> Statement {
        // Resets the statement, marks its (empty) arguments as bound and clears old bindings, so
        // the `execute()` or `fetchOne` that follows runs with exactly the values bound below.
        setUncheckedArguments([])
        var index: CInt = 0
        for value in repeat each values {
            index += 1
            let code = value.bind(to: sqliteStatement, at: index)
            guard code == 0 else {  // SQLITE_OK
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "cannot bind value \(index)", sql: sql)
            }
        }
        assert(
            (try? validateArguments(StatementArguments(Array(repeating: DatabaseValue.null, count: Int(index))))) != nil,
            "\(index) values bound to a statement that takes another number: \(sql)")
        return self
    }
}
