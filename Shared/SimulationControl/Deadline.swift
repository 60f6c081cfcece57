/// Runs an operation that must answer within a time limit; past it, the operation is cancelled
/// (so it must end when cancelled, as admin requests and HTTP requests do) and the caller gets an
/// error naming what did not answer.
package enum Deadline {
    package static func run<T: Sendable>(_ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T)
        async throws -> T
    {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else { throw CLIError("\(what) did not answer within \(limit)") }
            return value
        }
    }

    /// `run`, with its failure as a value (for asking several parts side by side).
    package static func outcome<T: Sendable>(_ limit: Duration, _ what: String, _ operation: @escaping @Sendable () async throws -> T)
        async -> Result<T, any Error>
    {
        do {
            return .success(try await run(limit, what, operation))
        } catch {
            return .failure(error)
        }
    }
}
