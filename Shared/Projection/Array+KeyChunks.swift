extension Array {
    /// The keys in slices of at most 5,000, for `IN (...)` lookups: far below SQLite's limit on
    /// bound values.
    func keyChunks() -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: 5_000).map { self[$0..<Swift.min($0 + 5_000, count)] }
    }
}
