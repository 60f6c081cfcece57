import Testing

@testable import Kafka

@Suite("Configuration → librdkafka properties")
struct ConfigurationTests {
    let common = KafkaConfiguration(bootstrapServers: ["a:9092", "b:9093"], clientID: "orders")

    @Test("Producer defaults are idempotent, acks=all, murmur2, no topic auto-creation")
    func producerDefaults() {
        let properties = KafkaProducerConfiguration(common: common).librdkafkaProperties()
        #expect(properties["bootstrap.servers"] == "a:9092,b:9093")
        #expect(properties["client.id"] == "orders")
        #expect(properties["enable.idempotence"] == "true")
        #expect(properties["acks"] == "all")
        #expect(properties["partitioner"] == "murmur2_random")
        #expect(properties["allow.auto.create.topics"] == "false")
        #expect(properties["security.protocol"] == "plaintext")
        #expect(properties["statistics.interval.ms"] == "5000")
    }

    @Test("acks maps to 0, 1 or all; an idempotent producer with anything but acks=all is refused with the fix")
    func acksSetting() throws {
        var configuration = KafkaProducerConfiguration(common: common, idempotent: false)
        for (acks, value) in [(KafkaProducerConfiguration.Acks.unacknowledged, "0"), (.leader, "1"), (.all, "all")] {
            configuration.acks = acks
            #expect(configuration.librdkafkaProperties()["acks"] == value)
            #expect(configuration.librdkafkaProperties()["enable.idempotence"] == "false")
        }
        configuration.idempotent = true
        configuration.acks = .leader
        let error = #expect(throws: KafkaError.self) { try configuration.validate() }
        #expect(error?.code == .configuration)
        #expect(error?.message.contains("set acks to .all or idempotent to false") == true)
    }

    @Test("Consumer defaults never store or commit behind the application's back")
    func consumerDefaults() {
        let properties = KafkaConsumerConfiguration(common: common, groupID: "restaurants").librdkafkaProperties()
        #expect(properties["group.id"] == "restaurants")
        #expect(properties["enable.auto.commit"] == "false")
        #expect(properties["enable.auto.offset.store"] == "false")
        #expect(properties["auto.offset.reset"] == "error")
        #expect(properties["partition.assignment.strategy"] == "cooperative-sticky")
        #expect(properties["group.instance.id"] == nil)
    }

    @Test("Local-broker consumer settings follow docs/LOCAL-BROKER.md: range, 6 s session, 1 s heartbeat, 10 ms fetch wait")
    func localBrokerSettings() {
        let properties = KafkaConsumerConfiguration.localBroker(common: common, groupID: "g").librdkafkaProperties()
        #expect(properties["partition.assignment.strategy"] == "range")
        #expect(properties["session.timeout.ms"] == "6000")
        #expect(properties["heartbeat.interval.ms"] == "1000")
        #expect(properties["fetch.wait.max.ms"] == "10")
        #expect(
            KafkaConsumerConfiguration(common: common, groupID: "g").librdkafkaProperties()["fetch.wait.max.ms"] == "500",
            "librdkafka's default elsewhere")
    }

    @Test("Overrides win over typed fields")
    func overridesWin() {
        var configuration = common
        configuration.overrides = ["acks": "1", "socket.timeout.ms": "1234"]
        let properties = KafkaProducerConfiguration(common: configuration).librdkafkaProperties()
        #expect(properties["acks"] == "1")
        #expect(properties["socket.timeout.ms"] == "1234")
    }

    @Test(
        "Security maps to security.protocol, SASL and TLS keys",
        arguments: [
            (KafkaConfiguration.Security(), "plaintext"),
            (.init(tls: .init(caLocation: "/ca.pem")), "ssl"),
            (.init(sasl: .init(mechanism: .scramSHA512, username: "u", password: "p")), "sasl_plaintext"),
            (.init(sasl: .init(mechanism: .scramSHA256, username: "u", password: "p"), tls: .init()), "sasl_ssl"),
        ])
    func security(_ security: KafkaConfiguration.Security, expected: String) {
        var configuration = common
        configuration.security = security
        let properties = configuration.librdkafkaProperties()
        #expect(properties["security.protocol"] == expected)
        if let sasl = security.sasl {
            #expect(properties["sasl.mechanisms"] == sasl.mechanism.rawValue)
            #expect(properties["sasl.username"] == "u")
        }
        if security.tls?.caLocation != nil { #expect(properties["ssl.ca.location"] == "/ca.pem") }
    }

    @Test("Durations become whole milliseconds")
    func durations() {
        #expect(Duration.milliseconds(1500).milliseconds == 1500)
        #expect(Duration.seconds(45).milliseconds == 45_000)
        #expect(Duration.microseconds(2500).milliseconds == 2)
    }
}

@Suite("Environment configuration")
struct EnvironmentConfigurationTests {
    @Test("No KAFKA_BOOTSTRAP_SERVERS: nil, so the caller can start the local broker")
    func unset() throws {
        #expect(try KafkaConfiguration.fromEnvironment([:], clientID: "x") == nil)
    }

    @Test("Servers, SASL, TLS and raw overrides are read")
    func full() throws {
        let configuration = try #require(
            try KafkaConfiguration.fromEnvironment(
                [
                    "KAFKA_BOOTSTRAP_SERVERS": "k1:9092, k2:9092",
                    "KAFKA_SASL_MECHANISM": "scram-sha-512", "KAFKA_SASL_USERNAME": "svc", "KAFKA_SASL_PASSWORD": "secret",
                    "KAFKA_TLS_CA_LOCATION": "/etc/ca.pem", "KAFKA_OVERRIDE_SOCKET_TIMEOUT_MS": "10000",
                ], clientID: "delivery"))
        #expect(configuration.bootstrapServers == ["k1:9092", "k2:9092"])
        #expect(configuration.clientID == "delivery")
        #expect(configuration.security.sasl == .init(mechanism: .scramSHA512, username: "svc", password: "secret"))
        #expect(configuration.security.tls?.caLocation == "/etc/ca.pem")
        #expect(configuration.security.securityProtocol == "sasl_ssl")
        #expect(configuration.overrides["socket.timeout.ms"] == "10000")
    }

    @Test(
        "Broken settings fail with a message that names the variable and the fix",
        arguments: [
            (["KAFKA_BOOTSTRAP_SERVERS": "localhost"], "host:port"),
            (["KAFKA_BOOTSTRAP_SERVERS": "localhost:99999"], "host:port"),
            (["KAFKA_BOOTSTRAP_SERVERS": " , "], "KAFKA_BOOTSTRAP_SERVERS"),
            (["KAFKA_BOOTSTRAP_SERVERS": "k:9092", "KAFKA_SASL_MECHANISM": "GSSAPI"], "KAFKA_SASL_MECHANISM"),
            (["KAFKA_BOOTSTRAP_SERVERS": "k:9092", "KAFKA_SASL_MECHANISM": "PLAIN"], "KAFKA_SASL_USERNAME"),
        ])
    func broken(_ environment: [String: String], mentions: String) {
        let error = #expect(throws: KafkaConfiguration.EnvironmentError.self) {
            try KafkaConfiguration.fromEnvironment(environment, clientID: "x")
        }
        #expect(error?.description.contains(mentions) == true, "\(String(describing: error))")
    }
}
