public import GRDB
public import ServiceLifecycle
import Synchronization

/// Commits many callers' writes in one SQLite transaction: each write runs in a savepoint of the
/// transaction, and its caller resumes only once that transaction has committed, so nothing is
/// acknowledged before it is durable. Under load the writes that arrive while one transaction
/// commits go together into the next; alone, a write commits at once, as a transaction of its own.
///
/// A write that throws rolls back its savepoint only, and its caller gets the error; the others
/// commit. A failed commit fails every write it held.
///
/// Run it in the service's `ServiceGroup` listed before the services that write through it: on
/// shutdown it commits what was handed to it, and refuses later writes.
public final class GroupCommit: Service, Sendable {
    private let writer: any DatabaseWriter
    private let maxWrites: Int
    private let state = Mutex(State())
    private let signals: AsyncStream<Void>
    private let signal: AsyncStream<Void>.Continuation

    private struct Request {
        let work: @Sendable (Database) throws -> Void
        let done: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queued: [Request] = []
        var stopped = false
    }

    public struct Stopped: Error, CustomStringConvertible {
        public var description: String { "the service is shutting down and takes no more writes; retry against a running instance" }
    }

    /// `maxWrites`: the most writes one transaction holds.
    public init(writer: any DatabaseWriter, maxWrites: Int = 1_000) {
        self.writer = writer
        self.maxWrites = maxWrites
        (signals, signal) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    /// Runs `work` in the next transaction and returns its result once that transaction commits.
    public func write<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws -> T {
        let result = Mutex<T?>(nil)
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let request = Request(
                work: { db in
                    let value = try work(db)
                    result.withLock { $0 = value }
                }, done: done)
            let accepted = state.withLock { state in
                guard !state.stopped else { return false }
                state.queued.append(request)
                return true
            }
            if accepted { signal.yield() } else { done.resume(throwing: Stopped()) }
        }
        return result.withLock { $0! }
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            for await _ in signals {
                while let batch = take() { await commit(batch) }
            }
        } onGracefulShutdown: {
            self.state.withLock { $0.stopped = true }
            self.signal.finish()
        }
        // Writes queued between the last signal and the stop are committed too.
        while let batch = take() { await commit(batch) }
    }

    private func take() -> [Request]? {
        state.withLock { state in
            guard !state.queued.isEmpty else { return nil }
            let batch = Array(state.queued.prefix(maxWrites))
            state.queued.removeFirst(batch.count)
            return batch
        }
    }

    private func commit(_ batch: [Request]) async {
        let works = batch.map(\.work)
        do {
            let outcomes = try await writer.write { db in
                works.map { work in
                    Result<Void, any Error> {
                        try db.inSavepoint {
                            try work(db)
                            return .commit
                        }
                    }
                }
            }
            for (request, outcome) in zip(batch, outcomes) { request.done.resume(with: outcome) }
        } catch {
            for request in batch { request.done.resume(throwing: error) }
        }
    }
}
