// swift-tools-version:6.1
import PackageDescription

/// For the modules the agent links: only members of modules a file imports itself are visible. Without
/// it, Foundation's extensions leak in through SwiftProtobuf and pull the full Foundation, with ICU,
/// into an agent that needs only FoundationEssentials (issue 3: its memory footprint).
let agentSideSettings: [SwiftSetting] = [.enableUpcomingFeature("MemberImportVisibility")]

let package = Package(
    name: "vigil",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "vigil", targets: ["vigil"]),
        .executable(name: "vigil-agent", targets: ["vigil-agent"]),
        .executable(name: "vigil-collector", targets: ["vigil-collector"]),
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilWire", targets: ["VigilWire"]),
        .library(name: "VigilAgent", targets: ["VigilAgent"]),
        .library(name: "VigilCollector", targets: ["VigilCollector"]),
        .library(name: "VigilConfig", targets: ["VigilConfig"]),
        .library(name: "VigilCLI", targets: ["VigilCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        // MARK: Shared
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["libz-dev"])]
        ),
        .target(
            name: "VigilCore",
            dependencies: [
                // Only for the processes' log handler (Text/EscapingLogHandler.swift).
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Sources/VigilCore",
            swiftSettings: agentSideSettings
        ),
        .target(
            name: "VigilWire",
            dependencies: [
                "CZlib",
                "VigilCore",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            path: "Sources/VigilWire",
            exclude: ["Schema/vigil.proto"],
            swiftSettings: agentSideSettings
        ),
        .target(
            name: "VigilConfig",
            dependencies: [
                "VigilCore",
            ],
            path: "Sources/VigilConfig",
            swiftSettings: agentSideSettings
        ),
        .target(
            name: "VigilCLI",
            dependencies: [
                "VigilCore",
                "VigilAgent",
                "VigilCollector",
                "VigilConfig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/VigilCLI"
        ),
        .executableTarget(
            name: "vigil",
            dependencies: ["VigilCLI"],
            path: "Sources/vigil"
        ),

        // MARK: Agent
        .target(
            name: "VigilAgent",
            dependencies: [
                "VigilCore",
                "VigilWire",
                "VigilConfig",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOHTTPCompression", package: "swift-nio-extras"),
            ],
            path: "Agents/VigilAgent",
            swiftSettings: agentSideSettings
        ),
        .executableTarget(
            name: "vigil-agent",
            dependencies: [
                "VigilAgent",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                "VigilConfig",
            ],
            path: "Agents/vigil-agent",
            swiftSettings: agentSideSettings
        ),

        // MARK: Collector
        .target(
            name: "VigilCollector",
            dependencies: [
                "VigilCore",
                "VigilWire",
                "VigilConfig",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            path: "Collector/VigilCollector"
        ),
        .executableTarget(
            name: "vigil-collector",
            dependencies: [
                "VigilCollector",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Collector/vigil-collector"
        ),

        // MARK: Tests
        .target(
            name: "VigilTestSupport",
            dependencies: [
                "VigilCollector",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/VigilTestSupport"
        ),
        .testTarget(
            name: "VigilCoreTests",
            dependencies: ["VigilCore", "VigilConfig", "VigilTestSupport", .product(name: "Logging", package: "swift-log")],
            path: "Tests/VigilCoreTests"
        ),
        .testTarget(name: "VigilWireTests", dependencies: ["VigilWire"], path: "Tests/VigilWireTests"),
        .testTarget(
            name: "VigilConfigTests",
            // Yams only as the reference the YAML reader is compared with.
            dependencies: ["VigilConfig", .product(name: "Yams", package: "Yams")],
            path: "Tests/VigilConfigTests"
        ),
        .testTarget(
            name: "VigilAgentTests",
            dependencies: [
                "VigilAgent",
                "VigilTestSupport",
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
            ],
            path: "Tests/VigilAgentTests"
        ),
        .testTarget(
            name: "VigilCollectorTests",
            dependencies: [
                "VigilCollector",
                "VigilWire",
                "VigilTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Tests/VigilCollectorTests"
        ),
        .testTarget(
            name: "VigilCLITests",
            dependencies: [
                "VigilCLI", "VigilAgent", "VigilCollector", "VigilTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            path: "Tests/VigilCLITests"
        ),
    ],
    swiftLanguageModes: [.v6]
)
