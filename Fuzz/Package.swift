// swift-tools-version:6.1
// libFuzzer targets for Vigil's parsers of untrusted input, built with the fuzzer and address sanitizers
// (`swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -use-ld=lld`: SwiftPM's `--sanitize=fuzzer --sanitize=address`
// reaches the compiler as two flags of which only the last counts, leaving the code without coverage):
//   scripts/fuzz.sh [SECONDS]         (build, replay FailCases, then fuzz each target for SECONDS)
// A separate package so that the main build does not compile with the sanitizers.
import PackageDescription

let package = Package(
    name: "vigil-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "vigil", path: ".."),
    ],
    targets: [
        // Starts libFuzzer from a Swift `main` (SwiftPM gives every executable target its own entry point).
        .target(name: "FuzzDriver", path: "Sources/FuzzDriver"),
        .executableTarget(
            name: "FuzzBatch",
            dependencies: [
                "FuzzDriver",
                .product(name: "VigilCore", package: "vigil"),
                .product(name: "VigilWire", package: "vigil"),
            ],
            path: "Sources/FuzzBatch"
        ),
        .executableTarget(
            name: "FuzzConfig",
            dependencies: [
                "FuzzDriver",
                .product(name: "VigilConfig", package: "vigil"),
            ],
            path: "Sources/FuzzConfig"
        ),
    ],
    swiftLanguageModes: [.v6]
)
