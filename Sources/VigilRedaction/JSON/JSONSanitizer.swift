#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Removes personal data from any JSON document while keeping its structure.
///
/// The sanitiser walks the document with its own small RFC 8259 parser and copies it to the output
/// byte for byte — whitespace, key order, number spellings and string escapes included — except:
/// - **String values** with findings are rewritten with the policy's operators (default: tokens).
/// - **Number values** whose integer part is a payment card number (`"card": 4111111111111111`,
///   also with a sign or a fraction) become *strings* holding the replacement (a JSON number cannot
///   hold `tok_pan_…`). Other numbers stay numbers:
///   13-digit millisecond timestamps such as `"eventTime": 1649237504949` are not cards.
/// - **Always-tokenized keys** (``alwaysTokenizedKeys``, compared case-insensitively): every string
///   and number below such a key — in nested arrays and objects too — is replaced by a
///   ``PIIKind/sensitiveField`` token string whatever it looks like; `true`, `false`, `null` and
///   empty strings carry nothing and stay.
///
/// - **Data minimisation**: with ``includedKeys`` set (a subscription's `eventData.include` list), only
///   the named members of the top-level object survive; everything else is dropped before any
///   other processing result is written. The document must then be an object.
///
/// **Keys are never altered**: they are the payload's schema, and a key that is itself personal data
/// is a modelling error upstream. Values are checked for PII, keys are not.
///
/// The input must be valid UTF-8 (checked first) and JSON; failures throw ``RedactionError`` with a
/// byte offset and nothing of the input.
public struct JSONSanitizer: Sendable {
    /// The key names tokenized by default: Genesys Cloud's address and caller-id fields and obvious
    /// contact fields.
    public static let defaultAlwaysTokenizedKeys: Set<String> = [
        "ani", "dnis", "email", "addressfrom", "addressto", "addressraw", "addressnormalized",
        "callbacknumbers", "externalcallerid", "phonenumber", "phone", "calleridnumber"
    ]

    /// The redactor applied to string values (and its key, used for always-tokenized keys).
    public let redactor: Redactor
    /// Lowercased key names whose values are always tokenized.
    public let alwaysTokenizedKeys: Set<String>
    /// The top-level members to keep (exact, case-sensitive names), or `nil` to keep all.
    public let includedKeys: Set<String>?
    /// Whether string values are also scanned as transcripts (``SpokenDigitNormalizer``).
    public let normalizesSpokenDigits: Bool
    /// The deepest nesting of objects and arrays accepted.
    public let maximumDepth: Int
    /// The largest input accepted, in bytes.
    public let maximumInputSize: Int
    private let key: TokenKey
    /// ``alwaysTokenizedKeys`` as lowercase UTF-8, for comparison without building strings.
    private let alwaysTokenizedKeyBytes: [[UInt8]]

    /// Creates a sanitiser.
    ///
    /// - Parameters:
    ///   - tokenKey: the organisation key for tokens.
    ///   - policy: operators for findings in values (default: tokenize everything).
    ///   - detector: the detector for string values.
    ///   - alwaysTokenizedKeys: key names (any case) whose values are tokenized whatever they are.
    ///   - includedKeys: the top-level members to keep (`eventData.include`), or `nil` for all.
    ///   - normalizesSpokenDigits: scan string values as transcripts too.
    ///   - maximumDepth: nesting limit (default 64).
    ///   - maximumInputSize: size limit in bytes (default 8 MiB).
    public init(
        tokenKey: TokenKey,
        policy: RedactionPolicy = .tokenizeAll,
        detector: PIIDetector = PIIDetector(),
        alwaysTokenizedKeys: Set<String> = JSONSanitizer.defaultAlwaysTokenizedKeys,
        includedKeys: Set<String>? = nil,
        normalizesSpokenDigits: Bool = false,
        maximumDepth: Int = 64,
        maximumInputSize: Int = 8 << 20
    ) throws(RedactionError) {
        guard maximumDepth > 0, maximumInputSize > 0 else { throw RedactionError(.invalidConfiguration) }
        self.redactor = try Redactor(policy: policy, tokenKey: tokenKey, detector: detector)
        self.key = tokenKey
        self.alwaysTokenizedKeys = Set(alwaysTokenizedKeys.map { $0.lowercased() })
        self.alwaysTokenizedKeyBytes = self.alwaysTokenizedKeys.map { Array($0.utf8) }
        self.includedKeys = includedKeys
        self.normalizesSpokenDigits = normalizesSpokenDigits
        self.maximumDepth = maximumDepth
        self.maximumInputSize = maximumInputSize
    }

