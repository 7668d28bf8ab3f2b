/// An AEAD cipher from a real implementation — AES-256-GCM or ChaCha20-Poly1305 from CryptoKit,
/// swift-crypto (`Adapters/VigilCrypto`'s `SwiftCryptoSealer`) or the system's libcrypto — never one
/// written here. Vigil's ``EvidenceVault`` generates the keys and nonces and binds every envelope's
/// metadata as authenticated data; the sealer only runs the cipher.
public protocol EnvelopeSealer: Sendable {
    /// The algorithm's name as recorded in each envelope (`AES-256-GCM`, `ChaCha20-Poly1305`).
    var algorithm: String { get }

    /// Encrypts `plaintext` under a 32-byte `key` and a 12-byte `nonce`, authenticating `aad`.
    ///
    /// - Returns: the ciphertext (as long as the plaintext) and the 16-byte tag.
    func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> (ciphertext: [UInt8], tag: [UInt8])

    /// Decrypts and verifies; throws when the tag does not match (wrong key, altered bytes or metadata).
    func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticating aad: [UInt8]) throws
        -> [UInt8]
}

/// Sizes every ``EnvelopeSealer`` works with.
public enum EnvelopeSizes {
    /// Key length: 256 bits.
    public static let keyBytes = 32
    /// Nonce length: 96 bits.
    public static let nonceBytes = 12
    /// Tag length: 128 bits.
    public static let tagBytes = 16
}
