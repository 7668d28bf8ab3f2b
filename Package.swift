// swift-tools-version: 6.1
//
// Vigil — compliance-violation flagging for Genesys Cloud recordings.
//
// House rule: this manifest declares NO package dependencies. Only the Swift toolchain
// (Foundation, FoundationNetworking, Dispatch) and the system SQLite library are used.
// Benchmarks/, Examples/* and Adapters/* are separate packages with their own manifests.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Vigil",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "VigilCore", targets: ["VigilCore"]),
        .library(name: "VigilModels", targets: ["VigilModels"]),
        .library(name: "VigilIdempotency", targets: ["VigilIdempotency"]),
        .library(name: "VigilTesting", targets: ["VigilTesting"]),
        .library(name: "VigilSQLite", targets: ["VigilSQLite"]),
        .executable(name: "vigil", targets: ["VigilCLI"]),
    ],
    targets: [
        .target(name: "VigilCore", swiftSettings: swiftSettings),
        .target(name: "VigilModels", swiftSettings: swiftSettings),
        .target(name: "VigilIdempotency", dependencies: ["VigilCore"], swiftSettings: swiftSettings),
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"]), .yum(["sqlite-devel"]), .brew(["sqlite"])]
        ),
        .target(
            name: "VigilSQLite",
            dependencies: ["CSQLite", "VigilCore", "VigilIdempotency"],
            swiftSettings: swiftSettings
        ),
        .target(name: "VigilTesting", dependencies: ["VigilCore", "VigilModels", "VigilIdempotency"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "VigilCLI",
            dependencies: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilIdempotencyTests",
            dependencies: ["VigilIdempotency", "VigilCore", "VigilTesting"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilModelsTests",
            dependencies: ["VigilModels"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilSQLiteTests",
            dependencies: ["VigilSQLite", "VigilTesting"],
            swiftSettings: swiftSettings
        ),
    ]
)
