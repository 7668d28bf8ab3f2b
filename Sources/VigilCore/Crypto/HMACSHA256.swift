/// Incremental HMAC-SHA256 (RFC 2104 with SHA-256) in pure Swift.
///
/// The key is processed once, in ``init(key:)``: the hasher states after the inner (`key ⊕ ipad`)
/// and outer (`key ⊕ opad`) blocks are kept, so each message costs only its own hashing. To MAC many
/// messages with one key, create the value once and copy it per message:
///
/// ```swift
/// let keyed = HMACSHA256(key: secret)        // once
/// var mac = keyed                            // per message: a plain copy, no allocation
/// mac.update(body)
/// let tag = mac.finalize()
/// ```
///
/// The value holds key-derived state, which is as sensitive as the key itself; its `description`
/// and mirror are redacted so that it does not end up in logs.
@_spi(VigilInternal) public struct HMACSHA256: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Hasher state after absorbing `key ⊕ ipad`; message bytes are added to it.
    private var inner: PortableSHA256
    /// Hasher state after absorbing `key ⊕ opad`; the inner digest is added to it at the end.
    private let outer: PortableSHA256

    /// Creates an authenticator for `key`.
    ///
    /// Keys longer than the 64-byte block are hashed first, as RFC 2104 requires; shorter keys are
    /// padded with zeros. Any key length, including zero, is accepted.
    public init(key: some Sequence<UInt8>) {
        let keyed =
            key.withContiguousStorageIfAvailable { Self.keyedHashers(UnsafeRawBufferPointer($0)) }
            ?? Array(key).withUnsafeBytes { Self.keyedHashers($0) }
        inner = keyed.inner
        outer = keyed.outer
    }

    /// The hasher states after absorbing `K ⊕ ipad` and `K ⊕ opad`, where `K` is `key` zero-padded
    /// to the 64-byte block, or its SHA-256 digest zero-padded if it is longer than a block.
    private static func keyedHashers(
        _ key: UnsafeRawBufferPointer
    ) -> (inner: PortableSHA256, outer: PortableSHA256) {
        // The padded key lives inline on the stack and is zeroed before returning (best effort:
        // Swift has no guaranteed way to keep the optimiser from dropping dead stores).
        var block: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var inner = PortableSHA256()
        var outer = PortableSHA256()
        withUnsafeMutableBytes(of: &block) { padded in
            if key.count > PortableSHA256.blockSize {
                var hasher = PortableSHA256()
                hasher.update(key)
                hasher.finalize().withUnsafeBytes { padded.copyMemory(from: $0) }
            } else {
                padded.copyMemory(from: key)
            }
            let words = padded.bindMemory(to: UInt64.self)
            for index in words.indices { words[index] ^= 0x3636_3636_3636_3636 }
            inner.update(UnsafeRawBufferPointer(padded))
            for index in words.indices { words[index] ^= 0x3636_3636_3636_3636 ^ 0x5c5c_5c5c_5c5c_5c5c }
            outer.update(UnsafeRawBufferPointer(padded))
            for index in words.indices { words[index] = 0 }
        }
        return (inner, outer)
    }

    /// Absorbs `bytes` into the message.
    ///
    /// Collections with contiguous storage (`[UInt8]`, `ArraySlice<UInt8>`, `Data`, …) are hashed
    /// in place; other sequences are consumed byte by byte.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        inner.update(contentsOf: bytes)
    }

    /// Absorbs the bytes of `buffer` into the message.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        inner.update(buffer)
    }

    /// Absorbs the UTF-8 encoding of `string` into the message.
    public mutating func update(_ string: String) {
        inner.update(utf8: string)
    }

    /// Finishes the computation and returns the authentication code.
    ///
    /// Like ``SHA256Hasher/finalize()``, this is `consuming`: on a `var` that you keep using it
    /// works on a copy and leaves the original able to absorb more input.
    public consuming func finalize() -> SHA256Digest {
        let innerDigest = inner.finalize()
        var outerHasher = outer
        innerDigest.withUnsafeBytes { outerHasher.update($0) }
        return outerHasher.finalize()
    }

    /// The HMAC-SHA256 of `message` under `key`.
    public static func authenticationCode(
        for message: some Sequence<UInt8>,
        key: some Sequence<UInt8>
    ) -> SHA256Digest {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// The HMAC-SHA256 of the UTF-8 encoding of `message` under `key`.
    public static func authenticationCode(for message: String, key: some Sequence<UInt8>) -> SHA256Digest {
        var mac = HMACSHA256(key: key)
        mac.update(message)
        return mac.finalize()
    }

    /// Checks a received MAC against the HMAC-SHA256 of `message` under `key`, in constant time.
    ///
    /// Only a full 32-byte MAC can be valid: a shorter (truncated) or longer `mac` returns `false`.
    /// If a protocol really uses truncated MACs, compare the prefix explicitly with
    /// ``ConstantTime/equals(_:_:)``.
    public static func isValid(
        _ mac: some Collection<UInt8>,
        for message: some Sequence<UInt8>,
        key: some Sequence<UInt8>
    ) -> Bool {
        let expected = authenticationCode(for: message, key: key)
        return expected.withUnsafeBytes { ConstantTime.equals(mac, $0) }
    }

    /// A redacted placeholder: the value holds key-derived state.
    public var description: String { "HMACSHA256(<redacted>)" }

    /// A redacted placeholder: the value holds key-derived state.
    public var debugDescription: String { description }

    /// An empty mirror, so that `dump` and debuggers do not print key-derived state.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
