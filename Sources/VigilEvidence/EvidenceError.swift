import VigilCore

/// A failure of the evidence vault. Descriptions name the object id at most — never key material or
/// evidence bytes.
public struct EvidenceError: VigilError, Hashable {
    /// What failed.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A key has the wrong size, or the current key id is not configured.
        public static let invalidKey = Code("invalidKey")
        /// The envelope names a key-encryption key the provider does not have.
        public static let unknownKey = Code("unknownKey")
        /// The envelope's bytes are not an envelope (magic, version, lengths, header).
        public static let malformedEnvelope = Code("malformedEnvelope")
        /// The tag did not verify: wrong key, altered ciphertext or metadata.
        public static let authenticationFailed = Code("authenticationFailed")
        /// No object with that id.
        public static let notFound = Code("notFound")
        /// The object id is not of the accepted form.
        public static let invalidObjectId = Code("invalidObjectId")
        /// The store failed (I/O); retry.
        public static let storageFailure = Code("storageFailure")
        /// A link's signature, expiry or form is wrong.
        public static let invalidLink = Code("invalidLink")
        /// The cipher implementation is not available (no system libcrypto) or refused to run.
        public static let unavailable = Code("unavailable")

        public var description: String { name }
    }

    /// What failed.
    public let code: Code
    /// Detail without key material or evidence bytes.
    public let detail: String

    /// Creates an error.
    public init(_ code: Code, _ detail: String) {
        self.code = code
        self.detail = detail
    }

    /// `evidence.<code>`.
    public var errorCode: String { "evidence.\(code)" }
    /// Only a failing store is worth retrying.
    public var isRetryable: Bool { code == .storageFailure }
    public var description: String { "\(errorCode): \(detail)" }
}
