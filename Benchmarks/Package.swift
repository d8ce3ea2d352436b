// swift-tools-version:6.1
// Benchmarks for Vigil, run in release mode with package-benchmark:
//   cd Benchmarks && swift package --allow-writing-to-package-directory benchmark
// A separate package so that the main build and CI do not compile the benchmark harness.
import PackageDescription

let package = Package(
    name: "vigil-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "vigil", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "BenchSupport",
            dependencies: [
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilWire", package: "vigil"),
            ],
            path: "Benchmarks/BenchSupport"
        ),
        .systemLibrary(name: "CZlibBaseline", path: "Benchmarks/CZlibBaseline"),
        .executableTarget(
            name: "Components",
            dependencies: [
                "BenchSupport",
                "CZlibBaseline",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilWire", package: "vigil"),
                .product(name: "VigilCollector", package: "vigil"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Benchmarks/Components",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "SLAReport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilCollector", package: "vigil"),
            ],
            path: "Benchmarks/SLAReport",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "TicketImport",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCollector", package: "vigil"),
                .product(name: "VigilCLI", package: "vigil"),
                .product(name: "VigilConfig", package: "vigil"),
            ],
            path: "Benchmarks/TicketImport",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "StoreIngest",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilCollector", package: "vigil"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "Benchmarks/StoreIngest",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ReadRoutes",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilWire", package: "vigil"),
                .product(name: "VigilCollector", package: "vigil"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/ReadRoutes",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "IngestLoad",
            dependencies: [
                "BenchSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilWire", package: "vigil"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/IngestLoad",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)
