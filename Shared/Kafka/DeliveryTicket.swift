import Synchronization

/// Travels through librdkafka as a record's `msg_opaque` (retained once per produced record) and
/// carries the delivery report back, either to a task awaiting `send` or to the report stream.
final class DeliveryTicket: Sendable {
    enum Destination: Sendable {
        case awaiting
        case stream(AsyncStream<DeliveryReport>.Continuation)
    }

    private enum State {
        case pending(CheckedContinuation<DeliveryReport, Never>?)
        case done(DeliveryReport)
    }

    let id: UInt64
    let destination: Destination
    private let state = Mutex(State.pending(nil))

    init(id: UInt64, destination: Destination) {
        self.id = id
        self.destination = destination
    }

    /// Called once, on the poll thread, from the delivery-report callback.
    func complete(_ report: DeliveryReport) {
        if case .stream(let continuation) = destination {
            continuation.yield(report)
            return
        }
        let waiter: CheckedContinuation<DeliveryReport, Never>? = state.withLock { state in
            guard case .pending(let waiter) = state else { return nil }
            state = .done(report)
            return waiter
        }
        waiter?.resume(returning: report)
    }

    func report() async -> DeliveryReport {
        await withCheckedContinuation { continuation in
            let ready: DeliveryReport? = state.withLock { state in
                switch state {
                case .done(let report): return report
                case .pending:
                    state = .pending(continuation)
                    return nil
                }
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }
}
