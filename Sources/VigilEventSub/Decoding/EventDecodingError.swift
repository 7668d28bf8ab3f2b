import VigilCore
import VigilModels

/// Why an event body could not be decoded.
///
/// Extensible struct over a private enum. It carries a JSON key path (names Vigil looks for, never
/// values) or a byte offset, and a fixed-vocabulary reason — never the body or any value from it.
public struct EventDecodingError: VigilCodedError, Hashable {
    /// The kind of failure.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case bodyTooLarge, emptyBody, invalidUTF8, nestingTooDeep, malformedJSON, wrongType, missingField
            case invalidValue, unsupportedFormat, topicMismatch, missingConversationId
            case duplicateMember, loneSurrogate, forbiddenCodePoint, numberOutOfRange
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The body exceeds ``EventDecodingLimits/maxBodyBytes`` (HTTP 413).
        public static let bodyTooLarge = Code(.bodyTooLarge)
        /// The body is empty.
        public static let emptyBody = Code(.emptyBody)
        /// The body is not well-formed UTF-8; ``EventDecodingError/offset`` is the first bad byte.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Arrays/objects nest deeper than ``EventDecodingLimits/maxDepth``.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// Not JSON (truncated, trailing garbage, a byte order mark…), or a number does not fit its field.
        public static let malformedJSON = Code(.malformedJSON)
        /// An object names a member twice (also under case folding): other parsers would read another
        /// value than Vigil from the same signed bytes. See `StrictJSON`.
        public static let duplicateMember = Code(.duplicateMember)
        /// A `\u` escape of a lone surrogate.
        public static let loneSurrogate = Code(.loneSurrogate)
        /// A Unicode noncharacter or U+0000 in a string.
        public static let forbiddenCodePoint = Code(.forbiddenCodePoint)
        /// A number beyond the IEEE-754 double range, or an integer beyond ±(2^53−1).
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// A field has the wrong JSON type (a number where a string belongs…).
        public static let wrongType = Code(.wrongType)
        /// A required field is missing or `null`.
        public static let missingField = Code(.missingField)
        /// A field has the right type but an invalid value (an id that is not a UUID…).
        public static let invalidValue = Code(.invalidValue)
        /// Valid JSON, but none of the accepted envelopes (seed webhook, EventBridge, Notification).
        public static let unsupportedFormat = Code(.unsupportedFormat)
        /// The topic disagrees with the body (another conversation id) or with the EventBridge
        /// `detail-type`.
        public static let topicMismatch = Code(.topicMismatch)
        /// A recording event without a conversation id: Genesys recordings are addressed through their
        /// conversation, so a job cannot be built.
        public static let missingConversationId = Code(.missingConversationId)

        /// `event`: codes read `event.<name>`, e.g. `event.bodyTooLarge`.
        public static let domain = "event"
        /// The name within ``domain``, e.g. `bodyTooLarge`.
        public var name: String { base.rawValue }
    }

    /// What failed.
    public let code: Code
    /// The JSON path of the failing field (`data.recordingId`), empty for the document; key names only.
    public let path: String
    /// A byte offset for byte-level failures (UTF-8, nesting), else `nil`.
    public let offset: Int?
    /// A short, value-free explanation.
    public let reason: String

    /// Creates an error. `path` and `reason` must not contain values from the body.
    public init(code: Code, path: String = "", offset: Int? = nil, reason: String) {
        self.code = code
        self.path = Self.safePath(path)
        self.offset = offset
        self.reason = reason
    }

    init(_ model: ModelDecodingError) {
        let code: Code =
            switch model.code {
            case .missingField: .missingField
            case .wrongType: .wrongType
            case .malformedJSON: .malformedJSON
            case .duplicateMember: .duplicateMember
            case .loneSurrogate: .loneSurrogate
            case .forbiddenCodePoint: .forbiddenCodePoint
            case .numberOutOfRange: .numberOutOfRange
            case .invalidUTF8: .invalidUTF8
            case .nestingTooDeep: .nestingTooDeep
            case .documentTooLarge: .bodyTooLarge
            default: .invalidValue
            }
        self.init(code: code, path: model.path, offset: model.offset, reason: model.reason)
    }

    /// Decoding failures are permanent for these bytes.
    public var isRetryable: Bool { false }

    /// `event.<code> at <path or offset>: <reason>`.
    public var description: String {
        let location = offset.map { "byte \($0)" } ?? (path.isEmpty ? "(root)" : path)
        return "\(code) at \(location): \(reason)"
    }

    /// Paths hold key names Vigil asked for; as a belt-and-braces measure a path with a long digit run
    /// (which could only come from a hostile key) is not repeated.
    private static func safePath(_ path: String) -> String {
        var run = 0
        for byte in path.utf8 {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                run += 1
                if run >= 6 { return "<redacted path>" }
            } else if byte != UInt8(ascii: "-") && byte != UInt8(ascii: " ") {
                run = 0
            }
        }
        return path
    }
}

/// Limits on an event body, enforced by the strict reader in the same pass that reads it.
public struct EventDecodingLimits: Sendable, Hashable {
    /// The largest body accepted, in bytes. Default 256 KiB.
    public var maxBodyBytes: Int
    /// The deepest array/object nesting accepted. Default 32 (Genesys events nest 4–5 deep).
    public var maxDepth: Int

    /// Creates limits.
    public init(maxBodyBytes: Int = 256 * 1024, maxDepth: Int = 32) {
        self.maxBodyBytes = maxBodyBytes
        self.maxDepth = maxDepth
    }
}
