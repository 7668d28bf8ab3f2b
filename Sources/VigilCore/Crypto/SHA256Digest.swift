/// A 32-byte SHA-256 digest, as produced by ``SHA256Hasher`` and ``HMACSHA256``.
///
/// The digest is stored inline (no heap allocation). Iterating it yields its 32 bytes in order;
/// ``bytes`` copies them into an array and ``hex`` renders them as lowercase hexadecimal.
///
/// `==` compares all 32 bytes without an early exit, so comparing two digests takes the same time
/// wherever they differ. To check a MAC received from outside (which may be truncated or of the
/// wrong length), prefer ``HMACSHA256/isValid(_:for:key:)`` or ``ConstantTime/equals(_:_:)``.
@_spi(VigilInternal) public struct SHA256Digest: Sendable, Hashable, Sequence, CustomStringConvertible {
    /// The digest as four big-endian 64-bit words: byte 0 is the top byte of `word0`.
    private let word0: UInt64
    private let word1: UInt64
    private let word2: UInt64
    private let word3: UInt64

    /// The number of bytes in a SHA-256 digest.
    public static let byteCount = 32

    init(state: PortableSHA256.State) {
        word0 = UInt64(state.h0) << 32 | UInt64(state.h1)
        word1 = UInt64(state.h2) << 32 | UInt64(state.h3)
        word2 = UInt64(state.h4) << 32 | UInt64(state.h5)
        word3 = UInt64(state.h6) << 32 | UInt64(state.h7)
    }

    /// The byte at `index` (`0..<32`).
    @inline(__always)
    func byte(at index: Int) -> UInt8 {
        let word: UInt64
        switch index &>> 3 {
        case 0: word = word0
        case 1: word = word1
        case 2: word = word2
        default: word = word3
        }
        return UInt8(truncatingIfNeeded: word &>> UInt64(56 &- 8 &* (index & 7)))
    }

    /// Calls `body` with the 32 digest bytes in a temporary buffer, without allocating.
    func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        var bigEndianWords = (word0.bigEndian, word1.bigEndian, word2.bigEndian, word3.bigEndian)
        return try Swift.withUnsafeBytes(of: &bigEndianWords, body)
    }

    /// The 32 digest bytes.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// The digest as 64 lowercase hexadecimal digits.
    public var hex: String {
        withUnsafeBytes { Hex.encode($0) }
    }

    /// The lowercase hexadecimal form, same as ``hex``. Digests are not secret, so they print in full.
    public var description: String { hex }

    /// Returns an iterator over the 32 digest bytes.
    public func makeIterator() -> Iterator {
        Iterator(digest: self)
    }

    /// The number of bytes in the digest (always 32).
    public var underestimatedCount: Int { Self.byteCount }

    /// Exposes the digest bytes to algorithms that can use contiguous storage.
    public func withContiguousStorageIfAvailable<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws -> Result
    ) rethrows -> Result? {
        try withUnsafeBytes { raw in try body(raw.assumingMemoryBound(to: UInt8.self)) }
    }

    /// Compares two digests in time independent of where they differ.
    public static func == (lhs: SHA256Digest, rhs: SHA256Digest) -> Bool {
        let difference =
            (lhs.word0 ^ rhs.word0) | (lhs.word1 ^ rhs.word1)
            | (lhs.word2 ^ rhs.word2) | (lhs.word3 ^ rhs.word3)
        return difference == 0
    }

    /// Feeds the 32 digest bytes into `hasher`.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(word0)
        hasher.combine(word1)
        hasher.combine(word2)
        hasher.combine(word3)
    }

    /// Iterates over the bytes of a ``SHA256Digest``, first to last.
    public struct Iterator: IteratorProtocol, Sendable {
        private let digest: SHA256Digest
        private var index = 0

        init(digest: SHA256Digest) {
            self.digest = digest
        }

        /// Returns the next byte, or `nil` after the 32nd.
        public mutating func next() -> UInt8? {
            guard index < SHA256Digest.byteCount else { return nil }
            defer { index += 1 }
            return digest.byte(at: index)
        }
    }
}
