import Kafka
import OrderEvents
import Orders
import Outbox
import Testing

/// Checks the order-event topic against the outbox: every committed event is on the topic, each
/// order's events on one partition in sequence order, nothing missing; repeats (possible after a
/// crash between publish and mark-sent) are counted, and are exact copies.
struct OrderStreamVerifier {
    struct Result {
        var orders = 0
        var events = 0
        var duplicates = 0
    }

    static func verify(topic messages: [KafkaConsumerMessage], outbox: [OutboxRecord]) throws -> Result {
        var result = Result()
        var partitionOfOrder: [String: Int32] = [:]
        var seen: [String: [Int: OrderEvent]] = [:]
        var lastSequence: [String: Int] = [:]
        var traceOfOrder: [String: String] = [:]
        // Records of one partition arrive in offset order; check each order in that order.
        for message in messages.sorted(by: { ($0.topicPartition, $0.offset) < ($1.topicPartition, $1.offset) }) {
            let event = try OrderEventCodec.decode(message.value)
            #expect(message.keyString == event.orderID, "key is the order id")
            #expect(message.headers.last(named: "event-type")?.stringValue == event.type.rawValue)
            let trace = message.headers.last(named: "traceparent").flatMap { $0.stringValue.flatMap(TraceContext.init(traceparent:)) }
            #expect(trace != nil)
            #expect(
                trace?.traceID == traceOfOrder[event.orderID, default: trace?.traceID ?? ""],
                "\(event.orderID): one trace for all its events")
            traceOfOrder[event.orderID] = trace?.traceID
            let partition = partitionOfOrder[event.orderID, default: message.topicPartition.partition]
            #expect(partition == message.topicPartition.partition, "\(event.orderID) is on one partition")
            partitionOfOrder[event.orderID] = partition
            if let earlier = seen[event.orderID]?[event.sequence] {
                #expect(earlier == event, "a repeat is an exact copy")
                result.duplicates += 1
                continue
            }
            #expect(
                event.sequence == lastSequence[event.orderID, default: 0] + 1,
                "\(event.orderID): sequence \(event.sequence) follows \(lastSequence[event.orderID, default: 0])")
            lastSequence[event.orderID] = event.sequence
            seen[event.orderID, default: [:]][event.sequence] = event
        }
        let published = Set(seen.flatMap { order, events in events.keys.map { "\(order)#\($0)" } })
        let committed = Set(outbox.map { "\($0.orderId)#\($0.sequence)" })
        #expect(
            published == committed,
            "missing: \(committed.subtracting(published).sorted().prefix(5)), unexpected: \(published.subtracting(committed).sorted().prefix(5))"
        )
        #expect(outbox.allSatisfy { $0.sentAt != nil }, "every outbox row is marked sent")
        result.orders = seen.count
        result.events = published.count
        return result
    }
}
