import Foundation
import VigilCore

/// Flagged evidence in secure storage with envelope encryption, as the seed asks: each object gets
/// its own random 256-bit data key; the clip is sealed with it (AEAD from the ``EnvelopeSealer``);
/// the data key is wrapped by the organisation's key-encryption key (``KeyProvider``) and stored next
/// to the ciphertext. Nothing in the store opens without the KEK.
///
/// ```swift
/// let vault = EvidenceVault(store: try FileSystemEvidenceStore(directory: evidenceDirectory),
///                           sealer: SwiftCryptoSealer.aesGCM, keys: kms)
/// let receipt = try await vault.seal(maskedClip, recordingId: recordingId, contentType: "audio/wav")
/// let link = links.link(for: receipt.objectId, expiresIn: .seconds(900))   // the verdict's evidenceSnippet
/// ```
///
/// **Envelope** (version 1): `VGEV` · `0x01` · header length (4 bytes, big-endian) · header · ciphertext ·
/// tag. The header is canonical JSON (sorted keys) of `algorithm`, `contentType`, `createdAt`, `keyId`,
/// `nonce`, `objectId`, `recordingId`, `wrappedKey`; it is the AEAD's associated data, so changing any
/// of it — another recording id, another object id — makes the envelope fail to open.
public struct EvidenceVault: Sendable {
    /// The envelopes' storage.
    public let store: any EvidenceStore
    /// The cipher.
    public let sealer: any EnvelopeSealer
    /// The key-encryption keys.
    public let keys: any KeyProvider
    private let now: @Sendable () -> Date

    /// What sealing produced.
    public struct Receipt: Sendable, Hashable {
        /// The object's id (`ev_` + 32 hex digits).
        public var objectId: String
        /// The key-encryption key that wrapped its data key.
        public var keyId: String
        /// The envelope's size in bytes.
        public var envelopeBytes: Int
    }

    /// An opened envelope.
    public struct Evidence: Sendable, Hashable {
        /// The clip.
        public var bytes: [UInt8]
        /// The metadata that was sealed with it.
        public var header: Header
    }

    /// The authenticated metadata of an envelope.
    public struct Header: Codable, Sendable, Hashable {
        public var algorithm: String
        public var contentType: String
        public var createdAt: Int64
        public var keyId: String
        public var nonce: String
        public var objectId: String
        public var recordingId: String
        public var wrappedKey: String
    }

    static let magic: [UInt8] = Array("VGEV".utf8)
    static let version: UInt8 = 1
    static let maximumHeaderBytes = 4_096

    /// Creates a vault.
    public init(
        store: any EvidenceStore, sealer: any EnvelopeSealer, keys: any KeyProvider,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.sealer = sealer
        self.keys = keys
        self.now = now
    }

    /// Whether `id` is an object id this vault issues (`ev_` + 32 lowercase hex digits).
    public static func isValidObjectId(_ id: String) -> Bool {
        id.utf8.count == 35 && id.hasPrefix("ev_") && id.utf8.dropFirst(3).allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Seals `clip` (already masked: the vault stores what it is given) and stores the envelope.
    ///
    /// - Throws: the provider's, sealer's or store's error; nothing is stored unless all succeed.
    public func seal(_ clip: [UInt8], recordingId: String, contentType: String = "audio/wav") async throws -> Receipt {
        let objectId = "ev_" + EvidenceRandom.bytes(16).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        var dataKey = EvidenceRandom.bytes(EnvelopeSizes.keyBytes)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        let nonce = EvidenceRandom.bytes(EnvelopeSizes.nonceBytes)
        let wrapped = try await keys.wrap(dataKey, context: objectId)
        let header = Header(
            algorithm: sealer.algorithm, contentType: contentType,
            createdAt: Int64(now().timeIntervalSince1970), keyId: wrapped.keyId,
            nonce: Base64.encode(nonce), objectId: objectId, recordingId: recordingId,
            wrappedKey: Base64.encode(wrapped.bytes))
        let headerBytes = try Self.encode(header)
        let sealed = try sealer.seal(clip, key: dataKey, nonce: nonce, authenticating: headerBytes)
        var envelope = Self.magic + [Self.version]
        let count = UInt32(headerBytes.count)
        envelope += [UInt8(count >> 24), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        envelope += headerBytes + sealed.ciphertext + sealed.tag
        try await store.put(envelope, id: objectId)
        return Receipt(objectId: objectId, keyId: wrapped.keyId, envelopeBytes: envelope.count)
    }

    /// Reads and opens the object.
    ///
    /// - Throws: ``EvidenceError`` — `notFound`, `malformedEnvelope`, `unknownKey`, `authenticationFailed`
    ///   (a tampered envelope or a header moved from another object).
    public func open(_ objectId: String) async throws -> Evidence {
        guard Self.isValidObjectId(objectId) else { throw EvidenceError(.invalidObjectId, "not an evidence object id") }
        guard let envelope = try await store.get(id: objectId) else { throw EvidenceError(.notFound, "no evidence \(objectId)") }
        let (header, headerBytes, body) = try Self.parse(envelope)
        guard header.objectId == objectId else {
            throw EvidenceError(.authenticationFailed, "the envelope stored as \(objectId) names another object")
        }
        guard header.algorithm == sealer.algorithm else {
            throw EvidenceError(.malformedEnvelope, "the envelope was sealed with \(header.algorithm), this vault runs \(sealer.algorithm)")
        }
        guard let nonce = try? Base64.decode(header.nonce), nonce.count == EnvelopeSizes.nonceBytes,
            let wrappedBytes = try? Base64.decode(header.wrappedKey), body.count >= EnvelopeSizes.tagBytes
        else {
            throw EvidenceError(.malformedEnvelope, "the envelope's nonce, wrapped key or tag is malformed")
        }
        var dataKey = try await keys.unwrap(WrappedKey(keyId: header.keyId, bytes: wrappedBytes), context: objectId)
        defer { for index in dataKey.indices { dataKey[index] = 0 } }
        do {
            let clip = try sealer.open(
                Array(body.dropLast(EnvelopeSizes.tagBytes)), tag: Array(body.suffix(EnvelopeSizes.tagBytes)),
                key: dataKey, nonce: nonce, authenticating: headerBytes)
            return Evidence(bytes: clip, header: header)
        } catch {
            throw EvidenceError(.authenticationFailed, "the evidence \(objectId) does not verify")
        }
    }

    static func encode(_ header: Header) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return [UInt8](try encoder.encode(header))
    }

    static func parse(_ envelope: [UInt8]) throws(EvidenceError) -> (Header, [UInt8], ArraySlice<UInt8>) {
        guard envelope.count > 9, Array(envelope[0..<4]) == magic else {
            throw EvidenceError(.malformedEnvelope, "not a Vigil evidence envelope")
        }
        guard envelope[4] == version else { throw EvidenceError(.malformedEnvelope, "envelope version \(envelope[4]) is not 1") }
        let length = envelope[5..<9].reduce(0) { $0 << 8 | Int($1) }
        guard length > 0, length <= maximumHeaderBytes, 9 + length <= envelope.count else {
            throw EvidenceError(.malformedEnvelope, "the envelope's header length does not fit")
        }
        let headerBytes = Array(envelope[9..<(9 + length)])
        guard let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes)) else {
            throw EvidenceError(.malformedEnvelope, "the envelope's header is not readable")
        }
        return (header, headerBytes, envelope[(9 + length)...])
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
