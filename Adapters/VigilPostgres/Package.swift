// swift-tools-version: 6.1
//
// VigilPostgres — the shared IdempotencyStore, JobQueue, PendingVerdictStore, DeliveryIDStore and
// remediation DeadLetterSink on PostgreSQL, for hosts that run Vigil on more than one machine.
//
// A separate package so the SDK itself keeps zero dependencies. Its tests need a real server:
//   ../../Scripts/with-postgres.sh swift test
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "VigilPostgres",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "VigilPostgres", targets: ["VigilPostgres"]),
    ],
    dependencies: [
        .package(name: "Vigil", path: "../.."),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .target(
            name: "VigilPostgres",
            dependencies: [
                .product(name: "VigilCore", package: "Vigil"),
                .product(name: "VigilIdempotency", package: "Vigil"),
                .product(name: "VigilVerdict", package: "Vigil"),
                .product(name: "VigilModels", package: "Vigil"),
                .product(name: "VigilRemediation", package: "Vigil"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Only for `ConnectionPoolError`, which `PostgresClient` throws unmapped once it is shut down.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilPostgresTests",
            dependencies: [
                "VigilPostgres",
                .product(name: "VigilCore", package: "Vigil"),
                .product(name: "VigilIdempotency", package: "Vigil"),
                .product(name: "VigilVerdict", package: "Vigil"),
                .product(name: "VigilModels", package: "Vigil"),
                .product(name: "VigilRemediation", package: "Vigil"),
                .product(name: "VigilTesting", package: "Vigil"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
