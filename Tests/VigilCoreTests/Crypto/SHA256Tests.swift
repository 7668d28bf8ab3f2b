import Foundation
import Testing
@_spi(VigilInternal) import VigilCore

@testable import VigilCore

/// A message of `count` bytes following a fixed pattern (`(i * 31 + 7) mod 256`).
func patternBytes(_ count: Int, multiplier: Int = 31, offset: Int = 7) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* multiplier &+ offset) }
}

/// A known-answer vector: message and expected digest.
struct SHA256Vector: Sendable, CustomTestStringConvertible {
    let name: String
    let message: [UInt8]
    let digest: String
    var testDescription: String { name }
}

// Source: FIPS 180-4 examples as published by NIST CSRC ("Cryptographic Standards and Guidelines,
// Examples with Intermediate Values", SHA-256): "abc", the empty string and the 448-bit message.
let fipsVectors: [SHA256Vector] = [
    SHA256Vector(
        name: "abc",
        message: Array("abc".utf8),
        digest: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    ),
    SHA256Vector(
        name: "empty",
        message: [],
        digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    ),
    SHA256Vector(
        name: "448-bit",
        message: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8),
        digest: "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    )
]

// Source: FIPS 180-4 / NIST CSRC example "one million repetitions of 'a'".
let millionADigest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

@Suite("Crypto: SHA-256")
struct CryptoSHA256Tests {
    @Test("Portable engine: FIPS 180-4 vectors", arguments: fipsVectors)
    func portableEngine(vector: SHA256Vector) {
        var engine = PortableSHA256()
        engine.update(contentsOf: vector.message)
        #expect(engine.finalize().hex == vector.digest)
    }

    @Test("Public API: FIPS 180-4 vectors", arguments: fipsVectors)
    func publicAPI(vector: SHA256Vector) {
        #expect(SHA256Hasher.hash(vector.message).hex == vector.digest)
        #expect(SHA256Hasher.hash(String(decoding: vector.message, as: UTF8.self)).hex == vector.digest)
    }

