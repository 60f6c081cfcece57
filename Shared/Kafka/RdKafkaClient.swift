internal import CRdKafka
import Foundation
import Logging
import Synchronization

/// The fence around librdkafka's `rd_kafka_t`.
///
/// Invariants:
/// - exactly one `rd_kafka_t` per instance, created by `make` and destroyed in `deinit`;
/// - `events` (which C callbacks reach through the opaque pointer) outlives the handle, because
///   this object holds it and destroys the handle first;
/// - no method here blocks for long; callers that block (poll, flush, close, admin waits) do it on
///   their own thread, never on Swift's cooperative pool.
final class RdKafkaClient: Sendable {
    enum Kind { case producer, consumer }

    nonisolated(unsafe) let handle: OpaquePointer
    let kind: Kind
    let events: ClientEvents

    private init(handle: OpaquePointer, kind: Kind, events: ClientEvents) {
        self.handle = handle
        self.kind = kind
        self.events = events
    }

    deinit {
        // A consumer leaves its group in `KafkaConsumer.close()`, on its own thread. Closing it
        // here instead would run the rebalance listener on whatever thread drops the last
        // reference (possibly one of Swift's cooperative threads, which must never block). A
        // consumer dropped without close() is evicted by its session timeout instead.
        let flags = kind == .consumer ? Int32(RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE) : 0
        rd_kafka_destroy_flags(handle, flags)
    }

    /// Creates a client from librdkafka properties. `configure` may install extra callbacks.
    static func make(
        kind: Kind, properties: [String: String], events: ClientEvents,
        configure: (OpaquePointer) -> Void = { _ in }
    ) throws(KafkaError) -> RdKafkaClient {
        try Librdkafka.requireSupportedVersion()
        let conf = rd_kafka_conf_new()!
        var errorText = [CChar](repeating: 0, count: 512)
        for (key, value) in properties.sorted(by: { $0.key < $1.key }) {
            if rd_kafka_conf_set(conf, key, value, &errorText, errorText.count) != RD_KAFKA_CONF_OK {
                rd_kafka_conf_destroy(conf)
                let reason = String(nulTerminated: errorText)
                throw KafkaError(.configuration, "librdkafka rejected \(key)=\(key.contains("password") ? "***" : value): \(reason)")
            }
        }
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(events).toOpaque())
        rd_kafka_conf_set_error_cb(conf, errorCallback)
        rd_kafka_conf_set_log_cb(conf, logCallback)
        rd_kafka_conf_set_stats_cb(conf, statisticsCallback)
        configure(conf)
        // On success rd_kafka_new takes ownership of conf; on failure it is still ours.
        guard let handle = rd_kafka_new(kind == .producer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER, conf, &errorText, errorText.count) else {
            rd_kafka_conf_destroy(conf)
            throw KafkaError(.configuration, "could not create a Kafka client: \(String(nulTerminated: errorText))")
        }
        return RdKafkaClient(handle: handle, kind: kind, events: events)
    }

    /// The fatal error librdkafka recorded for this client, if any.
    func fatalError() -> KafkaError? {
        var text = [CChar](repeating: 0, count: 512)
        let code = rd_kafka_fatal_error(handle, &text, text.count)
        guard code != RD_KAFKA_RESP_ERR_NO_ERROR else { return nil }
        return KafkaError(rdError: code, context: "fatal client error", reason: String(nulTerminated: text), isFatal: true)
    }

    /// Brokers and topics (all topics, or just `topic`). The answer also refreshes this client's
    /// own metadata cache (partition leaders).
    func metadata(topic: String?, timeout: Duration) async throws(KafkaError) -> ClusterMetadata {
        let timeoutMs = Int32(clamping: timeout.milliseconds)
        return try await Blocking.run { [self] () throws(KafkaError) -> ClusterMetadata in
            var topicHandle: OpaquePointer?
            if let topic { topicHandle = rd_kafka_topic_new(handle, topic, nil) }
            defer { if let topicHandle { rd_kafka_topic_destroy(topicHandle) } }
            var metadata: UnsafePointer<rd_kafka_metadata>?
            try check(rd_kafka_metadata(handle, topic == nil ? 1 : 0, topicHandle, &metadata, timeoutMs), "metadata request")
            defer { rd_kafka_metadata_destroy(metadata) }
            return ClusterMetadata(metadata!.pointee)
        }
    }

    var name: String { String(cString: rd_kafka_name(handle)) }
}

extension ClientEvents {
    static func from(_ opaque: UnsafeMutableRawPointer?) -> ClientEvents? {
        opaque.map { Unmanaged<ClientEvents>.fromOpaque($0).takeUnretainedValue() }
    }
}

// C callbacks capture nothing; they find their client's `ClientEvents` through the opaque.

private let errorCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafeMutableRawPointer?) -> Void = {
    rk, code, reason, opaque in
    guard let events = ClientEvents.from(opaque), let rk else { return }
    let error = rd_kafka_resp_err_t(rawValue: code)
    var kafkaError = KafkaError(rdError: error, context: "client error", reason: reason.map { String(cString: $0) })
    if error == RD_KAFKA_RESP_ERR__FATAL {
        var text = [CChar](repeating: 0, count: 512)
        let underlying = rd_kafka_fatal_error(rk, &text, text.count)
        kafkaError = KafkaError(rdError: underlying, context: "fatal client error", reason: String(nulTerminated: text), isFatal: true)
    }
    events.record(kafkaError)
}

private let logCallback: @convention(c) (OpaquePointer?, Int32, UnsafePointer<CChar>?, UnsafePointer<CChar>?) -> Void = {
    rk, level, facility, message in
    guard let rk, let events = ClientEvents.from(rd_kafka_opaque(rk)) else { return }
    events.log(syslogLevel: level, facility: facility.map { String(cString: $0) } ?? "", message: message.map { String(cString: $0) } ?? "")
}

private let statisticsCallback: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int, UnsafeMutableRawPointer?) -> Int32 = {
    _, json, length, opaque in
    guard let events = ClientEvents.from(opaque), let json else { return 0 }
    events.recordStatistics(json: Data(bytes: json, count: length))
    return 0  // librdkafka frees the buffer
}

extension String {
    /// Reads a NUL-terminated C string out of a buffer librdkafka wrote into.
    init(nulTerminated buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self.init(decoding: bytes, as: UTF8.self)
    }
}