    /// The sanitised copy of the JSON document `json`.
    ///
    /// - Throws: ``RedactionError`` with ``RedactionError/Code/inputTooLarge``,
    ///   ``RedactionError/Code/invalidUTF8``, ``RedactionError/Code/invalidJSON``,
    ///   ``RedactionError/Code/nestingTooDeep``, or ``RedactionError/Code/notAnObject`` when
    ///   ``includedKeys`` is set and the document is not an object.
    public func sanitize(_ json: some Collection<UInt8>) throws(RedactionError) -> [UInt8] {
        let result =
            json.withContiguousStorageIfAvailable { buffer in
                Result { () throws(RedactionError) -> [UInt8] in try sanitize(buffer: buffer) }
            }
            ?? Array(json).withUnsafeBufferPointer { buffer in
                Result { () throws(RedactionError) -> [UInt8] in try sanitize(buffer: buffer) }
            }
        return try result.get()
    }

    /// The sanitised copy of the JSON document `json`.
    public func sanitize(_ json: Data) throws(RedactionError) -> Data {
        let result = json.withUnsafeBytes { raw in
            Result { () throws(RedactionError) -> [UInt8] in try sanitize(buffer: raw.bindMemory(to: UInt8.self)) }
        }
        return Data(try result.get())
    }

    private func sanitize(buffer: UnsafeBufferPointer<UInt8>) throws(RedactionError) -> [UInt8] {
        guard buffer.count <= maximumInputSize else { throw RedactionError(.inputTooLarge) }
        if let bad = UTF8Validation.firstInvalidOffset(in: buffer) { throw RedactionError(.invalidUTF8, offset: bad) }
        var walker = JSONWalker(input: buffer, sanitizer: self)
        try walker.document()
        return walker.output
    }

    // MARK: Replacements used by the walker

    /// Whether the decoded key `name` is one of ``alwaysTokenizedKeys`` (ASCII case-insensitively;
    /// the set was lowercased with full Unicode rules, which agree for ASCII keys).
    func isAlwaysTokenized(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        candidates: for candidate in alwaysTokenizedKeyBytes where candidate.count == name.count {
            for index in 0..<name.count where ContextWords.lowercased(name[index]) != candidate[index] {
                continue candidates
            }
            return true
        }
        return false
    }

    func forcedToken(for value: some Sequence<UInt8>) -> String {
        key.token(for: value, kind: .sensitiveField)
    }

    /// The redacted form of a decoded string value, or `nil` when it contains nothing to redact.
    func redactedString(_ value: UnsafeBufferPointer<UInt8>) -> String? {
        let matches: [PIIDetector.Match]
        if normalizesSpokenDigits {
            matches = redactor.detector.transcriptMatches(in: String(decoding: value, as: UTF8.self))
        } else {
            matches = redactor.detector.matches(in: value)
        }
        guard !matches.isEmpty else { return nil }
        return redactor.apply(matches, to: value)
    }

    /// The replacement for an integer literal that is a card number, or `nil`.
    func redactedNumber(_ digits: UnsafeBufferPointer<UInt8>.SubSequence) -> String? {
        guard redactor.detector.detects(.creditCard), PaymentCard.isValid(digits),
            !PaymentCard.looksLikeEpochMilliseconds(digits)
        else { return nil }
        return redactor.replacement(for: .creditCard, value: Array(digits))
    }
}

