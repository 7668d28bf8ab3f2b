@_spi(VigilInternal) import VigilCore

/// An organisation's secret key for deterministic tokens.
///
/// A token is `tok_<tag>_<22 base64url characters>`: the first 16 bytes of
/// HMAC-SHA256(key, `"vigil.token.v1" ‖ 0x00 ‖ tag ‖ 0x00 ‖ normalised value`). So:
/// - equal values give equal tokens under one key (a card can be counted, joined and searched for
///   across calls without being stored);
/// - the kind's tag is part of the MAC input, so the same digits as a card and as a phone number
///   give unrelated tokens;
/// - without the key, a token cannot be reversed — not even by hashing all 10¹⁶ card numbers, which
///   is exactly what breaks an *unkeyed* hash of a PAN, whose values are few and structured.
///
/// The key is as sensitive as the data it protects: keep it in the host's secret store, and rotate
/// it knowing that tokens change with it. The value's description and mirror are redacted.
public struct TokenKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let mac: HMACSHA256

    /// The minimum key length in bytes.
    public static let minimumByteCount = 16

    /// Creates a key from `bytes` (at least 16; 32 random bytes recommended).
    ///
    /// - Throws: ``RedactionError/Code/invalidTokenKey`` when `bytes` is shorter than 16 bytes.
    public init(_ bytes: some Sequence<UInt8>) throws(RedactionError) {
        let key = Array(bytes)
        guard key.count >= Self.minimumByteCount else { throw RedactionError(.invalidTokenKey) }
        mac = HMACSHA256(key: key)
    }

    /// The token for `value` of `kind`: `tok_<kind.tokenTag>_<base64url>`.
    ///
    /// `value` is used as given; ``Redactor`` passes the normalised value (digits only for card, SSN
    /// and phone numbers, with country code 1 added to 10-digit NANP numbers; lowercased e-mail).
    public func token(for value: some Sequence<UInt8>, kind: PIIKind) -> String {
        var state = mac
        state.update(Self.domain)
        state.update(kind.tokenTag)
        state.update(CollectionOfOne(UInt8(0)))
        state.update(value)
        let digest = state.finalize()
        var token = "tok_"
        token.reserveCapacity(32)
        token += kind.tokenTag
        token += "_"
        token += Base64.encode(digest.bytes.prefix(16), alphabet: .urlSafe, padding: false)
        return token
    }

    /// The token for the UTF-8 bytes of `value` of `kind`.
    public func token(for value: String, kind: PIIKind) -> String {
        token(for: value.utf8, kind: kind)
    }

    private static let domain: [UInt8] = Array("vigil.token.v1".utf8) + [0]

    /// `TokenKey(<redacted>)`.
    public var description: String { "TokenKey(<redacted>)" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// An empty mirror, so that `dump` does not print key-derived state.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
