import Contract
public import Kafka
public import Tracing

/// Spans for what crosses Kafka, named and attributed as OpenTelemetry's messaging conventions
/// say (`publish <topic>`, `process <topic>`, `messaging.*`). They go to the process's tracer;
/// with none bootstrapped (no OTLP endpoint configured) nothing is started at all, and records
/// keep the `traceparent` they were given.
public enum MessageTracer {
    /// Whether a tracer is bootstrapped. Read once per batch, not per record.
    public static var isTracing: Bool { !(InstrumentationSystem.tracer is NoOpTracer) }

    /// The trace context a record's headers carry (the publisher's span), as a parent.
    public static func context(of headers: [KafkaHeader]) -> InstrumentationContext {
        var context = InstrumentationContext.topLevel
        InstrumentationSystem.instrument.extract(headers, into: &context, using: KafkaHeaderExtractor())
        return context
    }

    /// A span's context as a W3C `traceparent` (nil when no tracer is bootstrapped).
    public static func traceparent(of context: InstrumentationContext) -> String? {
        var headers: [KafkaHeader] = []
        InstrumentationSystem.instrument.inject(context, into: &headers, using: KafkaHeaderInjector())
        return KafkaHeaderExtractor().extract(key: EventHeaders.traceparent, from: headers)
    }

    /// The current task's span (an HTTP request's, say) as a W3C `traceparent`, if there is one.
    public static var currentTraceparent: String? {
        guard isTracing, let context = InstrumentationContext.current else { return nil }
        return traceparent(of: context)
    }

    /// Starts a span for a step taken outside any request or record (a simulated customer's), as
    /// a child of `traceparent`'s span, or of nothing: the root of a new trace. Nil when no tracer
    /// is bootstrapped.
    public static func startStep(_ name: String, continuing traceparent: String?, orderID: String) -> StepSpan? {
        guard isTracing else { return nil }
        let parent = traceparent.map { context(of: [KafkaHeader(key: EventHeaders.traceparent, string: $0)]) } ?? .topLevel
        let span = startSpan(name, context: parent)
        span.updateAttributes { $0["fooddelivery.order.id"] = orderID }
        return StepSpan(span: span)
    }

    /// Starts `publish <topic>` as a child of the trace in `message`'s headers and puts the new
    /// span's context in its place, so consumers continue from this span. End it with `published`
    /// when the delivery report arrives.
    public static func startPublishing(_ message: inout KafkaProducerMessage) -> any Span {
        let span = startSpan("publish \(message.topic)", context: context(of: message.headers), ofKind: .producer)
        span.updateAttributes { attributes in
            attributes["messaging.system"] = "kafka"
            attributes["messaging.operation.type"] = "send"
            attributes["messaging.destination.name"] = message.topic
            if let key = message.key { attributes["messaging.kafka.message.key"] = String(decoding: key, as: UTF8.self) }
        }
        InstrumentationSystem.instrument.inject(span.context, into: &message.headers, using: KafkaHeaderInjector())
        return span
    }

    /// Ends a span with the error that stopped what it measured.
    public static func failed(_ span: any Span, _ error: any Error) {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error, message: "\(error)"))
        span.end()
    }

    /// Ends a `publish` span with where the record landed, or with the error that stopped it.
    public static func published(_ span: any Span, report: DeliveryReport) {
        if let error = report.error { return failed(span, error) }
        span.updateAttributes { attributes in
            attributes["messaging.destination.partition.id"] = String(report.topicPartition.partition)
            if let offset = report.offset { attributes["messaging.kafka.offset"] = Int64(offset) }
        }
        span.end()
    }
}
