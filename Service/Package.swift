// swift-tools-version: 6.1
//
// vigil-service — Vigil as a standalone HTTP service (Hummingbird 2, swift-service-lifecycle,
// swift-log, swift-metrics + Prometheus, async-http-client). A separate package so that the SDK
// itself keeps no package dependencies.
//
//     swift run vigil-service --simulate          # one command: SQLite + simulator + reference engine
//     swift test
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let vigil: [Target.Dependency] = [
    "Vigil", "VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilVerdict",
    "VigilAnalysis", "VigilEventSub", "VigilRemediation", "VigilSQLite", "VigilTesting", "VigilRedaction", "VigilAudioHook", "VigilEvidence",
].map { .product(name: $0, package: "Vigil") }

let package = Package(
    name: "VigilService",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "VigilService", targets: ["VigilService"]),
        .executable(name: "vigil-service", targets: ["vigil-service"]),
    ],
    dependencies: [
        .package(name: "Vigil", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(path: "../Adapters/VigilPostgres"),
        .package(path: "../Adapters/VigilCrypto"),
    ],
    targets: [
        .target(
            name: "VigilService",
            dependencies: vigil + [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "VigilPostgres", package: "VigilPostgres"),
                .product(name: "VigilCrypto", package: "VigilCrypto"),
            ],
            swiftSettings: swiftSettings),
        .executableTarget(name: "vigil-service", dependencies: ["VigilService"], swiftSettings: swiftSettings),
        .testTarget(
            name: "VigilServiceTests",
            dependencies: ["VigilService"] + vigil + [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "VigilPostgres", package: "VigilPostgres"),
            ],
            swiftSettings: swiftSettings),
    ]
)
