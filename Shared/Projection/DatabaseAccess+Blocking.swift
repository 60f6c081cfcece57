public import GRDB

extension DatabaseWriter {
    /// GRDB's synchronous `write`, for an async caller whose closure changes state in its own
    /// frame (a fold, a simulation's agenda): an async caller would get the async overload, whose
    /// closure may not capture that state. It blocks the calling thread until the commit.
    public func writeBlocking<T>(_ updates: (Database) throws -> T) throws -> T { try write(updates) }

    /// The same for GRDB's synchronous `read`.
    public func readBlocking<T>(_ value: (Database) throws -> T) throws -> T { try read(value) }
}
