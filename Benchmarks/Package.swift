// swift-tools-version: 6.1
//
// Benchmarks for Vigil, kept out of the root package so that the SDK itself stays free of
// package dependencies. Run from this directory:
//
//     swift package benchmark                               # everything
//     swift package benchmark --target CryptoBenchmarks     # one target
//
// Every benchmark runs next to its baseline in the same run (see each target's header comment).
// The explicit `MallocInterposer` trait is required: benchmark's default traits pull in a package
// that is not available on the project's machines.
import PackageDescription

/// One benchmark executable in `Benchmarks/<name>/`, depending on the named Vigil products.
func benchmark(_ name: String, vigil products: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: name,
        dependencies: products.map { .product(name: $0, package: "Vigil") }
            + [.product(name: "Benchmark", package: "benchmark")] + extra,
        path: name,
        swiftSettings: [.swiftLanguageMode(.v6)],
        plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
    )
}

let package = Package(
    name: "VigilBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "Vigil", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        benchmark("CryptoBenchmarks", vigil: ["VigilCore"], extra: [.product(name: "Crypto", package: "swift-crypto")]),
        benchmark("ModelsBenchmarks", vigil: ["VigilModels"], extra: ["IngestPayloads"]),
        benchmark("RedactionBenchmarks", vigil: ["VigilRedaction"]),
        .target(name: "IngestPayloads",
                dependencies: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilEventSub", "VigilTesting"].map {
                    .product(name: $0, package: "Vigil")
                },
                path: "IngestPayloads", swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "IngestPeer", dependencies: ["IngestPayloads", .product(name: "VigilCore", package: "Vigil"),
                                                             .product(name: "VigilEventSub", package: "Vigil")],
                          path: "IngestPeer", swiftSettings: [.swiftLanguageMode(.v6)]),
        benchmark("EventSubBenchmarks", vigil: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilEventSub", "VigilTesting"],
                  extra: ["IngestPayloads"]),
        benchmark("PlatformClientBenchmarks", vigil: ["VigilCore", "VigilModels", "VigilPlatformClient"]),
        benchmark("VerdictBenchmarks", vigil: ["VigilCore", "VigilModels", "VigilVerdict"]),
        benchmark("PipelineBenchmarks", vigil: ["Vigil", "VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilVerdict", "VigilEventSub", "VigilRemediation", "VigilSQLite", "VigilTesting"]),
        benchmark("AnalysisBenchmarks", vigil: ["VigilAnalysis", "VigilCore"]),
        benchmark("AudioHookBenchmarks", vigil: ["VigilAudioHook", "VigilAnalysis", "VigilCore"]),
    ]
)
