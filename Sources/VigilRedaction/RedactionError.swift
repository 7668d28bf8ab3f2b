import VigilCore

/// An error from `VigilRedaction`: bad configuration or input that cannot be sanitised.
///
/// Follows the ``VigilCore/VigilError`` pattern: an extensible ``Code`` and a description that never
/// contains any of the input — at most a byte offset — because the input is exactly the data that
/// must not leak.
public struct RedactionError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String, Sendable {
            case invalidJSON, invalidUTF8, nestingTooDeep, notAnObject, inputTooLarge, missingTokenKey, invalidTokenKey,
                invalidConfiguration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The input is not JSON (RFC 8259); ``RedactionError/offset`` is where parsing stopped.
        public static let invalidJSON = Code(.invalidJSON)
        /// The input is not valid UTF-8; ``RedactionError/offset`` is the first bad byte.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Objects and arrays are nested deeper than the sanitiser's limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// The sanitiser keeps only some top-level members (an include list) but the document is not
        /// a JSON object.
        public static let notAnObject = Code(.notAnObject)
        /// The input is larger than the sanitiser's limit.
        public static let inputTooLarge = Code(.inputTooLarge)
        /// The policy uses the token operator but no ``TokenKey`` was given.
        public static let missingTokenKey = Code(.missingTokenKey)
        /// The token key is too short (fewer than 16 bytes).
        public static let invalidTokenKey = Code(.invalidTokenKey)
        /// A configuration value is out of range (e.g. a negative kept-character count).
        public static let invalidConfiguration = Code(.invalidConfiguration)

        /// `redaction`: codes read `redaction.<name>`, e.g. `redaction.invalidJSON`.
        public static let domain = "redaction"
        /// The name within ``domain``, e.g. `invalidJSON`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The byte offset in the input where the problem was found, when there is one.
    public let offset: Int?

    /// Creates an error.
    public init(_ code: Code, offset: Int? = nil) {
        self.code = code
        self.offset = offset
    }

    /// Never: the same input or configuration fails the same way again.
    public var isRetryable: Bool { false }

    /// `redaction.invalidJSON at byte offset 12` — never any input.
    public var description: String {
        if let offset { return "\(code) at byte offset \(offset)" }
        return code.description
    }
}
