public import ArgumentParser
import Contract
public import Logging
public import ServiceRuntime

/// The command line every consumer service shares (restaurants, delivery, support, analytics).
public struct ProjectionServiceOptions: ParsableArguments {
    @OptionGroup public var connection: KafkaConnectionOptions
    @Option(help: "Directory of the service's SQLite database. Default: .fooddelivery/<group>.") public var dataDir: String?
    @Option(help: "The order-event topic (dead letters go to <topic>.dlq).") public var topic = Topics.orderEvents
    @Option(help: "Consumer group (and projection) name. Default: the service's name.") public var group: String?
    @Option(help: "Static group membership id: a restarted instance gets its partitions back at once.") public var instanceID: String?
    @Option(help: "Partition assignor: range (local broker), roundrobin or cooperative-sticky (Apache Kafka).") public var assignor =
        "range"
    @Option(help: "Consumer session timeout in seconds (6 suits the local broker; Kafka's default is 45).") public var sessionTimeout = 6
    @Option(
        help:
            "Longest a broker may hold an empty fetch, in ms (10 suits the local broker, which holds it all that time; Kafka answers at once when records arrive, so 500 is fine there)."
    )
    public var fetchWaitMs = 10
    @Option(help: "Address the HTTP API listens on.") public var httpHost = "127.0.0.1"
    @Option(help: "Port of the HTTP API (0: any free port). Default: the service's own port.") public var httpPort: Int?
    @Option(
        name: .customLong("peer"),
        help: "Base URL of an instance of this service (repeat; listing itself is fine); queries are routed across instances.")
    public var peers: [String] = []
    @Option(help: "Log level.") public var logLevel: Logger.Level = .info
    @Option(help: "Stop when this process is gone (`fooddelivery up` sets it).") public var supervisorPid: Int32?

    public init() {}
}
