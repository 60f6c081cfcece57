import Metrics
import Synchronization

/// What a projection reports through swift-metrics (Prometheus in the services), labelled with
/// its consumer group. Created once per runner: creating a metric asks the backend's registry.
final class ProjectionMetrics: Sendable {
    let group: String
    let applied: Counter
    let duplicates: Counter
    let deadLettered: Counter
    let retries: Counter
    let rebalances: Counter
    let batchSize: Recorder
    let applyLatency: Timer

    init(group: String) {
        self.group = group
        let dimensions = [("group", group)]
        applied = Counter(label: "projection_events_applied_total", dimensions: dimensions)
        duplicates = Counter(label: "projection_duplicates_skipped_total", dimensions: dimensions)
        deadLettered = Counter(label: "projection_dead_letters_total", dimensions: dimensions)
        retries = Counter(label: "projection_batch_retries_total", dimensions: dimensions)
        rebalances = Counter(label: "projection_rebalances_total", dimensions: dimensions)
        batchSize = Recorder(label: "projection_batch_size", dimensions: dimensions)
        applyLatency = Timer(label: "projection_apply_seconds", dimensions: dimensions, preferredDisplayUnit: .seconds)
    }

    /// Per-partition lag gauges, made once each: this runs after every batch, and creating a
    /// metric asks the backend's registry.
    private let lagGauges = Mutex<[Int32: Gauge]>([:])

    func lag(partition: Int32, _ value: Int64) {
        let gauge = lagGauges.withLock { gauges in
            if let gauge = gauges[partition] { return gauge }
            let gauge = Gauge(label: "projection_lag", dimensions: [("group", group), ("partition", String(partition))])
            gauges[partition] = gauge
            return gauge
        }
        gauge.record(value)
    }

    /// Drops the lag gauges of partitions this member no longer owns: their last value would
    /// otherwise stay exported beside the new owner's.
    func forgetLag(partitions: [Int32]) {
        let gone = lagGauges.withLock { gauges in partitions.compactMap { gauges.removeValue(forKey: $0) } }
        for gauge in gone { gauge.destroy() }
    }
}
