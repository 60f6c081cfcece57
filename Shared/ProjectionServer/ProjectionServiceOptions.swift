public import ArgumentParser
import Contract
public import Foundation
public import Kafka
public import Logging
import Projection
public import ServiceRuntime

/// The command line every consumer service shares (restaurants, delivery, support, analytics).
public struct ProjectionServiceOptions: ParsableArguments {
    @OptionGroup public var connection: KafkaConnectionOptions
    @Option(help: "Directory of the service's SQLite database. Default: .fooddelivery/<group>.") public var dataDir: String?
    @Option(help: "The order-event topic (dead letters go to \(Topics.deadLetters(of: "<topic>"))).") public var topic = Topics.orderEvents
    @Option(help: "Consumer group (and projection name). Default: the service's name.") public var group: String?
    @Option(help: "Static group membership id: a restarted instance gets its partitions back at once.") public var instanceID: String?
    @Option(
        help:
            "Client settings tuned for: kafka (Kafka's defaults: cooperative-sticky, 45 s session, 500 ms fetch wait) or local (the local Tansu broker: range, 6 s, 10 ms). The flags below override either."
    )
    public var kafkaProfile: KafkaProfile = .kafka
    @Option(help: "Partition assignor: range, roundrobin or cooperative-sticky. Default: the profile's.") public var assignor: String?
    @Option(help: "Consumer session timeout in seconds, 1…300. Default: the profile's.") public var sessionTimeout: Int?
    @Option(
        help:
            "Longest a broker may hold an empty fetch, in ms, 1…5000 (Kafka answers at once when records arrive; the local broker holds it all that time). Default: the profile's."
    )
    public var fetchWaitMs: Int?
    @Option(help: "Bearer token that POST /replay requires (unset: open). Queries stay open.") public var operatorToken: String?
    @Option(help: "File holding that token instead (a mounted secret).") public var operatorTokenFile: String?
    @Option(help: "Address the HTTP API listens on.") public var httpHost = "127.0.0.1"
    @Option(help: "Port of the HTTP API (0: any free port). Default: the service's own port.") public var httpPort: Int?
    @Option(
        name: .customLong("peer"),
        help: "Base URL of an instance of this service (repeat; listing itself is fine); queries are routed across instances.")
    public var peers: [String] = []
    @Option(help: "Simulated seconds per real second, for the services that decide (restaurants, delivery).") public var speed: Double = 1
    @Option(help: "Random seed of their decisions: the same seed decides the same way again.") public var seed: UInt64 = 1
    @Option(help: "Publish what the service publishes besides its read model (analytics: order-stats, in Kafka transactions).")
    public var publishStats = true
    @Option(help: "Log level.") public var logLevel: Logger.Level = .info
    @Option(help: "Log records as text, or as one JSON object per line (for log collectors).")
    public var logFormat: ServiceLogging.Format = .text
    @Option(help: "Stop when this process is gone (`fooddelivery up` sets it).") public var supervisorPid: Int32?

    public init() {}

    public func validate() throws {
        guard speed > 0 else { throw ValidationError("--speed must be positive") }
        if let assignor, KafkaConsumerConfiguration.AssignmentStrategy(rawValue: assignor) == nil {
            throw ValidationError("--assignor must be range, roundrobin or cooperative-sticky")
        }
        if let sessionTimeout, !(1...300).contains(sessionTimeout) { throw ValidationError("--session-timeout must be 1…300 seconds") }
        if let fetchWaitMs, !(1...5_000).contains(fetchWaitMs) { throw ValidationError("--fetch-wait-ms must be 1…5000") }
        _ = try peerURLs()
    }

    /// `--peer`s as URLs; a malformed one fails with what to give.
    public func peerURLs() throws -> [URL] {
        try peers.map { text in
            guard let url = URL(string: text), ["http", "dns+http"].contains(url.scheme ?? ""), url.host != nil else {
                throw ValidationError(
                    "--peer \(text): give an instance's base URL, like http://127.0.0.1:8085, or dns+http://<headless service>:<port> for every address of a name"
                )
            }
            return url
        }
    }

    /// The group consumer's settings: the profile's, then the flags given.
    public func consumerConfiguration(common: KafkaConfiguration, group: String) -> KafkaConsumerConfiguration {
        var consumer = kafkaProfile.consumerConfiguration(common: common, group: group)
        if let assignor, let strategy = KafkaConsumerConfiguration.AssignmentStrategy(rawValue: assignor) {
            consumer.assignmentStrategy = strategy
        }
        if let sessionTimeout {
            consumer.sessionTimeout = .seconds(sessionTimeout)
            consumer.heartbeatInterval = .milliseconds(max(sessionTimeout * 1000 / 6, 500))
        }
        if let fetchWaitMs { consumer.fetchWaitMax = .milliseconds(fetchWaitMs) }
        consumer.groupInstanceID = instanceID
        consumer.boundPrefetchForProjection()
        return consumer
    }
}
