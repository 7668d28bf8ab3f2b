// swift-tools-version: 6.1
//
// Vigil — compliance-violation flagging for Genesys Cloud recordings.
//
// House rule: this manifest declares NO package dependencies. Only the Swift toolchain
// (Foundation, FoundationNetworking, Dispatch) and the system SQLite library are used.
// Benchmarks/, Examples/* and Adapters/* are separate packages with their own manifests.
//
// One line per product and target (modules in layer order) keeps merges simple.
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
        .library(name: "VigilRedaction", targets: ["VigilRedaction"]),
        .library(name: "VigilIdempotency", targets: ["VigilIdempotency"]),
        .library(name: "VigilPlatformClient", targets: ["VigilPlatformClient"]),
        .library(name: "VigilVerdict", targets: ["VigilVerdict"]),
        .library(name: "VigilAnalysis", targets: ["VigilAnalysis"]),
        .library(name: "VigilTesting", targets: ["VigilTesting"]),
        .library(name: "VigilEventSub", targets: ["VigilEventSub"]),
        .library(name: "VigilRemediation", targets: ["VigilRemediation"]),
        .library(name: "Vigil", targets: ["Vigil"]),
        .library(name: "VigilSQLite", targets: ["VigilSQLite"]),
        .library(name: "VigilAudioHook", targets: ["VigilAudioHook"]),
        .library(name: "VigilEvidence", targets: ["VigilEvidence"]),
        .executable(name: "vigil", targets: ["VigilCLI"]),
    ],
    targets: [
        .target(name: "CVigilSHA256"),
        .target(name: "VigilCore", dependencies: ["CVigilSHA256"], swiftSettings: swiftSettings),
        .target(name: "VigilModels", swiftSettings: swiftSettings),
        .target(name: "VigilRedaction", dependencies: ["VigilCore"], swiftSettings: swiftSettings),
        .target(name: "VigilIdempotency", dependencies: ["VigilCore"], swiftSettings: swiftSettings),
        .target(name: "VigilPlatformClient", dependencies: ["VigilCore", "VigilModels", "VigilRemediation"], swiftSettings: swiftSettings),
        .target(name: "VigilVerdict", dependencies: ["VigilCore", "VigilModels", "VigilRedaction"], swiftSettings: swiftSettings),
        .target(name: "VigilAnalysis", dependencies: ["VigilCore", "VigilModels", "VigilRedaction", "VigilVerdict", "VigilEvidence"], swiftSettings: swiftSettings),
        .target(name: "VigilAudioHook", dependencies: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilAnalysis", "VigilRemediation"], swiftSettings: swiftSettings),
        .target(name: "VigilEvidence", dependencies: ["VigilCore"], swiftSettings: swiftSettings),
        .target(name: "VigilEventSub", dependencies: ["VigilCore", "VigilModels", "VigilRedaction", "VigilIdempotency"], swiftSettings: swiftSettings),
        .target(name: "VigilTesting", dependencies: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilVerdict", "VigilRemediation"], swiftSettings: swiftSettings),
        .target(name: "VigilRemediation", dependencies: ["VigilCore", "VigilModels", "VigilIdempotency"], swiftSettings: swiftSettings),
        .target(name: "Vigil", dependencies: ["VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilVerdict", "VigilEventSub", "VigilRemediation"], swiftSettings: swiftSettings),
        .target(name: "VigilCommandLine", dependencies: ["VigilCore", "VigilModels", "VigilAnalysis"], swiftSettings: swiftSettings),
        .executableTarget(name: "VigilCLI", dependencies: ["VigilCommandLine", "VigilCore", "VigilModels", "VigilIdempotency", "VigilRedaction", "VigilPlatformClient", "VigilAnalysis", "VigilTesting", "Vigil", "VigilVerdict", "VigilEventSub", "VigilRemediation", "VigilSQLite", "VigilAudioHook", "VigilEvidence"], swiftSettings: swiftSettings),

        .testTarget(name: "VigilCoreTests", dependencies: ["VigilCore", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilModelsTests", dependencies: ["VigilModels", "VigilTesting"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "VigilEventSubTests", dependencies: ["VigilEventSub", "VigilCore", "VigilModels", "VigilRedaction", "VigilIdempotency", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilRedactionTests", dependencies: ["VigilRedaction", "VigilCore"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilIdempotencyTests", dependencies: ["VigilIdempotency", "VigilCore", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilPlatformClientTests", dependencies: ["VigilPlatformClient", "VigilTesting", "VigilCore", "VigilModels"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilVerdictTests", dependencies: ["VigilVerdict", "VigilCore", "VigilModels", "VigilRedaction", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilAnalysisTests", dependencies: ["VigilAnalysis", "VigilCommandLine", "VigilCore", "VigilModels", "VigilRedaction", "VigilVerdict", "VigilTesting", "VigilEvidence"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilTests", dependencies: ["Vigil", "VigilAnalysis", "VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilRedaction", "VigilVerdict", "VigilEventSub", "VigilRemediation", "VigilSQLite", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilRemediationTests", dependencies: ["VigilRemediation", "VigilCore", "VigilModels", "VigilIdempotency", "VigilPlatformClient", "VigilTesting"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"]), .yum(["sqlite-devel"]), .brew(["sqlite"])]),
        .target(name: "VigilSQLite", dependencies: ["CSQLite", "VigilCore", "VigilIdempotency", "VigilModels", "VigilVerdict", "VigilRemediation"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilEvidenceTests", dependencies: ["VigilEvidence", "VigilCore"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilAudioHookTests", dependencies: ["VigilAudioHook", "VigilCore", "VigilModels", "VigilIdempotency", "VigilAnalysis", "VigilRemediation", "VigilPlatformClient", "VigilTesting"], swiftSettings: swiftSettings),
        .testTarget(name: "VigilSQLiteTests", dependencies: ["VigilSQLite", "VigilTesting"], swiftSettings: swiftSettings),
    ]
)
