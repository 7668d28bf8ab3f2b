import Foundation
import Testing
@_spi(VigilInternal) import VigilCore

@testable import VigilEvidence

/// A stand-in AEAD for the vault's logic tests only — encrypt-then-MAC from HMAC-SHA256 (keystream
/// HMAC(key, nonce ‖ counter), tag HMAC(key, "tag" ‖ nonce ‖ aad ‖ ciphertext)). It is *not* what
/// production uses: `Adapters/VigilCrypto` runs the same vault on swift-crypto's AES-GCM and
/// ChaCha20-Poly1305 and pins their published vectors.
struct TestSealer: EnvelopeSealer {
    struct TagMismatch: Error {}
    let algorithm = "TEST-HMAC-CTR"

    func keystream(_ key: [UInt8], _ nonce: [UInt8], count: Int) -> [UInt8] {
        var stream: [UInt8] = []
        var counter: UInt32 = 0
        while stream.count < count {
            let block = nonce + withUnsafeBytes(of: counter.bigEndian, Array.init)
            stream += HMACSHA256.authenticationCode(for: block, key: key).bytes
            counter += 1
        }
        return Array(stream.prefix(count))
    }

    func tag(_ key: [UInt8], _ nonce: [UInt8], _ aad: [UInt8], _ ciphertext: [UInt8]) -> [UInt8] {
        Array(HMACSHA256.authenticationCode(for: Array("tag".utf8) + nonce + aad + ciphertext, key: key).bytes.prefix(16))
    }

    func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws -> (ciphertext: [UInt8], tag: [UInt8]) {
        let ciphertext = zip(plaintext, keystream(key, nonce, count: plaintext.count)).map { $0 ^ $1 }
        return (ciphertext, tag(key, nonce, aad, ciphertext))
    }

    func open(_ ciphertext: [UInt8], tag expected: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws -> [UInt8] {
        guard ConstantTime.equals(tag(key, nonce, aad, ciphertext), expected) else { throw TagMismatch() }
        return zip(ciphertext, keystream(key, nonce, count: ciphertext.count)).map { $0 ^ $1 }
    }
}

@Suite("EvidenceVault: envelope encryption of evidence clips")
struct EvidenceVaultTests {
    static let clip = Array("RIFF....WAVEfmt masked evidence clip".utf8) + (0..<4_000).map { UInt8($0 % 256) }
    static let kekA = (0..<32).map { UInt8($0) }
    static let kekB = (0..<32).map { UInt8(255 - $0) }

    static func directory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("vigil-evidence-\(UUID().uuidString)")
    }

    static func vault(_ directory: URL, current: String = "kek-a") throws -> EvidenceVault {
        let keys = try SealingKeyProvider(keys: ["kek-a": kekA, "kek-b": kekB], current: current, sealer: TestSealer())
        return EvidenceVault(store: try FileSystemEvidenceStore(directory: directory), sealer: TestSealer(), keys: keys)
    }

    @Test("Sealed, stored as ciphertext with owner-only permissions, opened with its metadata")
    func roundTrip() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vault = try Self.vault(directory)
        let receipt = try await vault.seal(Self.clip, recordingId: "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        #expect(EvidenceVault.isValidObjectId(receipt.objectId))
        #expect(receipt.keyId == "kek-a")
        let file = directory.appendingPathComponent(receipt.objectId + ".vgev")
        let stored = try #require(FileManager.default.contents(atPath: file.path))
        #expect(stored.count == receipt.envelopeBytes)
        // The clip's bytes are nowhere in the file.
        #expect(Data(stored).range(of: Data("masked evidence clip".utf8)) == nil)
        let mode = try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let opened = try await vault.open(receipt.objectId)
        #expect(opened.bytes == Self.clip)
        #expect(opened.header.recordingId == "a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        #expect(opened.header.algorithm == "TEST-HMAC-CTR" && opened.header.contentType == "audio/wav")
        // Two seals of the same clip: different objects, keys and nonces, different ciphertexts.
        let second = try await vault.seal(Self.clip, recordingId: "r")
        #expect(second.objectId != receipt.objectId)
        let other = try #require(FileManager.default.contents(atPath: directory.appendingPathComponent(second.objectId + ".vgev").path))
        #expect(Data(other).suffix(200) != Data(stored).suffix(200))
    }

    @Test("Any change — ciphertext, tag, a header field, a moved envelope, another KEK — fails to open")
    func tampering() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let vault = try Self.vault(directory)
        let store = try FileSystemEvidenceStore(directory: directory)
        let receipt = try await vault.seal(Self.clip, recordingId: "rec-1")
        let envelope = try #require(try await store.get(id: receipt.objectId))

