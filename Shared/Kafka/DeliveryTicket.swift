import Synchronization

/// Where a record's delivery report goes, encoded in its `msg_opaque` pointer:
/// - a `DeliveryTicket` (retained once per record; pointers are aligned, so the low bit is 0) for
///   a task awaiting `send`;
/// - `id << 1 | 1` for `enqueue`d records, whose reports go to the producer's report stream. This
///   path allocates nothing per record.
enum DeliveryRoute {
    case ticket(DeliveryTicket)
    case stream(id: UInt64)

    var opaque: UnsafeMutableRawPointer {
        switch self {
        case .ticket(let ticket): Unmanaged.passRetained(ticket).toOpaque()
        case .stream(let id): UnsafeMutableRawPointer(bitPattern: UInt(id << 1 | 1))!
        }
    }

    /// Takes the route back (consuming the ticket's retain).
    init(consuming opaque: UnsafeMutableRawPointer) {
        let bits = UInt(bitPattern: opaque)
        if bits & 1 == 1 {
            self = .stream(id: UInt64(bits >> 1))
        } else {
            self = .ticket(Unmanaged<DeliveryTicket>.fromOpaque(opaque).takeRetainedValue())
        }
    }
}

/// Carries one record's delivery report from the poll thread to the task awaiting `send`.
final class DeliveryTicket: Sendable {
    private enum State {
        case pending(CheckedContinuation<DeliveryReport, Never>?)
        case done(DeliveryReport)
    }

    let id: UInt64
    private let state = Mutex(State.pending(nil))

    init(id: UInt64) { self.id = id }

    /// Called once, on the poll thread, from the delivery-report callback.
    func complete(_ report: DeliveryReport) {
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
