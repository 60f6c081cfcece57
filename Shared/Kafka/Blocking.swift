import Dispatch

/// Runs blocking librdkafka calls (flush, close, commit, admin waits) off Swift's cooperative
/// thread pool, on a Dispatch queue whose threads may block.
enum Blocking {
    static func run<T: Sendable, E: Error>(
        on queue: DispatchQueue = DispatchQueue.global(), _ body: @escaping @Sendable () throws(E) -> T
    ) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: Result { () throws(E) -> T in try body() }) }
        }
        return try result.get()
    }

    /// Runs `body` as a Swift task and blocks the calling (non-cooperative) thread until it ends.
    /// Used inside librdkafka callbacks that must finish before librdkafka continues, such as the
    /// rebalance callback, where the application's async listener decides the starting offsets.
    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            done.signal()
        }
        done.wait()
        return box.value!
    }
}

/// Handed from one task to the thread blocked on it; the semaphore orders the accesses.
private final class ResultBox<T>: @unchecked Sendable {
    var value: T?
}
