public import OrderEvents
import Synchronization

/// The events a consumer service's projection has committed, handed to whoever listens as each
/// batch commits: live views (order tracking) are fed from the stream as it is applied, never by
/// polling the database. Each listener has a bounded buffer; one that falls behind loses its
/// oldest events, and reads the read model to catch up.
public final class CommittedEvents: Sendable {
    private let listeners = Mutex<[Int: AsyncStream<OrderEvent>.Continuation]>([:])
    private let nextListener = Atomic<Int>(0)

    public init() {}

    /// Hands `events` to every listener.
    public func publish(_ events: [OrderEvent]) {
        let current = listeners.withLock { Array($0.values) }
        for continuation in current {
            for event in events { continuation.yield(event) }
        }
    }

    /// Every event committed from now on, until the stream is dropped.
    public func subscribe(buffering: Int = 1_024) -> AsyncStream<OrderEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: OrderEvent.self, bufferingPolicy: .bufferingNewest(buffering))
        let id = nextListener.wrappingAdd(1, ordering: .relaxed).oldValue
        listeners.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            _ = self?.listeners.withLock { $0.removeValue(forKey: id) }
        }
        return stream
    }
}
