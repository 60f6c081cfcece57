import Contract
import Foundation
import Kafka
import OrderEvents

/// An order's life as the choreography must leave it, checked from the `order-events` topic alone
/// with rules written here, apart from the services' own code (`OrderLifecycle` is not used): every
/// order's events are numbered 1, 2, 3… without a gap, each step is one the business allows after
/// the one before, exactly one terminal step ends it, and nothing follows.
struct ChoreographyModel {
    /// The allowed next steps, by the step before (nil: a new order).
    static let allowed: [String?: Set<String>] = [
        nil: ["order.created"],
        "order.created": ["order.placed", "order.cancelled"],
        "order.placed": ["order.accepted", "order.rejected", "order.cancelled"],
        "order.accepted": ["order.preparing", "order.cancelled"],
        "order.preparing": ["order.ready_for_pickup", "order.cancelled"],
        "order.ready_for_pickup": ["order.courier_assigned", "order.cancelled"],
        "order.courier_assigned": ["order.courier_assigned", "order.picked_up", "order.cancelled"],
        "order.picked_up": ["order.out_for_delivery"],
        "order.out_for_delivery": ["order.delivered", "order.delivery_failed"],
    ]
    static let terminal: Set<String> = ["order.delivered", "order.rejected", "order.cancelled", "order.delivery_failed"]

    /// Per order: its distinct steps in sequence order.
    var orders: [String: [OrderEvent]] = [:]
    /// Records that repeated a step already seen (same order and sequence): the relay's
    /// at-least-once delivery, which consumers drop.
    var repeats = 0
    var problems: [String] = []

    /// Per order: the trace ids its events carry (one, when the order is one trace).
    var traces: [String: Set<String>] = [:]

    init(records: [KafkaConsumerMessage]) {
        var seen: [String: [Int: OrderEvent]] = [:]
        for record in records {
            guard let event = try? OrderEventCodec.decode(record.value) else {
                problems.append("unreadable record at \(record.topicPartition)@\(record.offset)")
                continue
            }
            let trace = record.headers.last(named: EventHeaders.traceparent)?.stringValue.flatMap(TraceContext.init(traceparent:))
            traces[event.orderID, default: []].insert(trace?.traceID ?? "none")
            if let earlier = seen[event.orderID]?[event.sequence] {
                repeats += 1
                if earlier.type != event.type {
                    problems.append("\(event.orderID) #\(event.sequence) is both \(earlier.type) and \(event.type)")
                }
                continue
            }
            seen[event.orderID, default: [:]][event.sequence] = event
        }
        orders = seen.mapValues { $0.values.sorted { $0.sequence < $1.sequence } }
        for (id, events) in orders.sorted(by: { $0.key < $1.key }) {
            var previous: String? = nil
            for (index, event) in events.enumerated() {
                if event.sequence != index + 1 { problems.append("\(id): sequence \(event.sequence) where \(index + 1) was due") }
                if !(Self.allowed[previous] ?? []).contains(event.type.rawValue) {
                    problems.append("\(id): \(event.type.rawValue) after \(previous ?? "nothing")")
                }
                previous = event.type.rawValue
            }
        }
    }

    /// Orders whose last step is not terminal.
    var unfinished: [String] { orders.filter { !Self.terminal.contains($0.value.last!.type.rawValue) }.map(\.key).sorted() }

    /// How many orders ended each way.
    var endings: [String: Int] {
        var endings: [String: Int] = [:]
        for events in orders.values where Self.terminal.contains(events.last!.type.rawValue) {
            endings[events.last!.type.rawValue, default: 0] += 1
        }
        return endings
    }

    /// Steps that happened more than once (a reaction taken twice would show as two `accepted`s).
    var stepsTakenTwice: [String] {
        orders.flatMap { id, events in
            Dictionary(grouping: events.filter { $0.type != .courierAssigned }, by: \.type).filter { $0.value.count > 1 }.map {
                "\(id): \($0.key.rawValue) ×\($0.value.count)"
            }
        }
    }
}
