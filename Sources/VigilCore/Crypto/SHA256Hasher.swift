/// Incremental SHA-256 (FIPS 180-4), without dependencies.
///
/// ```swift
/// var hasher = SHA256Hasher()
/// hasher.update("abc")
/// hasher.update(moreBytes)
/// let digest = hasher.finalize()
/// ```
///
/// It does not route through CryptoKit or OpenSSL: the compression function runs on the CPU's SHA
/// instructions where an x86-64 CPU has them (checked once with CPUID), and in Swift everywhere else.
/// HMAC over 1 MiB on the reference machine: 1.34 GB/s on the instructions, 0.37 GB/s in Swift,
/// 1.79 GB/s for swift-crypto (`Benchmarks/CryptoBenchmarks`). Both paths give the same digests and
/// the tests compare them.
/// A hasher is a plain value with no heap storage: copying one forks the computation, which is a
/// cheap way to hash several messages that share a prefix.
@_spi(VigilInternal) public struct SHA256Hasher: Sendable {
    private var engine = PortableSHA256()

    /// Creates a hasher for a new message.
    public init() {}

    /// Absorbs `bytes`.
    ///
    /// Collections with contiguous storage (`[UInt8]`, `ArraySlice<UInt8>`, `Data`, …) are hashed
    /// in place; other sequences are consumed byte by byte.
    public mutating func update(_ bytes: some Sequence<UInt8>) {
        engine.update(contentsOf: bytes)
    }

    /// Absorbs the bytes of `buffer`.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        engine.update(buffer)
    }

    /// Absorbs the UTF-8 encoding of `string`.
    public mutating func update(_ string: String) {
        engine.update(utf8: string)
    }

    /// Finishes the computation and returns the digest.
    ///
    /// The method is `consuming`: a `let` hasher, or a `var` that is not used again, is finished in
    /// place. Calling it on a `var` that you keep using works on a copy, so the original can still
    /// absorb more input (useful for digests of a growing prefix).
    public consuming func finalize() -> SHA256Digest {
        engine.finalize()
    }

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: some Sequence<UInt8>) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 digest of the UTF-8 encoding of `string`.
    public static func hash(_ string: String) -> SHA256Digest {
        var hasher = SHA256Hasher()
        hasher.update(string)
        return hasher.finalize()
    }
}
