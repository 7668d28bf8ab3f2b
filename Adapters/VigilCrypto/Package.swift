// swift-tools-version: 6.1
//
// VigilCrypto — the evidence vault's AEAD (`EnvelopeSealer`) on swift-crypto: AES-256-GCM and
// ChaCha20-Poly1305 from BoringSSL on Linux, CryptoKit on Apple platforms. A separate package so the
// SDK itself keeps zero dependencies (it never implements a cipher of its own).
//   swift test --package-path Adapters/VigilCrypto
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "VigilCrypto",
    platforms: [.macOS(.v14), .iOS(.v17)],
    products: [
        .library(name: "VigilCrypto", targets: ["VigilCrypto"]),
    ],
    dependencies: [
        .package(name: "Vigil", path: "../.."),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .target(
            name: "VigilCrypto",
            dependencies: [
                .product(name: "VigilEvidence", package: "Vigil"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "VigilCryptoTests",
            dependencies: [
                "VigilCrypto",
                .product(name: "VigilEvidence", package: "Vigil"),
                .product(name: "VigilCore", package: "Vigil"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
