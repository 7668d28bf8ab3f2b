import VigilCore
import VigilModels

/// Why an event body could not be decoded.
///
/// Extensible struct over a private enum. It carries a JSON key path (names Vigil looks for, never
/// values) or a byte offset, and a fixed-vocabulary reason — never the body or any value from it.
public struct EventDecodingError: VigilError, Hashable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case bodyTooLarge, emptyBody, invalidUTF8, nestingTooDeep, malformedJSON, wrongType, missingField
            case invalidValue, unsupportedFormat, topicMismatch, missingConversationId
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
        /// Not JSON (truncated, trailing garbage…), or a number does not fit its field.
        public static let malformedJSON = Code(.malformedJSON)
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

        /// The stable code string, e.g. `event.nestingTooDeep`.
        public var description: String { "event.\(base.rawValue)" }
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
        let code: Code = switch model.code {
        case .missingField: .missingField
        case .wrongType: .wrongType
        case .malformedJSON: .malformedJSON
        default: .invalidValue
        }
        self.init(code: code, path: model.path, reason: model.reason)
    }

    /// The stable code string.
    public var errorCode: String { code.description }
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

/// Limits applied to a body before any JSON parser sees it.
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

/// The cheap byte scan run before `JSONDecoder`: size, well-formed UTF-8 (RFC 3629: no overlongs,
/// no surrogates, nothing above U+10FFFF) and nesting depth — brackets inside strings (with their
/// escapes) do not count. It does not validate JSON grammar; the decoder does.
public enum JSONPreflight {
    /// Checks `bytes` against `limits`.
    ///
    /// - Throws: ``EventDecodingError`` with code `bodyTooLarge`, `emptyBody`, `invalidUTF8` or
    ///   `nestingTooDeep` (with the byte offset).
    public static func check(_ bytes: [UInt8], limits: EventDecodingLimits) throws(EventDecodingError) {
        guard bytes.count <= limits.maxBodyBytes else {
            throw EventDecodingError(code: .bodyTooLarge, reason: "body exceeds \(limits.maxBodyBytes) bytes")
        }
        guard !bytes.isEmpty else { throw EventDecodingError(code: .emptyBody, reason: "body is empty") }
        let result = bytes.withUnsafeBufferPointer { scan($0, maxDepth: limits.maxDepth) }
        if let result { throw result }
    }

    private static func scan(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) -> EventDecodingError? {
        var depth = 0
        var inString = false
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte < 0x80 {
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        // Skip the escaped character, unless it starts a multi-byte sequence (invalid
                        // JSON, but its bytes must still be checked as UTF-8).
                        index += index + 1 < count && input[index + 1] < 0x80 ? 2 : 1
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inString = false }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "["), UInt8(ascii: "{"):
                        depth += 1
                        if depth > maxDepth {
                            return EventDecodingError(code: .nestingTooDeep, offset: index,
                                                      reason: "nesting exceeds \(maxDepth) levels")
                        }
                    case UInt8(ascii: "]"), UInt8(ascii: "}"):
                        depth -= 1
                    default: break
                    }
                }
                index += 1
                continue
            }
            // Multi-byte UTF-8 sequence (RFC 3629 table).
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch byte {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; upper = 0x9F
            case 0xF0: length = 4; lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; upper = 0x8F
            default:
                return EventDecodingError(code: .invalidUTF8, offset: index, reason: "invalid UTF-8 lead byte")
            }
            guard index + length <= count else {
                return EventDecodingError(code: .invalidUTF8, offset: index, reason: "truncated UTF-8 sequence")
            }
            let second = input[index + 1]
            guard second >= lower && second <= upper else {
                return EventDecodingError(code: .invalidUTF8, offset: index + 1, reason: "invalid UTF-8 continuation")
            }
            var offset = 2
            while offset < length {
                guard input[index + offset] & 0xC0 == 0x80 else {
                    return EventDecodingError(code: .invalidUTF8, offset: index + offset,
                                              reason: "invalid UTF-8 continuation")
                }
                offset += 1
            }
            index += length
        }
        return nil
    }
}
