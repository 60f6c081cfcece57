public import Kafka

extension KafkaConsumerConfiguration {
    /// Bounds what a projection consumer (the live runner and replays) reads ahead: 20,000 records
    /// or 16 MB. librdkafka's defaults (100,000 records, 64 MB) let a consumer that is far behind
    /// pull most of the backlog into memory while it applies ~100k events/s, and the process keeps
    /// that high-water mark: measured, a service that caught up on 100k events then held 90 MB of
    /// heap at steady state; with these bounds, 32–43 MB. Catch-up speed was unchanged (each batch
    /// is at most 5,000 records, so 20,000 ahead keeps the fetcher well in front).
    public mutating func boundPrefetchForProjection() {
        prefetchMessages = 20_000
        prefetchKilobytes = 16_384
    }
}
