import VigilCore

/// Why an AudioHook connection, message or signature was refused.
///
/// An extensible struct over a private enum, like every Vigil error: new codes are new static
/// members. Descriptions name the field or header involved, never its value, so no secret, signature,
/// phone number (`ani`, `dnis`) or audio reaches a log.
public struct AudioHookError: VigilCodedError, Hashable {
    /// The kind of failure.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case malformedMessage, unsupportedVersion, unexpectedMessage, sequenceError, unsupportedMedia
            case organizationMismatch, missingSignature, malformedSignature, signatureMismatch
            case signatureExpired, signatureTooOld, signatureFromTheFuture, replayedNonce, unknownKey
            case replayCheckFailed, frameTooLarge
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A text frame is not a well-formed AudioHook message: not JSON, a missing or mistyped field,
        /// an unknown `type`, or an invalid ISO-8601 duration.
        public static let malformedMessage = Code(.malformedMessage)
        /// The message's `version` is not `"2"`.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A message that is not allowed in the session's current state (e.g. audio before `open`).
        public static let unexpectedMessage = Code(.unexpectedMessage)
        /// `seq` is not one more than the previous message's, or `serverseq` acknowledges a message the
        /// server never sent.
        public static let sequenceError = Code(.sequenceError)
        /// None of the media offered in `open` can be analysed (PCMU or L16 at 8 kHz, one or two channels).
        public static let unsupportedMedia = Code(.unsupportedMedia)
        /// The `organizationId` in `open` differs from the upgrade request's `Audiohook-Organization-Id`.
        public static let organizationMismatch = Code(.organizationMismatch)
        /// The upgrade request has no `Signature-Input` / `Signature`, or lacks a required header.
        public static let missingSignature = Code(.missingSignature)
        /// The signature headers do not parse, or cover too little.
        public static let malformedSignature = Code(.malformedSignature)
        /// The signature does not match the request under the key's secret.
        public static let signatureMismatch = Code(.signatureMismatch)
        /// The signature's `expires` has passed.
        public static let signatureExpired = Code(.signatureExpired)
        /// The signature's `created` is older than the maximum age.
        public static let signatureTooOld = Code(.signatureTooOld)
        /// The signature's `created` lies in the future beyond the allowed clock skew.
        public static let signatureFromTheFuture = Code(.signatureFromTheFuture)
        /// The signature's nonce was seen before within the replay window.
        public static let replayedNonce = Code(.replayedNonce)
        /// The `keyid` (API key) is not one the server knows.
        public static let unknownKey = Code(.unknownKey)
        /// The nonce store failed (retryable).
        public static let replayCheckFailed = Code(.replayCheckFailed)
        /// A frame exceeds the session's size limit.
        public static let frameTooLarge = Code(.frameTooLarge)

        /// `audiohook`: codes read `audiohook.<name>`, e.g. `audiohook.malformedMessage`.
        public static let domain = "audiohook"
        /// The name within ``domain``, e.g. `malformedMessage`.
        public var name: String { base.rawValue }
    }

    /// The kind of failure.
    public let code: Code
    /// What failed, without any value from the request.
    public let message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// Only a failing nonce store is worth retrying.
    public var isRetryable: Bool { code == .replayCheckFailed }
    /// `audiohook.sequenceError: seq 5 after 3`.
    public var description: String { "\(code): \(message)" }
}
