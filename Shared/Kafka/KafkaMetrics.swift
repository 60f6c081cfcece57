import Metrics
import Synchronization

/// Metrics the Kafka layer emits through swift-metrics (exported by whatever backend the
/// executable bootstraps, Prometheus in this system). Per-record counters are created once per
/// topic and cached: creating a metric asks the backend's registry, too slow for every record.
final class KafkaMetrics: Sendable {
    let clientLabel: String
    private let deliveryCounters = Mutex<[String: (delivered: Counter, failed: Counter)]>([:])
    private let consumedCounter: Counter

    init(clientID: String) {
        clientLabel = clientID
        consumedCounter = Counter(label: "kafka_messages_consumed_total", dimensions: [("client", clientID)])
    }

    func recordError(_ error: KafkaError) {
        Counter(
            label: "kafka_client_errors_total",
            dimensions: [
                ("client", clientLabel), ("code", error.brokerCodeName ?? error.code.description), ("fatal", String(error.isFatal)),
            ]
        ).increment()
    }

    func produced(topic: String, ok: Bool) {
        let counters = deliveryCounters.withLock { cache in
            if let counters = cache[topic] { return counters }
            let dimensions = [("client", clientLabel), ("topic", topic)]
            let counters = (
                delivered: Counter(label: "kafka_messages_delivered_total", dimensions: dimensions),
                failed: Counter(label: "kafka_delivery_failures_total", dimensions: dimensions)
            )
            cache[topic] = counters
            return counters
        }
        (ok ? counters.delivered : counters.failed).increment()
    }

    func consumed(_ count: Int) {
        if count > 0 { consumedCounter.increment(by: count) }
    }

    func rebalance(_ kind: String) {
        Counter(label: "kafka_rebalances_total", dimensions: [("client", clientLabel), ("kind", kind)]).increment()
    }

    func record(_ statistics: KafkaStatistics) {
        if let queued = statistics.queuedMessages {
            Gauge(label: "kafka_client_queued_messages", dimensions: [("client", clientLabel)]).record(queued)
        }
        for (tp, partition) in statistics.partitions {
            let dimensions = [("client", clientLabel), ("topic", tp.topic), ("partition", String(tp.partition))]
            // librdkafka reports -1 for "unknown"; lag is clamped at 0 (a stored offset can briefly
            // run ahead of a cached high watermark).
            if let lag = partition.consumerLag, lag >= 0 {
                Gauge(label: "kafka_consumer_lag", dimensions: dimensions).record(lag)
            }
            if let high = partition.highWatermark, high >= 0 {
                Gauge(label: "kafka_partition_high_watermark", dimensions: dimensions).record(high)
            }
        }
    }
}
