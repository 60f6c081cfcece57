public import Kafka
import Tracing

/// The spans of one consumed batch. Per record: `process <topic>` (kind consumer), a child of
/// the publisher's span named in the record's `traceparent`, and under it the step that takes the
/// record (`apply <read model>`, `decide <service>`). The batch is applied in one transaction, so
/// every record's spans end together, when it commits (or fails). Empty when no tracer is
/// bootstrapped.
public struct ConsumedBatchSpans: Sendable {
    private struct RecordSpans: Sendable {
        var process: any Span
        var step: any Span
    }

    private let spans: [TopicPartitionOffsetKey: RecordSpans]

    private struct TopicPartitionOffsetKey: Hashable, Sendable {
        var topic: String
        var partition: Int32
        var offset: Int64
    }

    /// Starts the spans of `messages`, consumed by `group`; `step` names what is done with each.
    public init(_ messages: [KafkaConsumerMessage], group: String, step: String) {
        guard MessageTracer.isTracing else {
            spans = [:]
            return
        }
        var spans: [TopicPartitionOffsetKey: RecordSpans] = [:]
        spans.reserveCapacity(messages.count)
        for message in messages {
            let topic = message.topicPartition.topic
            let process = startSpan("process \(topic)", context: MessageTracer.context(of: message.headers), ofKind: .consumer)
            process.updateAttributes { attributes in
                attributes["messaging.system"] = "kafka"
                attributes["messaging.operation.type"] = "process"
                attributes["messaging.destination.name"] = topic
                attributes["messaging.consumer.group.name"] = group
                attributes["messaging.destination.partition.id"] = String(message.topicPartition.partition)
                attributes["messaging.kafka.offset"] = message.offset
                attributes["messaging.batch.message_count"] = messages.count
                if let key = message.key { attributes["messaging.kafka.message.key"] = String(decoding: key, as: UTF8.self) }
            }
            let key = TopicPartitionOffsetKey(topic: topic, partition: message.topicPartition.partition, offset: message.offset)
            spans[key] = RecordSpans(process: process, step: startSpan(step, context: process.context))
        }
        self.spans = spans
    }

    /// Takes a batch (`take`, its transaction) under its spans, and ends them when it commits or
    /// fails.
    public static func around<T>(
        _ messages: [KafkaConsumerMessage], group: String, step: String, _ take: (ConsumedBatchSpans) async throws -> T
    ) async throws -> T {
        let spans = ConsumedBatchSpans(messages, group: group, step: step)
        do {
            let result = try await take(spans)
            spans.end()
            return result
        } catch {
            spans.end(error: error)
            throw error
        }
    }

    /// The W3C `traceparent` of the step taking `message`: what the messages it causes continue.
    public func traceparent(for message: KafkaConsumerMessage) -> String? {
        spans[Self.key(message)].flatMap { MessageTracer.traceparent(of: $0.step.context) }
    }

    /// Marks `message` as not taken: dead-lettered, with why.
    public func deadLettered(_ message: KafkaConsumerMessage, reason: String) {
        guard let record = spans[Self.key(message)] else { return }
        record.process.updateAttributes { $0["fooddelivery.dead_lettered"] = true }
        record.process.setStatus(SpanStatus(code: .error, message: reason))
    }

    /// Ends every span: when the batch's transaction committed, or with the error it failed with
    /// (the batch is then retried under new spans).
    public func end(error: (any Error)? = nil) {
        for record in spans.values {
            if let error {
                record.step.recordError(error)
                record.step.setStatus(SpanStatus(code: .error, message: "\(error)"))
            }
            record.step.end()
            record.process.end()
        }
    }

    private static func key(_ message: KafkaConsumerMessage) -> TopicPartitionOffsetKey {
        TopicPartitionOffsetKey(topic: message.topicPartition.topic, partition: message.topicPartition.partition, offset: message.offset)
    }
}
