public import Kafka
public import Logging

/// How to start one service process: its executable and its settings, rendered as the command
/// line its options parse (`arguments`). `fooddelivery up`, `scale` and `start`, the benchmarks and
/// the tests all start services through it; `ServiceLaunchTests` parses every rendering with the
/// service's own options, so a flag cannot drift from them.
public struct ServiceLaunch: Codable, Sendable, Equatable {
    /// What only `orders` takes.
    public struct Orders: Codable, Sendable, Equatable {
        public var rate: Double?
        public var speed: Double?
        public var seed: UInt64?
        public var maxOrders: Int?
        /// events, summary or quiet.
        public var output: String?
        public var partitions: Int?
        public var exitWhenPublished = false
        /// choreographed (restaurants and delivery decide) or simulated (orders plays them too).
        public var steps: String?
        public var profile: KafkaProfile?

        public init(
            rate: Double? = nil, speed: Double? = nil, seed: UInt64? = nil, maxOrders: Int? = nil, output: String? = nil,
            partitions: Int? = nil, exitWhenPublished: Bool = false, steps: String? = nil, profile: KafkaProfile? = nil
        ) {
            self.steps = steps
            self.profile = profile
            self.rate = rate
            self.speed = speed
            self.seed = seed
            self.maxOrders = maxOrders
            self.output = output
            self.partitions = partitions
            self.exitWhenPublished = exitWhenPublished
        }
    }

    /// What only the consumer services take.
    public struct Consumer: Codable, Sendable, Equatable {
        public var group: String?
        /// Static membership: a restarted instance gets its partitions back at once.
        public var instanceID: String?
        /// Base URLs of the service's instances (itself may be among them).
        public var peers: [String] = []
        public var profile: KafkaProfile?
        public var assignor: KafkaConsumerConfiguration.AssignmentStrategy?
        public var sessionTimeout: Int?
        public var fetchWaitMs: Int?
        /// For the services that decide (restaurants, delivery): their simulated clock and seed.
        public var speed: Double?
        public var seed: UInt64?

        public init(
            group: String? = nil, instanceID: String? = nil, peers: [String] = [], profile: KafkaProfile? = nil,
            assignor: KafkaConsumerConfiguration.AssignmentStrategy? = nil,
            sessionTimeout: Int? = nil, fetchWaitMs: Int? = nil, speed: Double? = nil, seed: UInt64? = nil
        ) {
            self.speed = speed
            self.seed = seed
            self.group = group
            self.instanceID = instanceID
            self.peers = peers
            self.profile = profile
            self.assignor = assignor
            self.sessionTimeout = sessionTimeout
            self.fetchWaitMs = fetchWaitMs
        }
    }

    /// The executable: orders, restaurants, delivery, support or analytics.
    public var service: String
    public var brokers: String?
    public var dataDir: String?
    public var topic: String?
    public var httpHost: String?
    /// 0: any free port.
    public var httpPort: Int?
    public var logLevel: Logger.Level?
    public var logFormat: ServiceLogging.Format?
    /// The service stops when this process is gone.
    public var supervisorPid: Int32?
    public var orders: Orders?
    public var consumer: Consumer?

    public init(
        service: String, brokers: String? = nil, dataDir: String? = nil, topic: String? = nil, httpHost: String? = nil,
        httpPort: Int? = nil, logLevel: Logger.Level? = nil, logFormat: ServiceLogging.Format? = nil, supervisorPid: Int32? = nil,
        orders: Orders? = nil, consumer: Consumer? = nil
    ) {
        self.service = service
        self.brokers = brokers
        self.dataDir = dataDir
        self.topic = topic
        self.httpHost = httpHost
        self.httpPort = httpPort
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.supervisorPid = supervisorPid
        self.orders = orders
        self.consumer = consumer
    }

    /// The command line, flag by flag.
    public var arguments: [String] {
        var arguments: [String] = []
        func add(_ flag: String, _ value: (any CustomStringConvertible)?) {
            if let value { arguments += [flag, value.description] }
        }
        add("--brokers", brokers)
        add("--data-dir", dataDir)
        add("--topic", topic)
        add("--http-host", httpHost)
        add("--http-port", httpPort)
        add("--log-level", logLevel?.rawValue)
        add("--log-format", logFormat?.rawValue)
        add("--supervisor-pid", supervisorPid)
        if let orders {
            add("--rate", orders.rate)
            add("--speed", orders.speed)
            add("--seed", orders.seed)
            add("--max-orders", orders.maxOrders)
            add("--output", orders.output)
            add("--partitions", orders.partitions)
            if orders.exitWhenPublished { arguments.append("--exit-when-published") }
            add("--steps", orders.steps)
            add("--kafka-profile", orders.profile?.rawValue)
        }
        if let consumer {
            add("--group", consumer.group)
            add("--instance-id", consumer.instanceID)
            for peer in consumer.peers { add("--peer", peer) }
            add("--kafka-profile", consumer.profile?.rawValue)
            add("--assignor", consumer.assignor?.rawValue)
            add("--session-timeout", consumer.sessionTimeout)
            add("--fetch-wait-ms", consumer.fetchWaitMs)
            add("--speed", consumer.speed)
            add("--seed", consumer.seed)
        }
        return arguments
    }
}
