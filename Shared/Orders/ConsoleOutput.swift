public import ArgumentParser
import Foundation
import OrderEvents
import Outbox
public import ServiceLifecycle
import Synchronization

/// What a person watching `orders` sees: one line per event, or a rolling summary.
public final class ConsoleOutput: Service, Sendable {
    public enum Mode: String, ExpressibleByArgument, CaseIterable, Sendable { case events, summary, quiet }

    let mode: Mode
    let relay: OutboxRelay
    private let counts = Mutex<[OrderEventType: Int]>([:])

    init(mode: Mode, relay: OutboxRelay) {
        self.mode = mode
        self.relay = relay
    }

    func record(_ event: OrderEvent) {
        counts.withLock { $0[event.type, default: 0] += 1 }
        guard mode == .events else { return }
        let order = event.order
        let detail: String? =
            switch event.type {
            case .created:
                "\(order.customer.name) → \(order.restaurant.name) (\(order.region)) \(String(format: "%.2f", Double(order.totalCents) / 100)) \(order.currency)"
            case .courierAssigned: "courier \(order.courier?.name ?? "?")"
            default: event.reason.map { "(\($0))" }
            }
        let head = "\(event.orderID) #\(event.sequence) \(event.type.rawValue)"
        let line = detail.map { head.padding(toLength: 40, withPad: " ", startingAt: 0) + " " + $0 } ?? head
        Self.write(line)
    }

    public func run() async throws {
        guard mode == .summary else {
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(2))
            let snapshot = counts.withLock { $0 }
            let created = snapshot[.created, default: 0]
            let delivered = snapshot[.delivered, default: 0]
            let other = [OrderEventType.rejectedByRestaurant, .cancelledByCustomer, .deliveryFailed].map {
                "\($0.rawValue.dropFirst(6)) \(snapshot[$0, default: 0])"
            }
            let pending = (try? await relay.pendingCount()).map(String.init) ?? "?"
            Self.write(
                "orders: \(created) created, \(delivered) delivered, \(other.joined(separator: ", ")) | outbox: \(relay.publishedCount) published, \(pending) pending"
            )
        }
    }

    /// Whole lines, unbuffered: a person (or a parent process reading a pipe) sees each at once.
    private static func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
