import Crypto
import Foundation
import VigilEvidence

/// `EnvelopeSealer` on swift-crypto: AES-256-GCM (``aesGCM``) or ChaCha20-Poly1305 (``chaChaPoly``),
/// 32-byte keys, 12-byte nonces, 16-byte tags.
///
/// ```swift
/// let vault = EvidenceVault(store: try FileSystemEvidenceStore(directory: directory),
///                           sealer: SwiftCryptoSealer.aesGCM, keys: kms)
/// ```
public struct SwiftCryptoSealer: EnvelopeSealer {
    /// The cipher.
    public enum Cipher: String, Sendable {
        case aesGCM = "AES-256-GCM"
        case chaChaPoly = "ChaCha20-Poly1305"
    }

    /// AES-256-GCM (hardware AES on current CPUs).
    public static let aesGCM = SwiftCryptoSealer(cipher: .aesGCM)
    /// ChaCha20-Poly1305 (constant time without AES instructions).
    public static let chaChaPoly = SwiftCryptoSealer(cipher: .chaChaPoly)

    /// The cipher in use.
    public let cipher: Cipher

    /// Creates a sealer.
    public init(cipher: Cipher) { self.cipher = cipher }

    public var algorithm: String { cipher.rawValue }

    /// A key, nonce or tag of the wrong size.
    public struct SizeError: Error, CustomStringConvertible {
        public let description: String
    }

    public func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> (ciphertext: [UInt8], tag: [UInt8])
    {
        try Self.check(key: key, nonce: nonce)
        let symmetric = SymmetricKey(data: key)
        switch cipher {
        case .aesGCM:
            let box = try AES.GCM.seal(plaintext, using: symmetric, nonce: try AES.GCM.Nonce(data: nonce), authenticating: aad)
            return (Array(box.ciphertext), Array(box.tag))
        case .chaChaPoly:
            let box = try ChaChaPoly.seal(plaintext, using: symmetric, nonce: try ChaChaPoly.Nonce(data: nonce), authenticating: aad)
            return (Array(box.ciphertext), Array(box.tag))
        }
    }

    public func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> [UInt8]
    {
        try Self.check(key: key, nonce: nonce)
        guard tag.count == EnvelopeSizes.tagBytes else { throw SizeError(description: "the tag must be \(EnvelopeSizes.tagBytes) bytes") }
        let symmetric = SymmetricKey(data: key)
        switch cipher {
        case .aesGCM:
            let box = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
            return Array(try AES.GCM.open(box, using: symmetric, authenticating: aad))
        case .chaChaPoly:
            let box = try ChaChaPoly.SealedBox(nonce: try ChaChaPoly.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
            return Array(try ChaChaPoly.open(box, using: symmetric, authenticating: aad))
        }
    }

    static func check(key: [UInt8], nonce: [UInt8]) throws {
        guard key.count == EnvelopeSizes.keyBytes else { throw SizeError(description: "the key must be \(EnvelopeSizes.keyBytes) bytes") }
        guard nonce.count == EnvelopeSizes.nonceBytes else { throw SizeError(description: "the nonce must be \(EnvelopeSizes.nonceBytes) bytes") }
    }
}
