import Foundation
public import Kafka
public import Logging
public import OrderEvents

/// Reading `order-stats` as its consumers should: `read_committed`, the latest record per key
/// (what compaction keeps), summed over partitions per region and minute.
public enum OrderStatsReader {
    /// The latest record of each key among `records` (in the order they were read).
    public static func latest(_ records: [KafkaConsumerMessage]) throws -> [OrderStats] {
        var latest: [String: OrderStats] = [:]
        let decoder = JSONDecoder()
        for record in records {
            let stats = try decoder.decode(OrderStats.self, from: Data(record.value))
            latest[stats.key] = stats
        }
        return latest.values.sorted { $0.key < $1.key }
    }

    /// Every region's minutes, from the whole of `topic` as it stands now.
    public static func totals(topic: String, configuration: KafkaConfiguration, logger: Logger) async throws -> [OrderStats.Totals] {
        OrderStats.totals(try latest(try await KafkaConsumer.readToEnd(topic: topic, configuration: configuration, logger: logger)))
    }
}
