import Tracing

/// A step's span (`MessageTracer.startStep`): what the step writes continues its `traceparent`;
/// `end()` it when the step is done.
public struct StepSpan: Sendable {
    let span: any Span

    public var traceparent: String? { MessageTracer.traceparent(of: span.context) }

    public func end() { span.end() }
}
