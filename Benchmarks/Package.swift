// swift-tools-version: 6.1
//
// Benchmarks for Vigil, kept out of the root package so that the SDK itself stays free of
// package dependencies. Run from this directory:
//
//     swift package benchmark                            # everything
//     swift package benchmark --target CryptoBenchmarks
//     swift package benchmark --target EventSubBenchmarks  # one target
//
// The explicit `MallocInterposer` trait is required: benchmark's default traits pull in a package
// that is not available on the project's machines.
import PackageDescription

let package = Package(
    name: "VigilBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Vigil", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        .executableTarget(
            name: "CryptoBenchmarks",
            dependencies: [
                .product(name: "VigilCore", package: "Vigil"),
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "CryptoBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "ModelsBenchmarks",
            dependencies: [
                .product(name: "VigilModels", package: "Vigil"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "ModelsBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EventSubBenchmarks",
            dependencies: [
                .product(name: "VigilCore", package: "Vigil"),
                .product(name: "VigilModels", package: "Vigil"),
                .product(name: "VigilIdempotency", package: "Vigil"),
                .product(name: "VigilEventSub", package: "Vigil"),
                .product(name: "VigilTesting", package: "Vigil"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "EventSubBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
