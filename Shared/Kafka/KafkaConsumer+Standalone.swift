import Foundation
public import Logging

extension KafkaConsumer {
    /// Runs `body` with a consumer outside any consumer group (a group id of its own, which it
    /// never joins: it reads partitions it is `assign`ed, commits nothing, and reports the end of
    /// each partition), and closes it afterwards, whether `body` returns or throws. For short
    /// looks at the log: a record's timestamp, a partition's log end.
    public static func withStandalone<T: Sendable>(
        configuration: KafkaConfiguration, logger: Logger, adjust: (inout KafkaConsumerConfiguration) -> Void = { _ in },
        _ body: (KafkaConsumer) async throws -> T
    ) async throws -> T {
        var settings = KafkaConsumerConfiguration(common: configuration, groupID: "standalone-\(UUID().uuidString.lowercased())")
        settings.partitionEOF = true
        adjust(&settings)
        let consumer = try KafkaConsumer.make(configuration: settings, logger: logger)
        do {
            let result = try await body(consumer)
            await consumer.close()
            return result
        } catch {
            await consumer.close()
            throw error
        }
    }
}
