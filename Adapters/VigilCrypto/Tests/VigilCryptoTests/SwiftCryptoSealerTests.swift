import Foundation
import Testing
import VigilCrypto
import VigilEvidence

func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

@Suite("SwiftCryptoSealer: published vectors, and the evidence vault on real AEAD")
struct SwiftCryptoSealerTests {
    /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 14 and 16 (256-bit key).
    @Test("AES-256-GCM: GCM specification test cases 14 and 16")
    func aesGCMVectors() throws {
        let sealer = SwiftCryptoSealer.aesGCM
        let case14 = try sealer.seal(
            [UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32),
            nonce: [UInt8](repeating: 0, count: 12), authenticating: [])
        #expect(case14.ciphertext == hex("cea7403d4d606b6e074ec5d3baf39d18"))
        #expect(case14.tag == hex("d0d1c8a799996bf0265b98b5d48ab919"))

        let key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
        let plaintext = hex(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
        let aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2")
        let nonce = hex("cafebabefacedbaddecaf888")
        let case16 = try sealer.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
        #expect(
            case16.ciphertext
                == hex("522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"))
        #expect(case16.tag == hex("76fc6ece0f4e1768cddf8853bb2d551b"))
        #expect(try sealer.open(case16.ciphertext, tag: case16.tag, key: key, nonce: nonce, authenticating: aad) == plaintext)
        var altered = aad
        altered[0] ^= 1
        #expect(throws: (any Error).self) { try sealer.open(case16.ciphertext, tag: case16.tag, key: key, nonce: nonce, authenticating: altered) }
    }

    /// RFC 8439 §2.8.2.
    @Test("ChaCha20-Poly1305: RFC 8439 section 2.8.2")
    func chaChaPolyVector() throws {
        let plaintext = Array(
            "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
        let key = Array(0x80...0x9f).map { UInt8($0) }
        let sealed = try SwiftCryptoSealer.chaChaPoly.seal(
            plaintext, key: key, nonce: hex("070000004041424344454647"),
            authenticating: hex("50515253c0c1c2c3c4c5c6c7"))
        #expect(
            sealed.ciphertext
                == hex(
                    "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
                ))
        #expect(sealed.tag == hex("1ae10b594f09e26a7e902ecbd0600691"))
    }

    @Test("Wrong sizes are refused")
    func sizes() {
        let sealer = SwiftCryptoSealer.aesGCM
        #expect(throws: SwiftCryptoSealer.SizeError.self) {
            try sealer.seal([1], key: [1], nonce: [UInt8](repeating: 0, count: 12), authenticating: [])
        }
        #expect(throws: SwiftCryptoSealer.SizeError.self) {
            try sealer.seal([1], key: [UInt8](repeating: 0, count: 32), nonce: [1], authenticating: [])
        }
    }

    @Test(
        "The vault on AES-256-GCM and ChaCha20-Poly1305: a clip sealed to disk, opened, and a tampered header refused",
        arguments: [SwiftCryptoSealer.aesGCM, .chaChaPoly])
    func vaultOnRealAEAD(sealer: SwiftCryptoSealer) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-crypto-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let keys = try SealingKeyProvider(keys: ["org-kek-1": (0..<32).map { UInt8($0 * 3) }], current: "org-kek-1", sealer: sealer)
        let store = try FileSystemEvidenceStore(directory: directory)
        let vault = EvidenceVault(store: store, sealer: sealer, keys: keys)
        let clip = Array("RIFF masked clip ".utf8) + (0..<50_000).map { UInt8($0 % 253) }
        let receipt = try await vault.seal(clip, recordingId: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        let opened = try await vault.open(receipt.objectId)
        #expect(opened.bytes == clip && opened.header.algorithm == sealer.algorithm)
        var envelope = try #require(try await store.get(id: receipt.objectId))
        #expect(envelope.count == clip.count + receipt.envelopeBytes - clip.count)
        let marker = Array("\"recordingId\":\"a".utf8)
        let at = try #require((0...(envelope.count - marker.count)).first { Array(envelope[$0..<($0 + marker.count)]) == marker })
        envelope[at + marker.count - 1] = UInt8(ascii: "b")
        try await store.put(envelope, id: receipt.objectId)
        let error = await #expect(throws: EvidenceError.self) { _ = try await vault.open(receipt.objectId) }
        #expect(error?.code == .authenticationFailed)
    }
}
