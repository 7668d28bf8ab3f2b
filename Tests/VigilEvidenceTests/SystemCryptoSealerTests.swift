import Foundation
import Testing
import VigilCore
import VigilEvidence

#if os(Linux)
    /// The system libcrypto is part of every Linux image Vigil's CI runs on; where it is missing the suite
    /// fails (a host that needs the sealer must know). Not built elsewhere: the sealer is Linux-only.
    @Suite("SystemCryptoSealer: OpenSSL's AES-256-GCM through the EVP interface")
    struct SystemCryptoSealerTests {
        /// McGrew & Viega, "The Galois/Counter Mode of Operation (GCM)", test cases 14 and 16 (256-bit key)
        /// — the same vectors `Adapters/VigilCrypto` pins for swift-crypto.
        @Test("GCM specification test cases 14 and 16; a flipped bit anywhere is refused")
        func vectors() throws {
            let sealer = try SystemCryptoSealer.load()
            #expect(sealer.algorithm == "AES-256-GCM")
            let case14 = try sealer.seal(
                [UInt8](repeating: 0, count: 16), key: [UInt8](repeating: 0, count: 32),
                nonce: [UInt8](repeating: 0, count: 12), authenticating: [])
            #expect(case14.ciphertext == (try Hex.decode("cea7403d4d606b6e074ec5d3baf39d18")))
            #expect(case14.tag == (try Hex.decode("d0d1c8a799996bf0265b98b5d48ab919")))

            let key = try Hex.decode("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308")
            let plaintext = try Hex.decode(
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39")
            let aad = try Hex.decode("feedfacedeadbeeffeedfacedeadbeefabaddad2")
            let nonce = try Hex.decode("cafebabefacedbaddecaf888")
            let case16 = try sealer.seal(plaintext, key: key, nonce: nonce, authenticating: aad)
            #expect(
                case16.ciphertext
                    == (try Hex.decode(
                        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662")))
            #expect(case16.tag == (try Hex.decode("76fc6ece0f4e1768cddf8853bb2d551b")))
            #expect(try sealer.open(case16.ciphertext, tag: case16.tag, key: key, nonce: nonce, authenticating: aad) == plaintext)

            func refused(_ ciphertext: [UInt8], _ tag: [UInt8], _ key: [UInt8], _ aad: [UInt8]) {
                #expect(throws: EvidenceError.self) { try sealer.open(ciphertext, tag: tag, key: key, nonce: nonce, authenticating: aad) }
            }
            var flipped = case16.ciphertext; flipped[7] ^= 0x01
            refused(flipped, case16.tag, key, aad)
            var tag = case16.tag; tag[15] ^= 0x80
            refused(case16.ciphertext, tag, key, aad)
            var otherKey = key; otherKey[0] ^= 1
            refused(case16.ciphertext, case16.tag, otherKey, aad)
            refused(case16.ciphertext, case16.tag, key, Array(aad.dropLast()))
            #expect(throws: EvidenceError.self) { try sealer.seal(plaintext, key: Array(key.prefix(16)), nonce: nonce, authenticating: []) }
        }

        @Test("A vault on libcrypto seals and opens a 1 MiB clip; empty clips and empty AAD work")
        func vault() async throws {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evidence-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let sealer = try SystemCryptoSealer.load()
            let keys = try SealingKeyProvider(keys: ["kek-1": (0..<32).map { UInt8($0 * 7 & 0xFF) }], current: "kek-1", sealer: sealer)
            let vault = EvidenceVault(store: try FileSystemEvidenceStore(directory: directory), sealer: sealer, keys: keys)
            let clip = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
            let receipt = try await vault.seal(clip, recordingId: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
            #expect(try await vault.open(receipt.objectId).bytes == clip)
            let empty = try await vault.seal([], recordingId: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
            #expect(try await vault.open(empty.objectId).bytes == [])
            let sealed = try sealer.seal(
                [1, 2, 3], key: [UInt8](repeating: 9, count: 32), nonce: [UInt8](repeating: 1, count: 12), authenticating: [])
            #expect(
                try sealer.open(
                    sealed.ciphertext, tag: sealed.tag, key: [UInt8](repeating: 9, count: 32),
                    nonce: [UInt8](repeating: 1, count: 12), authenticating: []) == [1, 2, 3])
        }
    }
#endif
