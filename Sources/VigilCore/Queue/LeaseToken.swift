import Foundation

/// An opaque proof of ownership handed out by a ``JobQueue`` lease or an idempotency-store claim.
///
/// A token is a random, unguessable string (128 random bits as 32 hex digits by default). Whoever holds it may finish the work it
/// stands for (`ack`, `retry`, `complete`, `release`); once the lease behind it expires or is replaced,
/// the token is stale and those calls fail (or, for `release`, do nothing). A token never identifies the
/// job or key it belongs to, so it is safe to log.
///
/// It encodes as a single string, so a host store can keep it in a plain text column.
public struct LeaseToken: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The token's text. Treat it as opaque: compare it, store it, never parse it.
    public let rawValue: String

    /// Wraps an existing token string — one a host store read back from its own storage.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a new random token.
    public init() {
        // 128 bits from the system's secure generator, as 32 lowercase hex digits, written into a
        // fixed buffer: unique across processes and machines without Foundation's UUID formatting
        // (a token is made on every claim and lease, on the webhook hot path).
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        let digits: StaticString = "0123456789abcdef"
        self.rawValue = String(unsafeUninitializedCapacity: 32) { buffer in
            digits.withUTF8Buffer { hex in
                for index in 0..<16 {
                    let shift = UInt64(60 - 4 * index)
                    buffer[index] = hex[Int((high >> shift) & 0xF)]
                    buffer[16 + index] = hex[Int((low >> shift) & 0xF)]
                }
            }
            return 32
        }
    }

    /// A new random token.
    public static func random() -> LeaseToken { LeaseToken() }

    /// Decodes a token from a single string.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.rawValue = try container.decode(String.self)
    }

    /// Encodes the token as a single string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The token's text.
    public var description: String { rawValue }
}
