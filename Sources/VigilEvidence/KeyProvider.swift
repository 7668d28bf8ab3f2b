/// A data key wrapped by the organisation's key-encryption key, as stored in an envelope.
public struct WrappedKey: Sendable, Hashable, Codable {
    /// Which key-encryption key wrapped it (the provider's key id: a KMS key ARN, a key name).
    public var keyId: String
    /// The wrapped bytes, opaque to Vigil.
    public var bytes: [UInt8]

    /// Creates a wrapped key.
    public init(keyId: String, bytes: [UInt8]) {
        self.keyId = keyId
        self.bytes = bytes
    }
}

/// Holds the key-encryption key (KEK) — in production the organisation's KMS or HSM, which never
/// hands the KEK out: Vigil sends it each object's fresh data key to wrap and, to read the object
/// back, the wrapped key to unwrap. `context` (the object id) must be bound by the provider
/// (KMS encryption context, AEAD associated data), so a wrapped key cannot be moved to another object.
public protocol KeyProvider: Sendable {
    /// The key id new data keys are wrapped with.
    var currentKeyId: String { get }

    /// Wraps a 32-byte data key for the object `context`.
    func wrap(_ dataKey: [UInt8], context: String) async throws -> WrappedKey

    /// Unwraps a data key wrapped for `context`; throws when the key id is unknown or the bytes or the
    /// context do not match.
    func unwrap(_ wrapped: WrappedKey, context: String) async throws -> [UInt8]
}

/// A ``KeyProvider`` over key-encryption keys the host holds itself (from a secret store), wrapping
/// with the given ``EnvelopeSealer``: `nonce ‖ ciphertext ‖ tag`, the context as associated data.
/// Several keys for rotation: new data keys use ``currentKeyId``; old envelopes keep opening with
/// the key they name.
public struct SealingKeyProvider: KeyProvider {
    /// The key new data keys are wrapped with.
    public let currentKeyId: String
    private let keys: [String: [UInt8]]
    private let sealer: any EnvelopeSealer

    /// Creates the provider.
    ///
    /// - Throws: ``EvidenceError/Code/invalidKey`` when a key is not 32 bytes or `current` is not among them.
    public init(keys: [String: [UInt8]], current: String, sealer: any EnvelopeSealer) throws(EvidenceError) {
        guard keys[current] != nil else { throw EvidenceError(.invalidKey, "the current key id is not among the keys") }
        guard keys.values.allSatisfy({ $0.count == EnvelopeSizes.keyBytes }) else {
            throw EvidenceError(.invalidKey, "every key-encryption key must be \(EnvelopeSizes.keyBytes) bytes")
        }
        self.keys = keys
        currentKeyId = current
        self.sealer = sealer
    }

    public func wrap(_ dataKey: [UInt8], context: String) async throws -> WrappedKey {
        let nonce = EvidenceRandom.bytes(EnvelopeSizes.nonceBytes)
        let sealed = try sealer.seal(dataKey, key: keys[currentKeyId]!, nonce: nonce, authenticating: Array(context.utf8))
        return WrappedKey(keyId: currentKeyId, bytes: nonce + sealed.ciphertext + sealed.tag)
    }

    public func unwrap(_ wrapped: WrappedKey, context: String) async throws -> [UInt8] {
        guard let key = keys[wrapped.keyId] else { throw EvidenceError(.unknownKey, "no key-encryption key with the envelope's key id") }
        let bytes = wrapped.bytes
        guard bytes.count == EnvelopeSizes.nonceBytes + EnvelopeSizes.keyBytes + EnvelopeSizes.tagBytes else {
            throw EvidenceError(.malformedEnvelope, "the wrapped key has the wrong length")
        }
        let nonce = Array(bytes[..<EnvelopeSizes.nonceBytes])
        let ciphertext = Array(bytes[EnvelopeSizes.nonceBytes..<(bytes.count - EnvelopeSizes.tagBytes)])
        let tag = Array(bytes[(bytes.count - EnvelopeSizes.tagBytes)...])
        do {
            return try sealer.open(ciphertext, tag: tag, key: key, nonce: nonce, authenticating: Array(context.utf8))
        } catch {
            throw EvidenceError(.authenticationFailed, "the wrapped key does not open with its key-encryption key and object")
        }
    }
}

/// Key and nonce material from the system's CSPRNG (`getrandom` on Linux, `SecRandomCopyBytes` /
/// `arc4random` on Apple platforms, through Swift's `SystemRandomNumberGenerator`).
enum EvidenceRandom {
    static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