    @Test("Portable engine: one million 'a' in streamed chunks of odd sizes")
    func millionAPortable() {
        let chunkSizes = [1, 3, 7, 55, 56, 63, 64, 65, 127, 1_000, 4_093, 9_999]
        let source = [UInt8](repeating: UInt8(ascii: "a"), count: 9_999)
        var engine = PortableSHA256()
        var remaining = 1_000_000
        var turn = 0
        while remaining > 0 {
            let size = min(chunkSizes[turn % chunkSizes.count], remaining)
            source.withUnsafeBytes { engine.update(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
            remaining -= size
            turn += 1
        }
        #expect(engine.byteCount == 1_000_000)
        #expect(engine.finalize().hex == millionADigest)
    }

    @Test("Public API: one million 'a' in streamed chunks of odd sizes")
    func millionAPublic() {
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
        var hasher = SHA256Hasher()
        var remaining = 1_000_000
        while remaining > 0 {
            let size = min(chunk.count, remaining)
            hasher.update(chunk[0..<size])
            remaining -= size
        }
        #expect(hasher.finalize().hex == millionADigest)
    }

    @Test("Incremental equals one-shot at every split point of a 200-byte message")
    func everySplitPoint() {
        let message = patternBytes(200)
        let expected = SHA256Hasher.hash(message)
        for split in 0...message.count {
            var hasher = SHA256Hasher()
            hasher.update(message[..<split])
            hasher.update(message[split...])
            #expect(hasher.finalize() == expected, "split at \(split)")

            var engine = PortableSHA256()
            engine.update(contentsOf: message[..<split])
            engine.update(contentsOf: message[split...])
            #expect(engine.finalize() == expected, "portable, split at \(split)")
        }
    }

    @Test("Every length 0...200 (all padding cases) matches values pinned from Python hashlib")
    func everyLength() {
        // Pinned with Python 3 `hashlib.sha256`: SHA-256 over the concatenated 32-byte digests of
        // patternBytes(n) for n = 0...200.
        var all = SHA256Hasher()
        for length in 0...200 {
            var engine = PortableSHA256()
            engine.update(contentsOf: patternBytes(length))
            engine.finalize().withUnsafeBytes { all.update($0) }
        }
        #expect(all.finalize().hex == "2596dc78bf91fcc2d7cdba569d85e7c20f5d24bdc74fb082da12c7272515aa28")
    }

    @Test("Input kinds: Array, ArraySlice, Data, raw buffer, String and non-contiguous sequences agree")
    func inputKinds() {
        let message = patternBytes(150)
        let expected = SHA256Hasher.hash(message)
        #expect(SHA256Hasher.hash(message[...]) == expected)
        #expect(SHA256Hasher.hash(Data(message)) == expected)
        #expect(SHA256Hasher.hash(message.lazy.map { $0 }) == expected)
        #expect(SHA256Hasher.hash(AnySequence(message)) == expected)
        var raw = SHA256Hasher()
        message.withUnsafeBytes { raw.update($0) }
        #expect(raw.finalize() == expected)

        let text = "Grüße, Vigil ✓"
        #expect(SHA256Hasher.hash(text) == SHA256Hasher.hash(Array(text.utf8)))
        var mixed = SHA256Hasher()
        mixed.update("Grüße")
        mixed.update(Array(", Vigil ✓".utf8).lazy.map { $0 })
        #expect(mixed.finalize() == SHA256Hasher.hash(text))
    }

    @Test("Finalizing a copy leaves the original usable (digest of a growing prefix)")
    func finalizeCopy() {
        var hasher = SHA256Hasher()
        hasher.update("ab")
        let prefix = hasher.finalize()
        hasher.update("c")
        #expect(prefix == SHA256Hasher.hash("ab"))
        #expect(hasher.finalize().hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("Digest: bytes, hex, description, iteration, equality and hashing")
    func digestSurface() throws {
        let digest = SHA256Hasher.hash("abc")
        let expectedHex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(digest.bytes == (try Hex.decode(expectedHex)))
        #expect(Array(digest) == digest.bytes)
        #expect(digest.bytes.count == SHA256Digest.byteCount)
        #expect(digest.hex == expectedHex)
        #expect(digest.description == expectedHex)
        #expect("\(digest)" == expectedHex)
        #expect(digest == SHA256Hasher.hash(Array("abc".utf8)))
        #expect(digest != SHA256Hasher.hash("abd"))
        #expect(Set([digest, SHA256Hasher.hash("abc"), SHA256Hasher.hash("")]).count == 2)
    }
}

@Suite("Crypto: SHA-256 on the CPU's SHA instructions")
struct HardwareSHA256Tests {
    /// Runs one compression path over the padded message and returns the digest's hex.
    private func digest(_ message: [UInt8], hardware: Bool) -> String {
        var padded = message + [0x80]
        while padded.count % 64 != 56 { padded.append(0) }
        let bits = UInt64(message.count) * 8
        padded += (0..<8).map { UInt8(truncatingIfNeeded: bits >> (56 - 8 * $0)) }
        var state = PortableSHA256.State()
        padded.withUnsafeBytes { raw in
            if hardware {
                PortableSHA256.hardwareCompress(&state, blocks: raw.baseAddress!, count: padded.count / 64)
            } else {
                PortableSHA256.portableCompress(&state, blocks: raw.baseAddress!, count: padded.count / 64)
            }
        }
        return [state.h0, state.h1, state.h2, state.h3, state.h4, state.h5, state.h6, state.h7]
            .map { String(format: "%08x", $0) }.joined()
    }

    @Test("The Swift compression gives the FIPS 180-4 digests", arguments: fipsVectors)
    func fipsVectorsInSwift(vector: SHA256Vector) {
        #expect(digest(vector.message, hardware: false) == vector.digest)
    }

    @Test(
        "The SHA-instruction compression gives the FIPS 180-4 digests", .enabled(if: PortableSHA256.usesHardware),
        arguments: fipsVectors)
    func fipsVectorsInHardware(vector: SHA256Vector) {
        #expect(digest(vector.message, hardware: true) == vector.digest)
    }

    @Test(
        "Hardware and Swift agree on 300 random messages of 0…1 000 bytes, many blocks at once",
        .enabled(if: PortableSHA256.usesHardware))
    func randomMessagesAgree() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            let message = (0..<Int.random(in: 0...1_000, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            #expect(digest(message, hardware: true) == digest(message, hardware: false))
        }
    }

    @Test("One million 'a' through the public API (hardware path where available)")
    func millionA() {
        #expect(SHA256Hasher.hash([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)).hex == millionADigest)
    }
}
