public import Kafka
public import OrderEvents

/// Decodes a batch's records on every core: JSON decoding is most of a projection's CPU time
/// when it catches up, and records decode independently. Results keep the records' order.
public enum BatchDecoder {
    public static func decode(_ messages: [KafkaConsumerMessage]) async -> [Result<OrderEvent, OrderEventDecodingError>] {
        let chunk = 500
        guard messages.count > chunk else {
            return messages.map { message in Result { () throws(OrderEventDecodingError) in try OrderEventCodec.decode(message.value) } }
        }
        return await withTaskGroup(of: (Int, [Result<OrderEvent, OrderEventDecodingError>]).self) { group in
            for start in stride(from: 0, to: messages.count, by: chunk) {
                let slice = messages[start..<min(start + chunk, messages.count)]
                group.addTask {
                    (
                        start,
                        slice.map { message in Result { () throws(OrderEventDecodingError) in try OrderEventCodec.decode(message.value) } }
                    )
                }
            }
            var parts: [(Int, [Result<OrderEvent, OrderEventDecodingError>])] = []
            for await part in group { parts.append(part) }
            return parts.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}
