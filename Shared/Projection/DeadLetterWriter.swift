import Contract
import Kafka
import Logging
import OrderEvents

/// Sends the records a consumer cannot read or apply to the dead-letter topic of the topic they
/// came from, with where they came from and why in `DeadLetterHeaders`, and waits for the broker's
/// acknowledgement: their offsets are stored afterwards, so they must be safe first.
struct DeadLetterWriter: Sendable {
    let producer: KafkaProducer
    let group: String
    let logger: Logger

    func send(_ records: [(KafkaConsumerMessage, String)]) async throws {
        for (message, reason) in records {
            let trace = message.headers.last(named: EventHeaders.traceparent)?.stringValue.flatMap(TraceContext.init(traceparent:))
            logger.warning(
                "dead-lettering \(message.topicPartition)@\(message.offset): \(reason)",
                metadata: trace.map { ["trace_id": .string($0.traceID), "span_id": .string($0.spanID)] })
            let headers =
                message.headers + [
                    KafkaHeader(key: DeadLetterHeaders.originalTopic, string: message.topicPartition.topic),
                    KafkaHeader(key: DeadLetterHeaders.originalPartition, string: String(message.topicPartition.partition)),
                    KafkaHeader(key: DeadLetterHeaders.originalOffset, string: String(message.offset)),
                    KafkaHeader(key: DeadLetterHeaders.consumerGroup, string: group),
                    KafkaHeader(key: DeadLetterHeaders.error, string: reason),
                ]
            try await producer.send(
                KafkaProducerMessage(
                    topic: Topics.deadLetters(of: message.topicPartition.topic), key: message.key, value: message.value, headers: headers))
        }
    }
}
