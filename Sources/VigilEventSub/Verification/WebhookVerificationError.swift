import VigilCore

/// Why a webhook delivery failed verification.
///
/// An extensible struct over a private enum: new codes are new static members, so a host's `switch`
/// on ``code`` (with a `default`) keeps compiling. The error names the check that failed and, where
/// useful, the header involved (its *name*); it never carries a secret, a signature, a header value or
/// the body.
public struct WebhookVerificationError: VigilDetailedError, Hashable {
    /// The kind of failure.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case missingHeaders, malformedHeader, timestampTooOld, timestampTooNew, noMatchingSignature
            case replayed, emptySecret, malformedSecret, noSecrets, replayCheckFailed
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A required header is absent or empty (`webhook-id`, `webhook-timestamp`, `webhook-signature`,
        /// or the Stripe-style signature header).
        public static let missingHeaders = Code(.missingHeaders)
        /// A header is present but not in the scheme's format: an id containing `.` or non-printable
        /// characters, a timestamp that is not a plain integer, a signature header without a timestamp,
        /// an oversized or over-long list of signatures.
        public static let malformedHeader = Code(.malformedHeader)
        /// The timestamp is older than the tolerance window.
        public static let timestampTooOld = Code(.timestampTooOld)
        /// The timestamp is further in the future than the tolerance window.
        public static let timestampTooNew = Code(.timestampTooNew)
        /// No `v1` signature matched the body under any active secret.
        public static let noMatchingSignature = Code(.noMatchingSignature)
        /// The delivery was seen before, inside the replay window (or its id was reused for other
        /// content).
        public static let replayed = Code(.replayed)
        /// A secret is empty (`""`, `"whsec_"`, or whitespace only).
        public static let emptySecret = Code(.emptySecret)
        /// A Standard Webhooks secret is not valid base64.
        public static let malformedSecret = Code(.malformedSecret)
        /// A verifier or signer was created without any secret.
        public static let noSecrets = Code(.noSecrets)
        /// The replay store could not be consulted (storage failure). Retryable.
        public static let replayCheckFailed = Code(.replayCheckFailed)

        /// `webhook`: codes read `webhook.<name>`, e.g. `webhook.missingHeaders`.
        public static let domain = "webhook"
        /// The name within ``domain``, e.g. `missingHeaders`.
        public var name: String { base.rawValue }
    }

    /// What failed.
    public let code: Code
    /// A short, value-free explanation (a header *name*, a limit), never a secret, signature or body.
    public let detail: String

    /// Creates an error. `detail` must not contain a secret, a signature, a header value or the body.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }

    init(_ code: Code, _ detail: String) { self.init(code: code, detail: detail) }

    /// Only a failed replay-store lookup may succeed later; every other failure is permanent for
    /// these bytes and headers.
    public var isRetryable: Bool { code == .replayCheckFailed }

    /// Whether both errors have the same ``code`` (the detail is ignored).
    public static func == (lhs: WebhookVerificationError, rhs: WebhookVerificationError) -> Bool {
        lhs.code == rhs.code
    }

    /// Hashes the ``code`` only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}
