import Foundation

/// The one error every VigilModels decode, encode and `validate()` failure is reported as.
///
/// An extensible struct over a private enum (the async-http-client `HTTPClientError` pattern): new
/// ``Code``s can be added without breaking a host's `switch`, and callers match on ``code`` and
/// ``path`` rather than parsing text.
///
/// The error **never carries the offending value**. Wire payloads may hold card numbers, phone
/// numbers or secrets; an error that is logged must not leak them. ``reason`` is always authored by
/// VigilModels from a fixed vocabulary (the expected type, the allowed range), never copied from the
/// input or from Foundation's `debugDescription` (which can quote the input).
public struct ModelDecodingError: Error, Hashable, Sendable, CustomStringConvertible,
    CustomDebugStringConvertible
{
    /// A stable, machine-readable error category.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case missingField, wrongType, invalidValue, unknownEnumValue, malformedJSON, encodingFailed
            case duplicateMember, loneSurrogate, forbiddenCodePoint, numberOutOfRange, invalidUTF8, nestingTooDeep
            case documentTooLarge
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// A required field is absent, or present as `null`.
        public static let missingField = Code(.missingField)
        /// A field has the wrong JSON type (for example a string where a number is required).
        public static let wrongType = Code(.wrongType)
        /// A field has the right type but a value outside its allowed range or format
        /// (a confidence above 1, a recording id that is not a UUID, a 501-character description…).
        public static let invalidValue = Code(.invalidValue)
        /// A *closed* enum received a value it does not know.
        public static let unknownEnumValue = Code(.unknownEnumValue)
        /// The bytes are not JSON (or a number does not fit the integer type of its field: Foundation
        /// reports that case without a path, so it cannot be told apart from a syntax error).
        public static let malformedJSON = Code(.malformedJSON)
        /// A value could not be encoded (for example a non-finite `Double`).
        public static let encodingFailed = Code(.encodingFailed)
        /// An object names the same member twice (also under case folding or Unicode canonical
        /// equivalence); see ``StrictJSON``.
        public static let duplicateMember = Code(.duplicateMember)
        /// A `\u` escape names one half of a surrogate pair without the other.
        public static let loneSurrogate = Code(.loneSurrogate)
        /// A string holds a Unicode noncharacter or U+0000.
        public static let forbiddenCodePoint = Code(.forbiddenCodePoint)
        /// A number lies beyond the IEEE-754 double range, or an integer beyond ±(2^53−1).
        public static let numberOutOfRange = Code(.numberOutOfRange)
        /// The bytes are not well-formed UTF-8; ``ModelDecodingError/offset`` is the first bad byte.
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// Arrays and objects nest deeper than the reader's limit.
        public static let nestingTooDeep = Code(.nestingTooDeep)
        /// The document is larger than the reader's limit.
        public static let documentTooLarge = Code(.documentTooLarge)

        /// The stable string form of the code, e.g. `"invalidValue"`.
        public var rawValue: String { base.rawValue }
        /// Same as ``rawValue``.
        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public let code: Code
    /// Where it happened: a dotted path with `[i]` for array elements, e.g. `blocks[2].settings`.
    /// Empty for the document root. Paths contain JSON key names only, never values.
    public let path: String
    /// A short, value-free explanation, e.g. `"must be between 0 and 1"`.
    public let reason: String
    /// The byte offset of a failure found while reading the JSON text (``StrictJSON``), else `nil`.
    public let offset: Int?

    /// Creates an error. `reason` must not contain the offending value.
    public init(code: Code, path: String, offset: Int? = nil, reason: String) {
        self.code = code
        self.path = path
        self.offset = offset
        self.reason = reason
    }

    /// `"<code> at <path>[ (byte N)]: <reason>"`; the root is shown as `(root)`.
    public var description: String {
        "\(code) at \(path.isEmpty ? "(root)" : path)\(offset.map { " (byte \($0))" } ?? ""): \(reason)"
    }

    /// Same as ``description``: nothing more is kept, so nothing more can leak.
    public var debugDescription: String { "ModelDecodingError(\(description))" }
}

/// A readable alias used by the `validate()` helpers of request bodies: validation and decoding
/// failures are the same type, so a host handles both with one `catch`.
public typealias ModelValidationError = ModelDecodingError

// MARK: - Internal plumbing

/// The underlying error VigilModels attaches to `DecodingError.dataCorrupted` when a value fails
/// validation inside `init(from:)`. ``VigilJSON`` reads it back to produce the right ``ModelDecodingError/Code``.
struct ValidationIssue: Error, Sendable {
    let code: ModelDecodingError.Code
    let reason: String
    /// A path below the coding path (used when a `validate()` result is rethrown from `init(from:)`).
    var subpath: String = ""
}

