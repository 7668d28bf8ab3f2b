import Foundation
@_spi(VigilInternal) import VigilCore

/// A shared secret for signing requests to, and verifying callbacks from, a compliance engine with
/// the [Standard Webhooks](https://www.standardwebhooks.com) symmetric scheme (`v1`, HMAC-SHA256).
///
/// The serialised form is `whsec_` followed by the base64 of 24–64 random bytes (the prefix is
/// optional; padding may be omitted). The key bytes are never printed: `description` is
/// `VerdictSigningSecret(<redacted>)`.
///
/// ```swift
/// let secret = try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
/// ```
public struct VerdictSigningSecret: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    let key: [UInt8]

    /// Parses a serialised secret (`whsec_<base64>`, or the bare base64).
    ///
    /// Trailing whitespace and line breaks (a secret read from a file) are ignored.
    ///
    /// - Throws: ``VerdictSignatureError`` with code ``VerdictSignatureError/Code/invalidSecret`` when
    ///   the secret is empty, not base64, or shorter than 24 bytes once decoded.
    public init(_ serialized: String) throws(VerdictSignatureError) {
        let bytes: [UInt8]
        do {
            bytes = try StandardWebhooks.decodeSecret(serialized)
        } catch {
            throw VerdictSignatureError(code: .invalidSecret, detail: "secret is empty or not base64")
        }
        try self.init(bytes: bytes)
    }

    /// Wraps raw key bytes (at least 24, at most 64 — the Standard Webhooks range).
    ///
    /// - Throws: ``VerdictSignatureError`` with code ``VerdictSignatureError/Code/invalidSecret``.
    public init(bytes: [UInt8]) throws(VerdictSignatureError) {
        guard (24...64).contains(bytes.count) else {
            throw VerdictSignatureError(code: .invalidSecret, detail: "secret must be 24 to 64 bytes")
        }
        key = bytes
    }

    /// The serialised form, `whsec_<base64>` — for handing the secret to the engine team's vault.
    /// Treat the result as a secret.
    public var serialized: String { "whsec_" + Base64.encode(key) }

    /// Always `VerdictSigningSecret(<redacted>)`.
    public var description: String { "VerdictSigningSecret(<redacted>)" }
    /// Always `VerdictSigningSecret(<redacted>)`.
    public var debugDescription: String { description }
    /// An empty mirror, so `dump` never prints the key.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}

/// The Standard Webhooks header names (lower case; lookups are case-insensitive).
public enum VerdictSignatureHeader {
    /// `webhook-id`: a unique message id, also the replay/idempotency key.
    public static let id = StandardWebhooks.idHeader
    /// `webhook-timestamp`: integer Unix seconds when the message was signed.
    public static let timestamp = StandardWebhooks.timestampHeader
    /// `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries.
    public static let signature = StandardWebhooks.signatureHeader
    /// `x-correlation-id`: the request's correlation id (also in the JSON body).
    public static let correlationID = "x-correlation-id"
}

/// Signing and verification of the Standard Webhooks `v1` scheme: the HMAC-SHA256, under the secret's
/// key bytes, of `"<webhook-id>.<webhook-timestamp>.<raw body>"`, base64-encoded and sent as
/// `webhook-signature: v1,<base64>`.
enum StandardWebhooksV1 {
    static func signature(id: String, timestamp: Int64, body: [UInt8], secret: VerdictSigningSecret) -> String {
        StandardWebhooks.signature(id: id, timestamp: timestamp, body: body, keyed: HMACSHA256(key: secret.key))
    }

    /// Whether any `v1` entry of `header` matches the message under any of `secrets` (constant-time).
    static func verify(
        header: String, id: String, timestamp: Int64, body: [UInt8],
        secrets: [VerdictSigningSecret]
    ) -> Bool {
        let candidates = StandardWebhooks.v1Signatures(inHeader: header)
        guard !candidates.isEmpty else { return false }
        var matched = false
        for secret in secrets {
            let expected = StandardWebhooks.mac(
                id: id, timestamp: timestamp, body: body,
                keyed: HMACSHA256(key: secret.key)
            ).bytes
            for candidate in candidates where ConstantTime.equals(candidate, expected) {
                matched = true
            }
        }
        return matched
    }

    static func isValidID(_ id: String) -> Bool { StandardWebhooks.isValidMessageID(id) }
}

/// A signature failure: a secret that cannot be used, or a message whose signature headers are
/// missing, malformed, stale or do not match.
public struct VerdictSignatureError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case invalidSecret, missingHeaders, invalidHeaders, noMatchingSignature,
                timestampTooOld, timestampTooNew
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configured secret is empty, not base64, or outside 24–64 bytes.
        public static let invalidSecret = Code(.invalidSecret)
        /// `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent.
        public static let missingHeaders = Code(.missingHeaders)
        /// A header is present but malformed (a non-integer timestamp, an id containing `.`).
        public static let invalidHeaders = Code(.invalidHeaders)
        /// No `v1` signature matches the body under any configured secret.
        public static let noMatchingSignature = Code(.noMatchingSignature)
        /// The timestamp is older than the tolerance allows.
        public static let timestampTooOld = Code(.timestampTooOld)
        /// The timestamp is further in the future than the tolerance allows.
        public static let timestampTooNew = Code(.timestampTooNew)

        /// `verdictSignature`: codes read `verdictSignature.<name>`, e.g. `verdictSignature.invalidSecret`.
        public static let domain = "verdictSignature"
        /// The name within ``domain``, e.g. `invalidSecret`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation without the secret, signature or body.
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    /// Signature failures are permanent for the message as sent.
    public var isRetryable: Bool { false }
    /// `verdictSignature.<code>: <detail>`.
    public var description: String { "\(code): \(detail)" }
}
