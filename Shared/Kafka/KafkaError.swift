internal import CRdKafka

/// The one error type of the Kafka layer.
///
/// `code` is extensible (a struct of static members, not a closed enum) so new failure kinds do
/// not break callers' `switch`es. `isRetriable` says whether the same call may succeed later
/// (broker down, queue full, timeout); `isFatal` says the client instance is unusable and must be
/// recreated (librdkafka's fatal errors, e.g. an idempotent producer's sequence gap).
public struct KafkaError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        fileprivate let name: String
        public var description: String { name }

        /// An error reported by librdkafka or the broker; `KafkaError.brokerCode` has the detail.
        public static let librdkafka = Code(name: "librdkafka")
        /// A configuration key or value was rejected.
        public static let configuration = Code(name: "configuration")
        /// The installed librdkafka is too old or otherwise unusable.
        public static let unsupportedLibrary = Code(name: "unsupportedLibrary")
        /// The client was closed or is closing.
        public static let closed = Code(name: "closed")
        /// A delivery report, admin result or other answer did not arrive in time.
        public static let timeout = Code(name: "timeout")
        /// The application's rebalance listener threw while partitions were being assigned.
        public static let rebalanceListener = Code(name: "rebalanceListener")
        /// A consumer position lies outside the partition's log (e.g. the broker lost its data).
        public static let offsetOutOfRange = Code(name: "offsetOutOfRange")
        /// The broker answered an admin request with an error for one resource.
        public static let admin = Code(name: "admin")
        /// The task waiting for an answer was cancelled.
        public static let cancelled = Code(name: "cancelled")
    }

    public let code: Code
    public let message: String
    /// librdkafka's `rd_kafka_resp_err_t` value, when the error came from librdkafka.
    public let brokerCode: Int32?
    /// librdkafka's short error name (e.g. `_TRANSPORT`, `UNKNOWN_TOPIC_OR_PART`).
    public let brokerCodeName: String?
    public let isRetriable: Bool
    public let isFatal: Bool
    /// A transactional call failed such that the transaction can only be aborted (then retried
    /// from its start with `abortTransaction()` and a new `beginTransaction()`).
    public let requiresAbort: Bool
    public let file: String
    public let line: UInt

    public init(
        _ code: Code, _ message: String, isRetriable: Bool = false, isFatal: Bool = false,
        file: String = #fileID, line: UInt = #line
    ) {
        self.code = code
        self.message = message
        self.brokerCode = nil
        self.brokerCodeName = nil
        self.isRetriable = isRetriable
        self.isFatal = isFatal
        self.requiresAbort = false
        self.file = file
        self.line = line
    }

    init(
        rdError: rd_kafka_resp_err_t, context: String, reason: String? = nil, isFatal: Bool = false,
        file: String = #fileID, line: UInt = #line
    ) {
        let name = String(cString: rd_kafka_err2name(rdError))
        let text = reason ?? String(cString: rd_kafka_err2str(rdError))
        self.code =
            rdError == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET || rdError == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE
            ? .offsetOutOfRange : .librdkafka
        self.message = "\(context): \(text)"
        self.brokerCode = rdError.rawValue
        self.brokerCodeName = name
        self.isRetriable = Self.retriable.contains(rdError)
        self.isFatal = isFatal || rdError == RD_KAFKA_RESP_ERR__FATAL
        self.requiresAbort = false
        self.file = file
        self.line = line
    }

    /// From a raw `rd_kafka_resp_err_t` value (for code that must not see the C module).
    init(rawCode: Int32, context: String) {
        self.init(rdError: rd_kafka_resp_err_t(rawValue: rawCode), context: context)
    }

    /// Takes ownership of (and destroys) an `rd_kafka_error_t`.
    init(consuming error: OpaquePointer, context: String, file: String = #fileID, line: UInt = #line) {
        let code = rd_kafka_error_code(error)
        let reason = String(cString: rd_kafka_error_string(error))
        let fatal = rd_kafka_error_is_fatal(error) != 0
        let retriable = rd_kafka_error_is_retriable(error) != 0
        let requiresAbort = rd_kafka_error_txn_requires_abort(error) != 0
        rd_kafka_error_destroy(error)
        self.init(rdError: code, context: context, reason: reason, isFatal: fatal, file: file, line: line)
        if (retriable && !self.isRetriable) || requiresAbort {
            self = KafkaError(copying: self, isRetriable: retriable || self.isRetriable, requiresAbort: requiresAbort)
        }
    }

    private init(copying other: KafkaError, isRetriable: Bool, requiresAbort: Bool) {
        self.code = other.code
        self.message = other.message
        self.brokerCode = other.brokerCode
        self.brokerCodeName = other.brokerCodeName
        self.isRetriable = isRetriable
        self.isFatal = other.isFatal
        self.requiresAbort = requiresAbort
        self.file = other.file
        self.line = other.line
    }

    public var description: String {
        var text = "KafkaError(\(code)"
        if let brokerCodeName { text += " \(brokerCodeName)" }
        text += "): \(message)"
        if isFatal {
            text += " [fatal: recreate the client]"
        } else if requiresAbort {
            text += " [abort the transaction]"
        } else if isRetriable {
            text += " [retriable]"
        }
        return text
    }

    private static let retriable: Set<rd_kafka_resp_err_t> = [
        RD_KAFKA_RESP_ERR__TRANSPORT, RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN, RD_KAFKA_RESP_ERR__TIMED_OUT,
        RD_KAFKA_RESP_ERR__QUEUE_FULL, RD_KAFKA_RESP_ERR__MSG_TIMED_OUT, RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE,
        RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
        RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
        RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND, RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE,
        RD_KAFKA_RESP_ERR_NOT_COORDINATOR, RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
        RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART,
    ]
}

extension rd_kafka_resp_err_t: @retroactive Hashable {}

/// Throws a `KafkaError` for a non-zero librdkafka result.
@inline(__always)
func check(_ result: rd_kafka_resp_err_t, _ context: @autoclosure () -> String, file: String = #fileID, line: UInt = #line)
    throws(KafkaError)
{
    if result != RD_KAFKA_RESP_ERR_NO_ERROR {
        throw KafkaError(rdError: result, context: context(), file: file, line: line)
    }
}

/// Throws for a non-nil `rd_kafka_error_t`, destroying it.
@inline(__always)
func check(_ error: OpaquePointer?, _ context: @autoclosure () -> String, file: String = #fileID, line: UInt = #line) throws(KafkaError) {
    if let error { throw KafkaError(consuming: error, context: context(), file: file, line: line) }
}
