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
public struct HMACSHA256: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Hasher state after absorbing `key ⊕ ipad`; message bytes are added to it.
    private var inner: PortableSHA256
    /// Hasher state after absorbing `key ⊕ opad`; the inner digest is added to it at the end.
    private let outer: PortableSHA256

    /// Creates an authenticator for `key`.
    ///
    /// Keys longer than the 64-byte block are hashed first, as RFC 2104 requires; shorter keys are
    /// padded with zeros. Any key length, including zero, is accepted.
    public init(key: some Sequence<UInt8>) {
        // 64-byte padded key, inline, so that no copy of the key lingers on the heap.
        var paddedKey: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
        var keyLength = 0
        var longKeyHasher: PortableSHA256?
        withUnsafeMutableBytes(of: &paddedKey) { block in
            for byte in key {
                if keyLength < PortableSHA256.blockSize {
                    block[keyLength] = byte
                } else {
                    if longKeyHasher == nil {
                        var hasher = PortableSHA256()
                        hasher.update(UnsafeRawBufferPointer(block))
                        longKeyHasher = hasher
                    }
                    longKeyHasher?.update(byte: byte)
                }
                keyLength += 1
            }
            if var hasher = longKeyHasher {
                let digest = hasher.finalize()
                for index in 0..<PortableSHA256.blockSize {
                    block[index] = index < SHA256Digest.byteCount ? digest.byte(at: index) : 0
                }
            }
        }

        var innerHasher = PortableSHA256()
        var outerHasher = PortableSHA256()
        withUnsafeMutableBytes(of: &paddedKey) { block in
            for index in block.indices { block[index] ^= 0x36 }
            innerHasher.update(UnsafeRawBufferPointer(block))
            for index in block.indices { block[index] ^= 0x36 ^ 0x5c }
            outerHasher.update(UnsafeRawBufferPointer(block))
            for index in block.indices { block[index] = 0 }
        }
        inner = innerHasher
        outer = outerHasher
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