/// A recursive-descent JSON parser that copies its input and rewrites scalar values.
private struct JSONWalker {
    let input: UnsafeBufferPointer<UInt8>
    let sanitizer: JSONSanitizer
    var output: [UInt8] = []
    var position = 0

    init(input: UnsafeBufferPointer<UInt8>, sanitizer: JSONSanitizer) {
        self.input = input
        self.sanitizer = sanitizer
        output.reserveCapacity(input.count + input.count / 8)
    }

    private func fail(_ code: RedactionError.Code = .invalidJSON) -> RedactionError {
        RedactionError(code, offset: position)
    }

    mutating func document() throws(RedactionError) {
        whitespace()
        if let included = sanitizer.includedKeys {
            guard position < input.count, input[position] == UInt8(ascii: "{") else { throw fail(.notAnObject) }
            try filteredObject(keeping: included)
        } else {
            try value(depth: 0, forced: false)
        }
        whitespace()
        guard position == input.count else { throw fail() }
    }

    private mutating func whitespace() {
        let start = position
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default:
                output.append(contentsOf: input[start..<position])
                return
            }
        }
        output.append(contentsOf: input[start..<position])
    }

    private mutating func value(depth: Int, forced: Bool) throws(RedactionError) {
        guard position < input.count else { throw fail() }
        switch input[position] {
        case UInt8(ascii: "{"): try object(depth: depth + 1, forced: forced)
        case UInt8(ascii: "["): try array(depth: depth + 1, forced: forced)
        case UInt8(ascii: "\""): try stringValue(forced: forced)
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number(forced: forced)
        default: throw fail()
        }
    }

    private mutating func literal(_ word: StaticString) throws(RedactionError) {
        let length = word.utf8CodeUnitCount
        guard position + length <= input.count else { throw fail() }
        let matches = word.withUTF8Buffer { expected in
            (0..<length).allSatisfy { input[position + $0] == expected[$0] }
        }
        guard matches else { throw fail() }
        output.append(contentsOf: input[position..<(position + length)])
        position += length
    }

    private mutating func object(depth: Int, forced: Bool) throws(RedactionError) {
        guard depth <= sanitizer.maximumDepth else { throw fail(.nestingTooDeep) }
        output.append(UInt8(ascii: "{"))
        position += 1
        whitespace()
        if position < input.count, input[position] == UInt8(ascii: "}") {
            output.append(UInt8(ascii: "}"))
            position += 1
            return
        }
        while true {
            guard position < input.count, input[position] == UInt8(ascii: "\"") else { throw fail() }
            let key = try string()
            output.append(contentsOf: input[key.raw])
            let keyForced = forced || isAlwaysTokenized(key)
            whitespace()
            guard position < input.count, input[position] == UInt8(ascii: ":") else { throw fail() }
            output.append(UInt8(ascii: ":"))
            position += 1
            whitespace()
            try value(depth: depth, forced: keyForced)
            whitespace()
            guard position < input.count else { throw fail() }
            let separator = input[position]
            output.append(separator)
            position += 1
            if separator == UInt8(ascii: "}") { return }
            guard separator == UInt8(ascii: ",") else {
                position -= 1
                throw fail()
            }
            whitespace()
        }
    }

    /// Skips whitespace without copying it.
    private mutating func skipWhitespace() {
        while position < input.count {
            switch input[position] {
            case 0x20, 0x09, 0x0a, 0x0d: position += 1
            default: return
            }
        }
    }

    /// The top-level object, keeping only the members named in `included` (compactly re-joined).
    private mutating func filteredObject(keeping included: Set<String>) throws(RedactionError) {
        output.append(UInt8(ascii: "{"))
        position += 1
        skipWhitespace()
        if position < input.count, input[position] == UInt8(ascii: "}") {
            output.append(UInt8(ascii: "}"))
            position += 1
            return
        }
        var kept = 0
        while true {
            guard position < input.count, input[position] == UInt8(ascii: "\"") else { throw fail() }
            let key = try string()
            let keep = included.contains(name(of: key))
            let mark = output.count
            if kept > 0 { output.append(UInt8(ascii: ",")) }
            output.append(contentsOf: input[key.raw])
            skipWhitespace()
            guard position < input.count, input[position] == UInt8(ascii: ":") else { throw fail() }
            output.append(UInt8(ascii: ":"))
            position += 1
            skipWhitespace()
            try value(depth: 1, forced: isAlwaysTokenized(key))
            if keep { kept += 1 } else { output.removeSubrange(mark...) }
            skipWhitespace()
            guard position < input.count else { throw fail() }
            let separator = input[position]
            position += 1
            if separator == UInt8(ascii: "}") {
                output.append(separator)
                return
            }
            guard separator == UInt8(ascii: ",") else {
                position -= 1
                throw fail()
            }
            skipWhitespace()
        }
    }

    private mutating func array(depth: Int, forced: Bool) throws(RedactionError) {
        guard depth <= sanitizer.maximumDepth else { throw fail(.nestingTooDeep) }
        output.append(UInt8(ascii: "["))
        position += 1
        whitespace()
        if position < input.count, input[position] == UInt8(ascii: "]") {
            output.append(UInt8(ascii: "]"))
            position += 1
            return
        }
        while true {
            try value(depth: depth, forced: forced)
            whitespace()
            guard position < input.count else { throw fail() }
            let separator = input[position]
            output.append(separator)
            position += 1
            if separator == UInt8(ascii: "]") { return }
            guard separator == UInt8(ascii: ",") else {
                position -= 1
                throw fail()
            }
            whitespace()
        }
    }

    private func name(of key: ParsedString) -> String {
        key.decoded.map { String(decoding: $0, as: UTF8.self) }
            ?? String(decoding: input[(key.raw.lowerBound + 1)..<(key.raw.upperBound - 1)], as: UTF8.self)
    }

    private func isAlwaysTokenized(_ key: ParsedString) -> Bool {
        guard !sanitizer.alwaysTokenizedKeys.isEmpty else { return false }
        return withContent(key, (key.raw.lowerBound + 1)..<(key.raw.upperBound - 1)) { sanitizer.isAlwaysTokenized($0) }
    }

    private mutating func stringValue(forced: Bool) throws(RedactionError) {
        let parsed = try string()
        let contentRange = (parsed.raw.lowerBound + 1)..<(parsed.raw.upperBound - 1)
        let replacement: String? = withContent(parsed, contentRange) { content in
            if content.isEmpty { return nil }
            if forced { return sanitizer.forcedToken(for: content) }
            return sanitizer.redactedString(content)
        }
        if let replacement {
            writeString(replacement)
        } else {
            output.append(contentsOf: input[parsed.raw])
        }
    }

    private func withContent<Result>(
        _ parsed: ParsedString,
        _ contentRange: Range<Int>,
        _ body: (UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        if let decoded = parsed.decoded { return decoded.withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(rebasing: input[contentRange]))
    }

    private mutating func number(forced: Bool) throws(RedactionError) {
        let start = position
        if input[position] == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        guard position < input.count, Scanner.isDigit(input[position]) else { throw fail() }
        if input[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < input.count, Scanner.isDigit(input[position]) { position += 1 }
        }
        let integerEnd = position
        var hasExponent = false
        if position < input.count, input[position] == UInt8(ascii: ".") {
            position += 1
            guard position < input.count, Scanner.isDigit(input[position]) else { throw fail() }
            while position < input.count, Scanner.isDigit(input[position]) { position += 1 }
        }
        if position < input.count, input[position] | 0x20 == UInt8(ascii: "e") {
            hasExponent = true
            position += 1
            if position < input.count, input[position] == UInt8(ascii: "+") || input[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < input.count, Scanner.isDigit(input[position]) else { throw fail() }
            while position < input.count, Scanner.isDigit(input[position]) { position += 1 }
        }
        let literal = input[start..<position]
        // A card number's digits in the integer part, whatever the sign or fraction, are replaced.
        if forced {
            writeString(sanitizer.forcedToken(for: literal))
        } else if !hasExponent, (13...19).contains(integerEnd - integerStart),
            let replacement = sanitizer.redactedNumber(input[integerStart..<integerEnd])
        {
            writeString(replacement)
        } else {
            output.append(contentsOf: literal)
        }
    }

    private struct ParsedString {
        /// The string including its quotes.
        let raw: Range<Int>
        /// The decoded content, when it contained escapes (otherwise the raw content is the value).
        let decoded: [UInt8]?
    }

    /// Parses a string at `position` (a quote), validating escapes.
    private mutating func string() throws(RedactionError) -> ParsedString {
        let start = position
        position += 1
        var decoded: [UInt8]?
        var runStart = position
        while true {
            guard position < input.count else { throw fail() }
            let byte = input[position]
            if byte == UInt8(ascii: "\"") {
                decoded?.append(contentsOf: input[runStart..<position])
                position += 1
                return ParsedString(raw: start..<position, decoded: decoded)
            }
            if byte < 0x20 { throw fail() }
            if byte != UInt8(ascii: "\\") {
                position += 1
                continue
            }
            if decoded == nil { decoded = [] }
            decoded?.append(contentsOf: input[runStart..<position])
            position += 1
            guard position < input.count else { throw fail() }
            let escape = input[position]
            position += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded?.append(escape)
            case UInt8(ascii: "b"): decoded?.append(0x08)
            case UInt8(ascii: "f"): decoded?.append(0x0c)
            case UInt8(ascii: "n"): decoded?.append(0x0a)
            case UInt8(ascii: "r"): decoded?.append(0x0d)
            case UInt8(ascii: "t"): decoded?.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xd800..<0xdc00).contains(scalar) {
                    guard position + 1 < input.count, input[position] == UInt8(ascii: "\\"),
                        input[position + 1] == UInt8(ascii: "u")
                    else { throw fail() }
                    position += 2
                    let low = try hex4()
                    guard (0xdc00..<0xe000).contains(low) else { throw fail() }
                    scalar = 0x10000 + ((scalar - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00..<0xe000).contains(scalar) {
                    throw fail()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw fail() }
                decoded?.append(contentsOf: UTF8.encode(unicode)!)
            default:
                position -= 1
                throw fail()
            }
            runStart = position
        }
    }

    private mutating func hex4() throws(RedactionError) -> UInt32 {
        guard position + 4 <= input.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[position]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte &- 0x30
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte &- 0x57
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte &- 0x37
            default: throw fail()
            }
            value = value << 4 | UInt32(nibble)
            position += 1
        }
        return value
    }

    /// Writes `value` as a JSON string literal.
    private mutating func writeString(_ value: String) {
        output.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [0x5c, 0x22])
            case UInt8(ascii: "\\"): output.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: output.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: output.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case ..<0x20:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                output.append(contentsOf: [0x5c, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xf)]])
            default: output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF).
enum UTF8Validation {
    /// The offset of the first byte that does not start a valid sequence, or `nil` if all is valid.
    static func firstInvalidOffset(in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var lower: UInt8 = 0x80, upper: UInt8 = 0xbf
            switch lead {
            case 0xc2...0xdf: length = 2
            case 0xe0: length = 3; lower = 0xa0
            case 0xe1...0xec, 0xee...0xef: length = 3
            case 0xed: length = 3; upper = 0x9f
            case 0xf0: length = 4; lower = 0x90
            case 0xf1...0xf3: length = 4
            case 0xf4: length = 4; upper = 0x8f
            default: return index
            }
            guard index + length <= count, (lower...upper).contains(bytes[index + 1]) else { return index }
            for offset in 2..<max(2, length) where !(0x80...0xbf).contains(bytes[index + offset]) { return index }
            index += length
        }
        return nil
    }
}