extension Decoder {
    /// Runs a `validate()`-style check inside `init(from:)`, re-throwing its ``ModelDecodingError`` as a
    /// `DecodingError` located under this decoder's coding path.
    func validating(_ check: () throws(ModelDecodingError) -> Void) throws {
        do {
            try check()
        } catch {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: codingPath, debugDescription: error.reason,
                    underlyingError: ValidationIssue(code: error.code, reason: error.reason, subpath: error.path)))
        }
    }
}

extension DecodingError {
    /// A `dataCorrupted` error at `path` that ``VigilJSON`` maps to `code` + `reason`.
    static func vigil(
        _ code: ModelDecodingError.Code, at path: [any CodingKey], _ reason: String
    ) -> DecodingError {
        .dataCorrupted(
            .init(
                codingPath: path, debugDescription: reason,
                underlyingError: ValidationIssue(code: code, reason: reason)))
    }
}

/// Renders a coding path as `a.b[2].c`.
package func renderPath(_ path: [any CodingKey]) -> String {
    var out = ""
    for key in path {
        // An array index (`Index 3`), not a dictionary key that happens to be a number: Swift gives
        // `{"4111111111111111": …}`'s key an `intValue` too, and it is input like any other key.
        if let index = key.intValue, key.stringValue != String(index) {
            out += "[\(index)]"
        } else {
            if !out.isEmpty { out += "." }
            // A dictionary's keys are input: a name that could carry digits of a card is `<name>`.
            out += StrictJSON.safeName(key.stringValue)
        }
    }
    return out
}

/// Appends a child to a rendered path.
func joinPath(_ base: String, _ child: String) -> String {
    if child.isEmpty { return base }
    if base.isEmpty { return child }
    if child.hasPrefix("[") { return base + child }
    return base + "." + child
}

extension ModelDecodingError {
    /// Maps Foundation's `DecodingError` without ever reading its `debugDescription` (which may quote input).
    init(mapping error: DecodingError) {
        switch error {
        case let .keyNotFound(key, context):
            self.init(
                code: .missingField, path: renderPath(context.codingPath + [key]),
                reason: "required field is missing")
        case let .valueNotFound(type, context):
            self.init(
                code: .missingField, path: renderPath(context.codingPath),
                reason: "required \(jsonTypeName(type)) is null")
        case let .typeMismatch(type, context):
            self.init(
                code: .wrongType, path: renderPath(context.codingPath),
                reason: "expected \(jsonTypeName(type))")
        case let .dataCorrupted(context):
            if let issue = context.underlyingError as? ValidationIssue {
                self.init(
                    code: issue.code, path: joinPath(renderPath(context.codingPath), issue.subpath),
                    reason: issue.reason)
            } else if context.codingPath.isEmpty {
                self.init(
                    code: .malformedJSON, path: "",
                    reason: "not valid JSON, or a number does not fit its field's type")
            } else {
                self.init(
                    code: .invalidValue, path: renderPath(context.codingPath),
                    reason: "value is not valid for this field")
            }
        @unknown default:
            self.init(code: .malformedJSON, path: "", reason: "undecodable input")
        }
    }
}

/// A JSON-flavoured, value-free name for a Swift type in error reasons.
func jsonTypeName(_ type: Any.Type) -> String {
    switch type {
    case is String.Type, is Substring.Type: return "string"
    case is Bool.Type: return "boolean"
    case is Double.Type, is Float.Type, is Decimal.Type: return "number"
    case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type, is UInt32.Type: return "integer"
    default:
        let name = String(describing: type)
        if name.hasPrefix("Dictionary") || name.hasPrefix("[String") { return "object" }
        if name.hasPrefix("Array") || name.hasPrefix("[") { return "array" }
        return "value of type \(name)"
    }
}

extension ModelDecodingError {
    /// Runs a `Decodable` initialisation and reports whatever it throws as a `ModelDecodingError`
    /// (a `DecodingError` mapped by ``init(mapping:)``, anything else as undecodable input).
    static func mapping<T>(_ body: () throws -> T) throws(ModelDecodingError) -> T {
        do {
            return try body()
        } catch let error as DecodingError {
            throw ModelDecodingError(mapping: error)
        } catch let error as ModelDecodingError {
            throw error
        } catch {
            throw ModelDecodingError(code: .malformedJSON, path: "", reason: "undecodable input")
        }
    }
}
