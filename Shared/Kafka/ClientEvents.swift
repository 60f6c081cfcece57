import Foundation
import Logging
import Synchronization

/// What librdkafka tells a client outside of its return values: errors, logs and statistics.
///
/// None of it is swallowed: every error is logged, counted in `kafka_client_errors_total` and kept
/// as `lastError`; a fatal error is kept as `fatalError` and makes the client's calls throw.
final class ClientEvents: Sendable {
    let logger: Logger
    let metrics: KafkaMetrics
    /// Set for consumers: the rebalance callback's target.
    let rebalance: RebalanceCoordinator?
    /// Set for producers: where reports of `enqueue`d records go.
    let deliveryReports: AsyncStream<DeliveryReport>.Continuation?
    private let state = Mutex(State())

    private struct State {
        var lastError: KafkaError?
        var fatalError: KafkaError?
        var statistics: KafkaStatistics?
    }

    init(
        logger: Logger, metrics: KafkaMetrics, rebalance: RebalanceCoordinator? = nil,
        deliveryReports: AsyncStream<DeliveryReport>.Continuation? = nil
    ) {
        self.logger = logger
        self.metrics = metrics
        self.rebalance = rebalance
        self.deliveryReports = deliveryReports
    }

    var lastError: KafkaError? { state.withLock { $0.lastError } }
    var fatalError: KafkaError? { state.withLock { $0.fatalError } }
    var statistics: KafkaStatistics? { state.withLock { $0.statistics } }

    func record(_ error: KafkaError) {
        state.withLock {
            $0.lastError = error
            if error.isFatal && $0.fatalError == nil { $0.fatalError = error }
        }
        metrics.recordError(error)
        if error.isFatal {
            logger.critical("\(error)")
        } else if error.isRetriable {
            // Broker down, connection refused: librdkafka reconnects by itself.
            logger.warning("\(error)")
        } else {
            logger.error("\(error)")
        }
    }

    func log(syslogLevel: Int32, facility: String, message: String) {
        let level: Logger.Level =
            switch syslogLevel {
            case ...2: .critical
            case 3: .error
            case 4: .warning
            case 5, 6: .info
            default: .debug
            }
        logger.log(level: level, "\(message)", metadata: ["librdkafka.facility": "\(facility)"])
    }

    func recordStatistics(json: Data) {
        do {
            let statistics = try JSONDecoder().decode(KafkaStatistics.self, from: json)
            state.withLock { $0.statistics = statistics }
            metrics.record(statistics)
        } catch {
            logger.warning("could not decode librdkafka statistics: \(error)")
        }
    }
}
