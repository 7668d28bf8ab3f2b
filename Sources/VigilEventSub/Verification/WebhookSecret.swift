@_spi(VigilInternal) import VigilCore

/// A webhook signing secret, ready to use: decoded once, with its HMAC key schedule precomputed.
///
/// The two schemes derive the HMAC key differently, so each has its own factory:
///
/// - ``standardWebhooks(_:)``: strip an optional `whsec_` prefix, then base64-decode. Unpadded secrets
///   are accepted (the reference Python library appends `==` before decoding), and so are non-zero
///   unused bits in the last character (Python's lenient `b64decode` ignores them; Vigil's strict
///   `Base64` decoder would not, so they are cleared first).
/// - ``stripeStyle(_:)``: the **whole** string's UTF-8 bytes are the key — no prefix stripping, no
///   base64 (Stripe's `secret.encode("utf-8")`).
///
/// Both trim surrounding whitespace and line breaks (a secret pasted from a file often ends in `\n`,
/// which stripe-node warns about) and refuse an empty secret.
///
/// The value is as sensitive as the secret: `description`, `debugDescription` and `dump` show
/// `<redacted>`.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The keyed HMAC state (the key schedule done once).
    let mac: HMACSHA256

    /// Creates a secret from raw key bytes (any scheme).
    ///
    /// - Throws: ``WebhookVerificationError/Code/emptySecret`` for no bytes.
    public init(rawKey: [UInt8]) throws(WebhookVerificationError) {
        guard !rawKey.isEmpty else { throw WebhookVerificationError(.emptySecret, "secret has no bytes") }
        mac = HMACSHA256(key: rawKey)
    }

    /// A Standard Webhooks secret: `whsec_<base64>` (the prefix is optional; padding too).
    ///
    /// - Throws: ``WebhookVerificationError/Code/emptySecret`` or
    ///   ``WebhookVerificationError/Code/malformedSecret`` (never echoing the secret).
    public static func standardWebhooks(_ secret: String) throws(WebhookVerificationError) -> WebhookSecret {
        var text = Substring(trimmed(secret))
        if text.hasPrefix(StandardWebhooks.secretPrefix) { text = text.dropFirst(StandardWebhooks.secretPrefix.count) }
        guard !text.isEmpty else { throw WebhookVerificationError(.emptySecret, "secret is empty") }
        let bytes: [UInt8]
        do {
            bytes = try StandardWebhooks.decodeSecret(String(text))
        } catch {
            throw WebhookVerificationError(.malformedSecret, "secret is not base64 (\(error.code))")
        }
        return try WebhookSecret(rawKey: bytes)
    }

    /// A Stripe-style secret: the UTF-8 bytes of the whole string (e.g. `whsec_…` kept as is).
    ///
    /// - Throws: ``WebhookVerificationError/Code/emptySecret``.
    public static func stripeStyle(_ secret: String) throws(WebhookVerificationError) -> WebhookSecret {
        let text = trimmed(secret)
        guard !text.isEmpty else { throw WebhookVerificationError(.emptySecret, "secret is empty") }
        return try WebhookSecret(rawKey: Array(text.utf8))
    }

    /// The secret for `scheme`: ``standardWebhooks(_:)`` or ``stripeStyle(_:)``.
    public static func make(_ secret: String, for scheme: WebhookSignatureScheme) throws(WebhookVerificationError)
        -> WebhookSecret
    {
        switch scheme.kind {
        case .standardWebhooks: try standardWebhooks(secret)
        case .stripeStyle: try stripeStyle(secret)
        }
    }

    /// HMAC-SHA256 of the concatenated parts under this secret.
    func authenticate(_ parts: [UInt8]...) -> SHA256Digest {
        var copy = mac
        for part in parts { copy.update(part) }
        return copy.finalize()
    }

    /// Always `<redacted>`.
    public var description: String { "WebhookSecret(<redacted>)" }
    /// Always `<redacted>`.
    public var debugDescription: String { description }
    /// An empty mirror.
    public var customMirror: Mirror { Mirror(self, children: [:]) }

    private static func trimmed(_ string: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let first = string.firstIndex(where: { !isSpace($0) }),
            let last = string.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return string[first...last]
    }

}

/// Which signature scheme a ``WebhookVerifier`` or ``WebhookSigner`` speaks.
///
/// | | Standard Webhooks | Stripe-style |
/// |---|---|---|
/// | Headers | `webhook-id`, `webhook-timestamp`, `webhook-signature` | one header (default `Stripe-Signature`): `t=<unix>,v1=<hex>[,v1=…]` |
/// | Signed content | `<id>.<timestamp>.<raw body>` | `<timestamp>.<raw body>` |
/// | Key | base64 after `whsec_` | the secret's UTF-8 bytes |
/// | Signature | base64, `v1,<sig>` entries separated by spaces | lower-case hex, one `v1=` element each |
/// | Non-`v1` entries | skipped | skipped |
public struct WebhookSignatureScheme: Sendable, Hashable, CustomStringConvertible {
    enum Kind: Sendable, Hashable { case standardWebhooks, stripeStyle }

    let kind: Kind
    /// The signature header name (Stripe-style); the Standard Webhooks header names are fixed.
    public let signatureHeader: String

    /// Standard Webhooks v1 (symmetric, HMAC-SHA256).
    public static let standardWebhooks = WebhookSignatureScheme(
        kind: .standardWebhooks,
        signatureHeader: "webhook-signature")

    /// Stripe's `t=…,v1=…` scheme, read from `header` (default `Stripe-Signature`).
    public static func stripeStyle(header: String = "Stripe-Signature") -> WebhookSignatureScheme {
        WebhookSignatureScheme(kind: .stripeStyle, signatureHeader: header)
    }

    /// `standardWebhooks` or `stripeStyle(<header>)`.
    public var description: String {
        switch kind {
        case .standardWebhooks: "standardWebhooks"
        case .stripeStyle: "stripeStyle(\(signatureHeader))"
        }
    }
}
