import Foundation
import Hummingbird
import Logging
import ServiceRuntime
import Synchronization
import TestSupport

/// A stand-in OpenTelemetry collector: it takes OTLP/HTTP JSON trace exports (`POST /v1/traces`)
/// from the services under test and keeps their spans, with the service each came from.
final class OTLPTraceReceiver: Sendable {
    struct ReceivedSpan: Sendable, Hashable {
        var service: String
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var name: String
        /// OTLP's SpanKind: 2 server, 3 client, 4 producer, 5 consumer, 1 internal.
        var kind: Int
    }

    private let received = Mutex<[ReceivedSpan]>([])
    /// The port the kernel gave it, once it listens.
    private let boundPort = Mutex<Int?>(nil)

    /// What the services are given as `OTEL_EXPORTER_OTLP_ENDPOINT` and friends, once it listens.
    func environment() async throws -> [String: String] {
        try await eventually("the OTLP receiver listens", timeout: .seconds(10)) { boundPort.withLock { $0 } != nil }
        return [
            ServiceEnvironment.endpointVariable: "http://127.0.0.1:\(boundPort.withLock { $0 }!)",
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            // Export every 200 ms: the test waits for spans, not for the default batch delay.
            "OTEL_BSP_SCHEDULE_DELAY": "200",
        ]
    }

    var spans: [ReceivedSpan] { received.withLock { $0 } }

    /// Serves, on a port the kernel picks, until cancelled.
    func run() async throws {
        let router = Router()
        router.post("/v1/traces") { request, context -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            let spans = try Self.spans(in: Data(buffer: body))
            self.received.withLock { $0 += spans }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: "{}")))
        }
        var logger = Logger(label: "otlp-receiver")
        logger.logLevel = .critical  // its stop, by cancellation, is the expected end
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in self.boundPort.withLock { $0 = channel.localAddress?.port } }, logger: logger)
        try await app.runService()
    }

    // MARK: - OTLP JSON (opentelemetry-proto's ExportTraceServiceRequest)

    private struct Export: Decodable {
        var resourceSpans: [ResourceSpans]?
    }
    private struct ResourceSpans: Decodable {
        var resource: Resource?
        var scopeSpans: [ScopeSpans]?
    }
    private struct Resource: Decodable {
        var attributes: [Attribute]?
    }
    private struct Attribute: Decodable {
        struct Value: Decodable { var stringValue: String? }
        var key: String
        var value: Value
    }
    private struct ScopeSpans: Decodable {
        var spans: [Span]?
    }
    private struct Span: Decodable {
        var traceId: String
        var spanId: String
        var parentSpanId: String?
        var name: String
        var kind: Int?
    }

    static func spans(in body: Data) throws -> [ReceivedSpan] {
        try JSONDecoder().decode(Export.self, from: body).resourceSpans?.flatMap { resourceSpans in
            let service = resourceSpans.resource?.attributes?.first { $0.key == "service.name" }?.value.stringValue ?? "?"
            return (resourceSpans.scopeSpans ?? []).flatMap { $0.spans ?? [] }.map { span in
                ReceivedSpan(
                    service: service, traceID: hex(span.traceId), spanID: hex(span.spanId),
                    parentSpanID: span.parentSpanId.flatMap { $0.isEmpty ? nil : hex($0) }, name: span.name, kind: span.kind ?? 0)
            }
        } ?? []
    }

    /// OTLP's JSON spells ids in hex; protobuf's JSON mapping, which some exporters use, in base64.
    static func hex(_ id: String) -> String {
        if [16, 32].contains(id.count), id.allSatisfy(\.isHexDigit) { return id.lowercased() }
        guard let bytes = Data(base64Encoded: id) else { return id }
        return bytes.map { String(format: "%02x", $0) }.joined()
    }
}
