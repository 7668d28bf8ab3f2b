// swift-tools-version: 6.1
//
// Coverage-guided fuzz harnesses (libFuzzer, through the toolchain's -sanitize=fuzzer, with
// AddressSanitizer) for every part of Vigil that reads untrusted bytes. Kept out of the root package;
// built and run by Scripts/fuzz:
//
//     Scripts/fuzz event-decoder 60      # one harness for 60 seconds
//     Scripts/fuzz all 10                # every harness, 10 seconds each (what CI runs)
//
// One executable holds every harness (VIGIL_FUZZ_HARNESS picks one), so the Vigil modules are built
// with coverage once. Each harness asserts invariants, not only "no crash": see the top of its file.
import PackageDescription

let package = Package(
    name: "VigilFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Vigil", path: "..")],
    targets: [
        .executableTarget(
            name: "VigilFuzz",
            dependencies: ["VigilCore", "VigilModels", "VigilRedaction", "VigilIdempotency", "VigilEventSub", "VigilVerdict",
                           "VigilRemediation", "VigilAnalysis", "VigilAudioHook", "VigilTesting"]
                .map { .product(name: $0, package: "Vigil") },
            path: "Harnesses/VigilFuzz",
            swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
