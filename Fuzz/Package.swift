// swift-tools-version: 6.1
//
// Coverage-guided fuzz harnesses (libFuzzer, through the toolchain's -sanitize=fuzzer) for the parts of
// Vigil that read untrusted bytes. Kept out of the root package; built and run by Scripts/fuzz:
//
//     Scripts/fuzz FuzzEventDecoder 60      # one harness for 60 seconds
//
// Each harness asserts invariants, not only "no crash".
import PackageDescription

func harness(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: products.map { .product(name: $0, package: "Vigil") },
        path: "Harnesses/\(name)",
        swiftSettings: [.swiftLanguageMode(.v6), .unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "VigilFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Vigil", path: "..")],
    targets: [
        harness("FuzzEventDecoder", ["VigilModels", "VigilEventSub"]),
    ]
)
