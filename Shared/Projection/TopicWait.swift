import Kafka
import Logging

/// A consumer subscribed to a topic that does not exist yet only sees it at its next metadata
/// refresh (minutes, by default): the runners wait until their topics are there, then subscribe.
enum TopicWait {
    /// Returns once every topic of `topics` exists with partitions; `whoCreates` goes into the
    /// log line that says what it waits for.
    static func untilTopicsExist(_ topics: [String], configuration: KafkaConfiguration, logger: Logger, whoCreates: String) async throws {
        let admin = try KafkaAdmin.make(configuration: configuration, logger: logger, requestTimeout: .seconds(5))
        var waiting = false
        for topic in topics {
            while true {
                if let found = try? await admin.metadata(topic: topic, timeout: .seconds(5)).topic(topic), found.error == nil,
                    !found.partitions.isEmpty
                {
                    break
                }
                if !waiting { logger.notice("waiting for topic \(topic) to exist (\(whoCreates))") }
                waiting = true
                try await Task.sleep(for: .seconds(1))
            }
        }
        if waiting { logger.notice("\(topics.joined(separator: ", ")) exist\(topics.count == 1 ? "s" : "") now; subscribing") }
    }
}