        func expectFailure(_ bytes: [UInt8], _ code: EvidenceError.Code, id: String? = nil) async throws {
            let target = id ?? receipt.objectId
            try await store.put(bytes, id: target)
            let error = await #expect(throws: EvidenceError.self) { _ = try await vault.open(target) }
            #expect(error?.code == code, "\(String(describing: error))")
        }
        var flipped = envelope
        flipped[flipped.count - 40] ^= 1  // ciphertext
        try await expectFailure(flipped, .authenticationFailed)
        flipped = envelope
        flipped[flipped.count - 1] ^= 1  // tag
        try await expectFailure(flipped, .authenticationFailed)
        let text = String(decoding: envelope, as: UTF8.self)
        let relabelled = Array(text.replacingOccurrences(of: "\"recordingId\":\"rec-1\"", with: "\"recordingId\":\"rec-2\"").utf8)
        #expect(relabelled != envelope)
        try await expectFailure(relabelled, .authenticationFailed)  // header (associated data)
        let moved = "ev_" + String(repeating: "0", count: 32)
        try await expectFailure(envelope, .authenticationFailed, id: moved)  // stored under another id
        try await expectFailure(Array(envelope.prefix(8)), .malformedEnvelope)
        try await expectFailure(Array("not an envelope at all".utf8), .malformedEnvelope)
        // A vault whose provider lacks the KEK that wrapped the key.
        try await store.put(envelope, id: receipt.objectId)
        let stranger = EvidenceVault(
            store: store, sealer: TestSealer(),
            keys: try SealingKeyProvider(keys: ["kek-b": Self.kekB], current: "kek-b", sealer: TestSealer()))
        let unknown = await #expect(throws: EvidenceError.self) { _ = try await stranger.open(receipt.objectId) }
        #expect(unknown?.code == .unknownKey)
        // No description carries key material or evidence bytes.
        let description = unknown.map(String.init(describing:)) ?? ""
        #expect(!description.contains("masked"))
    }

    @Test("Key rotation: new objects use the current KEK; old ones keep opening")
    func rotation() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let old = try await Self.vault(directory, current: "kek-a").seal(Self.clip, recordingId: "r")
        let rotated = try Self.vault(directory, current: "kek-b")
        let new = try await rotated.seal(Self.clip, recordingId: "r")
        #expect(new.keyId == "kek-b")
        #expect(try await rotated.open(old.objectId).bytes == Self.clip)
        #expect(try await rotated.open(new.objectId).bytes == Self.clip)
    }

    @Test("Bad ids and keys are refused before any file is touched")
    func refusals() async throws {
        let directory = Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try FileSystemEvidenceStore(directory: directory)
        for id in ["../etc/passwd", "ev_ABCDEF", "ev_" + String(repeating: "g", count: 32), ""] {
            await #expect(throws: EvidenceError.self) { try await store.put([1], id: id) }
            await #expect(throws: EvidenceError.self) { _ = try await Self.vault(directory).open(id) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        #expect(throws: EvidenceError.self) { try SealingKeyProvider(keys: ["k": [1, 2, 3]], current: "k", sealer: TestSealer()) }
        #expect(throws: EvidenceError.self) { try SealingKeyProvider(keys: ["k": Self.kekA], current: "other", sealer: TestSealer()) }
        let missing = await #expect(throws: EvidenceError.self) {
            _ = try await Self.vault(directory).open("ev_" + String(repeating: "a", count: 32))
        }
        #expect(missing?.code == .notFound)
        try await store.delete(id: "ev_" + String(repeating: "a", count: 32))  // nothing there: no error
    }
}

@Suite("EvidenceLinks: short-lived signed links")
struct EvidenceLinkTests {
    final class Clock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_800_000_000)
    }

    @Test("A link verifies until it expires; a changed id, expiry or signature, or a too-long lifetime, does not")
    func links() throws {
        let clock = Clock()
        let links = try EvidenceLinks(
            base: URL(string: "https://vigil.example.com/evidence")!, secret: Array(repeating: 7, count: 32),
            now: { clock.now })
        let id = "ev_" + String(repeating: "ab", count: 16)
        let url = links.link(for: id, expiresIn: .seconds(900))
        let items = Dictionary(
            uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(url.path == "/evidence/\(id)")
        #expect(items["expires"] == "1800000900")
        let signature = try #require(items["signature"])
        try links.verify(objectId: id, expires: "1800000900", signature: signature)
        func refused(_ objectId: String, _ expires: String, _ signature: String, _ reason: String) {
            let error = #expect(throws: EvidenceError.self) { try links.verify(objectId: objectId, expires: expires, signature: signature) }
            #expect(error?.code == .invalidLink && error?.detail.contains(reason) == true, "\(String(describing: error))")
        }
        refused("ev_" + String(repeating: "cd", count: 16), "1800000900", signature, "signature")
        refused(id, "1800000901", signature, "signature")
        refused(id, "soon", signature, "not a number")
        refused("../x", "1800000900", signature, "object id")
        refused(id, "1800999999", signature, "longer than links may")
        clock.now = Date(timeIntervalSince1970: 1_800_000_901)
        refused(id, "1800000900", signature, "expired")
        // Lifetimes are capped at the maximum.
        let capped = links.link(for: id, expiresIn: .seconds(86_400))
        #expect(capped.query?.contains("expires=\(1_800_000_901 + 3_600)") == true)
        #expect(throws: EvidenceError.self) { try EvidenceLinks(base: URL(string: "https://x")!, secret: [1, 2, 3]) }
    }
}
