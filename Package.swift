// swift-tools-version: 6.1
import PackageDescription

/// A service executable: a thin composition root that parses the service's options and calls
/// its builder in Shared/.
func serviceExecutable(_ name: String, path: String, dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + ["ServiceRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: path
    )
}

/// One service's read model and its queries, under Shared/<name>.
func projectionLibrary(_ name: String, resources: [Resource]? = nil) -> Target {
    .target(
        name: name,
        dependencies: [
            "Choreography", "Contract", "Kafka", "Projection", "ProjectionServer", "OrderEvents", "ServiceAPI", "ServiceRuntime",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ],
        path: "Shared/\(name)",
        resources: resources
    )
}

// Strict settings are set once, here, for every target.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "fooddelivery",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fooddelivery", targets: ["FoodDeliveryCLI"]),
        .executable(name: "fooddelivery-bench", targets: ["FoodDeliveryBench"]),
        .executable(name: "orders", targets: ["OrdersService"]),
        .executable(name: "restaurants", targets: ["RestaurantsService"]),
        .executable(name: "delivery", targets: ["DeliveryService"]),
        .executable(name: "support", targets: ["SupportService"]),
        .executable(name: "analytics", targets: ["AnalyticsService"]),
        .library(name: "Kafka", targets: ["Kafka"]),
        .library(name: "LocalBroker", targets: ["LocalBroker"]),
        .library(name: "OrderEvents", targets: ["OrderEvents"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        // HTTP between instances of a scaled-out service, and from the CLI to the services.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.21.0"),
        // ByteBuffer, which AsyncHTTPClient and Hummingbird hand over bodies in.
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        // Tests only: reads docker-compose.yml and the Kubernetes manifests.
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.0"),
        // Only the OTLP/HTTP exporter: the gRPC one would build grpc-swift into every service.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: Shared libraries

        // The only module that sees librdkafka's C API; only `Kafka` imports it.
        .systemLibrary(
            name: "CRdKafka",
            path: "Shared/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev (>= 2.2); on Debian 12 run scripts/setup.sh"])]
        ),
        // glibc's `mallopt`, for `ProcessMemory` only.
        .systemLibrary(name: "CMalloc", path: "Shared/CMalloc"),
        .target(
            name: "Kafka",
            dependencies: [
                "CRdKafka",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Kafka"
        ),
        // The names that cross a process boundary, spelled once: topics and their dead-letter
        // topics, event and dead-letter headers, the consumer-group rule, peer HTTP headers.
        .target(name: "Contract", path: "Shared/Contract"),
        // The order-event contract every service shares: types, lifecycle, wire format.
        .target(name: "OrderEvents", dependencies: ["Contract"], path: "Shared/OrderEvents"),
        // The messages between the services of the choreography (kitchen orders, kitchens'
        // decisions, courier requests, couriers' progress) and the seeded randomness of decisions.
        .target(name: "Choreography", dependencies: ["Contract", "OrderEvents"], path: "Shared/Choreography"),
        // Spans around what crosses Kafka: publish, process, and the step that applies or decides;
        // the trace context travels in the records' `traceparent` header.
        .target(
            name: "MessageTracing",
            dependencies: ["Contract", "Kafka", .product(name: "Tracing", package: "swift-distributed-tracing")],
            path: "Shared/MessageTracing"
        ),
        // A transactional outbox of any topic, and the relay that publishes it.
        .target(
            name: "Outbox",
            dependencies: [
                "Contract", "Kafka", "MessageTracing",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Outbox"
        ),
        // Each service's HTTP API, described once: routes (method and path) and the answers'
        // types, for the services that serve them and the CLI, peers and tests that call them.
        .target(name: "ServiceAPI", dependencies: ["Contract", "OrderEvents"], path: "Shared/ServiceAPI"),
        // What every executable shares: logging, Kafka connection options.
        .target(
            name: "ServiceRuntime",
            dependencies: [
                "Contract", "Kafka", "CMalloc", "ServiceAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ServiceRuntime"
        ),
        // HTTP from one of our processes to another's API: a peer instance, the CLI, the tests.
        // A target of its own so that `orders`, which calls no one, does not link an HTTP client
        // (measured: 7.6 MB more code in its executable).
        .target(
            name: "ServiceHTTPClient",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Shared/ServiceHTTPClient"
        ),
        // The orders service's domain: its SQLite state + transactional outbox, its reactions to
        // the kitchens' and couriers' decisions, and the city simulator.
        .target(
            name: "Orders",
            dependencies: [
                "Choreography", "Contract", "Kafka", "MessageTracing", "OrderEvents", "Outbox", "Projection", "ServiceAPI",
                "ServiceRuntime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Orders"
        ),
        // The consumer runtimes: projections (offsets stored with the read model, batches applied
        // exactly once, poison records dead-lettered) and decisions (consume, decide, store state
        // and outbox together).
        .target(
            name: "Projection",
            dependencies: [
                "Choreography", "Contract", "Kafka", "MessageTracing", "OrderEvents", "Outbox", "ServiceAPI",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Projection"
        ),
        // A consumer service's process: options, HTTP queries routed across instances, replay,
        // offsets, health and metrics around a ProjectionRunner.
        .target(
            name: "ProjectionServer",
            dependencies: [
                "Contract", "Kafka", "Outbox", "Projection", "ServiceAPI", "ServiceRuntime", "ServiceHTTPClient", "OrderEvents",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/ProjectionServer"
        ),
        projectionLibrary("RestaurantsProjection"),
        projectionLibrary("DeliveryProjection"),
        // Its order-tracking page is a resource.
        projectionLibrary("SupportProjection", resources: [.copy("Resources/track.html")]),
        projectionLibrary("AnalyticsProjection"),
        .target(
            name: "LocalBroker",
            dependencies: ["Kafka", .product(name: "Logging", package: "swift-log")],
            path: "Shared/LocalBroker"
        ),
        // What the operator works with: the simulation's run file, launching and stopping its
        // processes, their status (through their HTTP APIs and Kafka, never their databases).
        .target(
            name: "SimulationControl",
            dependencies: [
                "Kafka", "LocalBroker", "ServiceAPI", "ServiceRuntime", "ServiceHTTPClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/SimulationControl"
        ),
        // What an operator does to any cluster, whoever runs it: groups and their lag, offset
        // resets, dead letters and their redrive, records printed as a format says.
        .target(
            name: "Operations",
            dependencies: [
                "Contract", "Kafka", "OrderEvents",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/Operations"
        ),
        // The live web dashboard: its server, its history, and its page (a resource).
        .target(
            name: "Dashboard",
            dependencies: [
                "Contract", "Kafka", "ServiceAPI", "ServiceRuntime", "SimulationControl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Shared/Dashboard",
            resources: [.copy("Resources/dashboard.html")]
        ),
        // Narrated, self-verifying walkthroughs of Kafka's concepts against a real broker.
        .target(
            name: "KafkaScenarios",
            dependencies: [
                "Choreography", "Contract", "Kafka", "LocalBroker", "OrderEvents", "ServiceAPI", "ServiceRuntime", "SimulationControl",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Shared/KafkaScenarios"
        ),

        // MARK: Executables

        // The operator CLI: one command per file, over the libraries above.
        .executableTarget(
            name: "FoodDeliveryCLI",
            dependencies: [
                "Contract", "Dashboard", "Kafka", "KafkaScenarios", "LocalBroker", "Operations", "ServiceAPI", "ServiceRuntime",
                "SimulationControl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Services/CLI"
        ),
        // The benchmarks (`scripts/bench.sh` runs them): the pipeline, the projections, memory.
        .executableTarget(
            name: "FoodDeliveryBench",
            dependencies: [
                "Contract", "Kafka", "LocalBroker", "OrderEvents", "Orders", "Outbox", "Projection", "ServiceAPI", "ServiceRuntime",
                "SimulationControl", "RestaurantsProjection", "DeliveryProjection", "SupportProjection", "AnalyticsProjection",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Services/Bench"
        ),

        serviceExecutable("OrdersService", path: "Services/Orders", dependencies: ["Orders"]),
        serviceExecutable("RestaurantsService", path: "Services/Restaurants", dependencies: ["ProjectionServer", "RestaurantsProjection"]),
        serviceExecutable("DeliveryService", path: "Services/Delivery", dependencies: ["ProjectionServer", "DeliveryProjection"]),
        serviceExecutable("SupportService", path: "Services/Support", dependencies: ["ProjectionServer", "SupportProjection"]),
        serviceExecutable("AnalyticsService", path: "Services/Analytics", dependencies: ["ProjectionServer", "AnalyticsProjection"]),

        // MARK: Tests

        .target(
            name: "TestSupport",
            dependencies: ["Kafka", "LocalBroker", "ServiceRuntime", "ServiceHTTPClient", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"
        ),
        .testTarget(
            name: "OrderEventsTests",
            dependencies: ["OrderEvents"],
            path: "Tests/OrderEventsTests",
            resources: [.copy("Golden")]
        ),
        .testTarget(
            name: "OrdersTests",
            dependencies: [
                "Contract", "Orders", "OrderEvents", "Outbox", "Kafka", "LocalBroker", "TestSupport", "OrdersService", "ServiceAPI",
                "ServiceHTTPClient",
                "ServiceRuntime",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/OrdersTests"
        ),
        .testTarget(
            name: "ProjectionTests",
            dependencies: [
                "Choreography", "Contract", "Projection", "ProjectionServer", "Orders", "OrderEvents", "Outbox", "Kafka", "LocalBroker",
                "TestSupport",
                "RestaurantsProjection", "DeliveryProjection", "SupportProjection", "AnalyticsProjection",
                "RestaurantsService", "DeliveryService", "SupportService", "AnalyticsService", "ServiceRuntime", "ServiceHTTPClient",
                "FoodDeliveryCLI", "KafkaScenarios", "Operations", "ServiceAPI", "SimulationControl",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            path: "Tests/ProjectionTests"
        ),
        .testTarget(
            name: "DeploymentTests",
            dependencies: [
                "Contract", "Kafka", "ServiceRuntime", "ProjectionServer", "Orders", "TestSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ],
            path: "Tests/DeploymentTests"
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["Kafka"],
            path: "Tests/KafkaTests"
        ),
        .testTarget(
            name: "BrokerConformanceTests",
            dependencies: [
                "Kafka", "LocalBroker", "TestSupport", "FoodDeliveryCLI",
                .product(name: "ServiceLifecycleTestKit", package: "swift-service-lifecycle"),
            ],
            path: "Tests/BrokerConformanceTests"
        ),
    ],
    swiftLanguageModes: [.v6]
)

for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + strictSettings
}

// Release executables link with lld, their relative relocations packed (DT_RELR, glibc ≥ 2.36)
// and without exporting every symbol to the dynamic table (which --static-swift-stdlib asks for):
// the loader then reads kilobytes of relocations and symbols instead of megabytes, and those pages
// no longer sit in every service's resident memory (bench/README.md, memory by mapping).
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(
        ["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs", "-Xlinker", "--no-export-dynamic"],
        .when(platforms: [.linux], configuration: .release)
    )
]
for target in package.targets where target.type == .executable {
    target.linkerSettings = (target.linkerSettings ?? []) + releaseLinking
}
