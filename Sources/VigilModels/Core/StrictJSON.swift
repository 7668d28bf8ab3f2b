import Foundation

/// The one JSON grammar Vigil accepts from anything it does not control: RFC 8259 text restricted to
/// I-JSON (RFC 7493), read in a single pass that also enforces size, nesting depth and UTF-8.
///
/// A signature authenticates bytes, not meaning. If Vigil and another system reading the same signed
/// body could disagree on what it says (which of two `recordingId`s counts, what a lone surrogate or
/// a 400-digit number becomes), a sender or a proxy could make Vigil act on a different recording than
/// everything else that reads the body. So a document is either refused, or it means the one thing
/// every mainstream parser (Python `json`, JavaScript `JSON.parse`, Go `encoding/json`) agrees on.
///
/// Refused, each with a ``ModelDecodingError`` whose ``ModelDecodingError/path`` names the location
/// (key names only) and whose ``ModelDecodingError/offset`` is the byte — never the value:
///
/// | What | Code | Why |
/// |---|---|---|
/// | the same member name twice in one object, at any depth | ``ModelDecodingError/Code/duplicateMember`` | parsers keep the first (Foundation) or the last (Python, JS, Go) |
/// | two member names equal under case folding or Unicode canonical equivalence (`id`/`ID`, `é`/`e\u0301`) | ``ModelDecodingError/Code/duplicateMember`` | Go matches struct fields case-insensitively; Swift compares strings canonically |
/// | a `\u` escape of a lone surrogate | ``ModelDecodingError/Code/loneSurrogate`` | RFC 7493 §2.1; parsers replace, keep or refuse it |
/// | a noncharacter (U+FDD0–U+FDEF, U+xFFFE, U+xFFFF), raw or escaped, or U+0000 | ``ModelDecodingError/Code/forbiddenCodePoint`` | RFC 7493 §2.1; U+0000 truncates C strings downstream |
/// | a number beyond the IEEE-754 double range (`1e400`), a nonzero number that underflows to zero (`1e-400`), or an integer literal beyond ±(2^53−1) | ``ModelDecodingError/Code/numberOutOfRange`` | RFC 7493 §2.2: JavaScript and Go round such integers, Python does not; Foundation refuses `1e-400`, the others read 0 |
/// | ill-formed UTF-8 (overlongs, surrogates, above U+10FFFF, truncated) | ``ModelDecodingError/Code/invalidUTF8`` | RFC 8259 §8.1 |
/// | nesting deeper than ``Limits/maxDepth`` | ``ModelDecodingError/Code/nestingTooDeep`` | bounded work |
/// | more than ``Limits/maxBytes`` | ``ModelDecodingError/Code/documentTooLarge`` | bounded work |
/// | a byte order mark, trailing content, any other RFC 8259 syntax error | ``ModelDecodingError/Code/malformedJSON`` | RFC 8259 §8.1; one document per body |
///
/// `-0`, subnormal numbers (`5e-324`), escaped and raw forms of one character, and unknown members are
/// accepted: they have one meaning.
///
/// ``VigilJSON/decode(_:from:limits:)`` runs this before decoding anything, so every entry point
/// (webhooks, envelopes, verdicts, verdict callbacks, AudioHook messages, transcripts, policy and
/// flow files, platform responses) applies the same rules.
public enum StrictJSON {
    /// Bounds on a document.
    public struct Limits: Sendable, Hashable {
        /// The largest document accepted, in bytes. Default 64 MiB (callers with a tighter bound —
        /// the webhook receiver's 256 KiB — pass their own).
        public let maxBytes: Int
        /// The deepest array/object nesting accepted (a top-level object is depth 1). Default 32.
        public let maxDepth: Int

        /// Creates limits; values below 1 are raised to 1.
        public init(maxBytes: Int = 64 << 20, maxDepth: Int = 32) {
            self.maxBytes = max(1, maxBytes)
            self.maxDepth = max(1, maxDepth)
        }

        /// 64 MiB, depth 32.
        public static let standard = Limits()
    }

    /// The largest integer magnitude every mainstream parser reads exactly: 2^53 − 1.
    public static let maxExactInteger: UInt64 = 9_007_199_254_740_991

    /// Checks that `bytes` is one I-JSON document within `limits`, without building any value.
    ///
    /// - Throws: ``ModelDecodingError`` (see the table above).
    public static func validate(_ bytes: some Collection<UInt8>, limits: Limits = .standard) throws(ModelDecodingError) {
        var sink = ValidatingSink()
        try read(bytes, limits: limits, into: &sink)
    }

    /// Parses `bytes` into a tree that remembers each value's byte offset (for configuration files
    /// whose problems are reported by line and column).
    package static func parse(_ bytes: some Collection<UInt8>, limits: Limits = .standard) throws(ModelDecodingError) -> Node {
        var sink = TreeSink()
        try read(bytes, limits: limits, into: &sink)
        guard let root = sink.root else {
            throw ModelDecodingError(code: .malformedJSON, path: "", reason: "empty document")
        }
        return root
    }

    /// Runs the reader over `bytes`, reporting every token to `sink`.
    package static func read<Sink: StrictJSONSink>(
        _ bytes: some Collection<UInt8>, limits: Limits, into sink: inout Sink
    ) throws(ModelDecodingError) {
        guard bytes.count <= limits.maxBytes else {
            throw ModelDecodingError(code: .documentTooLarge, path: "", reason: "document exceeds \(limits.maxBytes) bytes")
        }
        let outcome = bytes.withContiguousStorageIfAvailable { buffer in
            var reader = StrictJSONReader(buffer, maxDepth: limits.maxDepth)
            return Result<Void, ModelDecodingError> { () throws(ModelDecodingError) in try reader.document(into: &sink) }
        }
        if let outcome { return try outcome.get() }
        try read(Array(bytes), limits: limits, into: &sink)
    }

    /// The 1-based line and column (in UTF-8 bytes) of `offset` in `bytes`.
    package static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// A parsed value and the byte offset where it starts.
    package indirect enum Node: Sendable {
        case object([Member], offset: Int)
        case array([Node], offset: Int)
        case string(String, offset: Int)
        case number(Double, offset: Int)
        case bool(Bool, offset: Int)
        case null(offset: Int)

        /// Where the value starts.
        package var offset: Int {
            switch self {
            case let .object(_, offset), let .array(_, offset), let .string(_, offset), let .number(_, offset),
                let .bool(_, offset), let .null(offset):
                offset
            }
        }

        /// `object`, `array`, `string`, `number`, `boolean` or `null`.
        package var typeName: String {
            switch self {
            case .object: "object"
            case .array: "array"
            case .string: "string"
            case .number: "number"
            case .bool: "boolean"
            case .null: "null"
            }
        }
    }

    /// An object member: its name, the name's offset and the value.
    package struct Member: Sendable {
        package var key: String
        package var keyOffset: Int
        package var value: Node
    }
}

/// Receives the tokens of a document, in order, from the strict reader.
///
/// Strings arrive decoded (escapes resolved) as UTF-8 bytes valid only for the call; `escaped` says
/// whether they held escapes (when not, the bytes are the input's own, right after the opening quote).
package protocol StrictJSONSink {
    /// Whether the sink reads string contents and number values; a validating sink does not, so the
    /// reader skips decoding them.
    static var wantsValues: Bool { get }
    mutating func beginObject(at offset: Int)
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool)
    mutating func endObject()
    mutating func beginArray(at offset: Int)
    mutating func endArray()
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool)
    mutating func number(_ value: Double, at offset: Int)
    mutating func bool(_ value: Bool, at offset: Int)
    mutating func null(at offset: Int)
}

/// Checks only; counts the containers it saw.
///
/// The count is not needed by anyone: it gives the sink a size. Every value of a zero-sized type shares
/// one address, so concurrent validations passing an empty sink `inout` looked to ThreadSanitizer
/// like a race on that address (a false positive, but one that would hide real ones).
struct ValidatingSink: StrictJSONSink {
    static var wantsValues: Bool { false }
    private(set) var containers = 0
    mutating func beginObject(at offset: Int) { containers &+= 1 }
    func key(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {}
    func endObject() {}
    mutating func beginArray(at offset: Int) { containers &+= 1 }
    func endArray() {}
    func string(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {}
    func number(_ value: Double, at offset: Int) {}
    func bool(_ value: Bool, at offset: Int) {}
    func null(at offset: Int) {}
}

/// Builds a ``StrictJSON/Node`` tree without recursion.
struct TreeSink: StrictJSONSink {
    private enum Open {
        case object([StrictJSON.Member], offset: Int, key: String, keyOffset: Int)
        case array([StrictJSON.Node], offset: Int)
    }
    private var open: [Open] = []
    private(set) var root: StrictJSON.Node?

    static var wantsValues: Bool { true }

    private mutating func add(_ node: StrictJSON.Node) {
        guard let last = open.popLast() else {
            root = node
            return
        }
        switch last {
        case .object(var members, let offset, let key, let keyOffset):
            members.append(StrictJSON.Member(key: key, keyOffset: keyOffset, value: node))
            open.append(.object(members, offset: offset, key: "", keyOffset: 0))
        case .array(var elements, let offset):
            elements.append(node)
            open.append(.array(elements, offset: offset))
        }
    }

    mutating func beginObject(at offset: Int) { open.append(.object([], offset: offset, key: "", keyOffset: 0)) }
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {
        guard case let .object(members, objectOffset, _, _)? = open.popLast() else { return }
        open.append(.object(members, offset: objectOffset, key: String(decoding: utf8, as: UTF8.self), keyOffset: offset))
    }
    mutating func endObject() {
        guard case let .object(members, offset, _, _)? = open.popLast() else { return }
        add(.object(members, offset: offset))
    }
    mutating func beginArray(at offset: Int) { open.append(.array([], offset: offset)) }
    mutating func endArray() {
        guard case let .array(elements, offset)? = open.popLast() else { return }
        add(.array(elements, offset: offset))
    }
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>, at offset: Int, escaped: Bool) {
        add(.string(String(decoding: utf8, as: UTF8.self), offset: offset))
    }
    mutating func number(_ value: Double, at offset: Int) { add(.number(value, offset: offset)) }
    mutating func bool(_ value: Bool, at offset: Int) { add(.bool(value, offset: offset)) }
    mutating func null(at offset: Int) { add(.null(offset: offset)) }
}

// MARK: - The reader

/// One pass over the bytes; an explicit stack instead of recursion, so no input can exhaust the
/// thread's stack whatever depth a host allows.
struct StrictJSONReader {
    private struct Frame {
        var isObject: Bool
        /// Members or elements completed so far.
        var count = 0
        /// Where this object's folded names start in `names` / `arena`.
        var namesStart: Int
        var arenaStart: Int
        /// The current member's name, as a range of the input (between the quotes), for error paths.
        var keyStart = -1
        var keyEnd = -1
    }

    /// A folded member name: a range of `arena` and its hash.
    private struct FoldedName {
        var hash: UInt64
        var start: Int
        var count: Int
    }

    /// Objects with more members than this are checked for duplicates by sorting when they close,
    /// so a hostile object with thousands of members costs n log n, not n².
    private static let linearNameLimit = 16

    private let input: UnsafeBufferPointer<UInt8>
    private let maxDepth: Int
    private var index = 0
    private var frames: [Frame] = []
    private var names: [FoldedName] = []
    private var arena: [UInt8] = []
    /// Decoded bytes of the current string when it holds escapes.
    private var scratch: [UInt8] = []

    init(_ input: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.input = input
        self.maxDepth = maxDepth
        // One allocation each for typical documents instead of a few regrowths.
        frames.reserveCapacity(min(maxDepth, 16))
        names.reserveCapacity(32)
        arena.reserveCapacity(256)
    }

    // MARK: Structure

    mutating func document<Sink: StrictJSONSink>(into sink: inout Sink) throws(ModelDecodingError) {
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF {
            throw failure(.malformedJSON, at: 0, "a byte order mark is not allowed")
        }
        skipWhitespace()
        guard index < input.count else { throw failure(.malformedJSON, at: index, "empty document") }
        while true {
            try value(into: &sink)
            // After a value: close containers or move to the next member/element.
            while true {
                skipWhitespace()
                guard let top = frames.last else {
                    guard index == input.count else {
                        throw failure(.malformedJSON, at: index, "unexpected content after the document")
                    }
                    return
                }
                guard index < input.count else {
                    throw failure(.malformedJSON, at: index, top.isObject ? "unterminated object" : "unterminated array")
                }
                let byte = input[index]
                frames[frames.count - 1].count += 1
                if byte == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if top.isObject { try member(into: &sink) }
                    break
                }
                if top.isObject, byte == UInt8(ascii: "}") {
                    try closeObject()
                    index += 1
                    sink.endObject()
                    continue
                }
                if !top.isObject, byte == UInt8(ascii: "]") {
                    frames.removeLast()
                    index += 1
                    sink.endArray()
                    continue
                }
                frames[frames.count - 1].count -= 1
                throw failure(.malformedJSON, at: index, top.isObject ? "expected ',' or '}'" : "expected ',' or ']'")
            }
        }
    }

    /// Reads one value; for an object or array, reads its opening and leaves the rest to ``document``.
    private mutating func value<Sink: StrictJSONSink>(into sink: inout Sink) throws(ModelDecodingError) {
        while true {
            guard index < input.count else { throw failure(.malformedJSON, at: index, "unexpected end of input") }
            let start = index
            switch input[index] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = input[index] == UInt8(ascii: "{")
                try push(isObject: isObject)
                if isObject { sink.beginObject(at: start) } else { sink.beginArray(at: start) }
                index += 1
                skipWhitespace()
                if index < input.count, input[index] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    frames.removeLast()
                    index += 1
                    if isObject { sink.endObject() } else { sink.endArray() }
                    return
                }
                if isObject { try member(into: &sink) }
                continue
            case UInt8(ascii: "\""):
                let span = try string(decoding: Sink.wantsValues)
                if Sink.wantsValues { withContent(span) { sink.string($0, at: start, escaped: span.hasEscapes) } }
            case UInt8(ascii: "t"):
                try literal("true")
                sink.bool(true, at: start)
            case UInt8(ascii: "f"):
                try literal("false")
                sink.bool(false, at: start)
            case UInt8(ascii: "n"):
                try literal("null")
                sink.null(at: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let number = try self.number(wantsValue: Sink.wantsValues)
                sink.number(number, at: start)
            default:
                throw failure(.malformedJSON, at: index, "expected a JSON value")
            }
            return
        }
    }

    /// Reads `"name" :` and leaves the reader at the member's value.
    private mutating func member<Sink: StrictJSONSink>(into sink: inout Sink) throws(ModelDecodingError) {
        let top = frames.count - 1
        frames[top].keyStart = -1
        guard index < input.count, input[index] == UInt8(ascii: "\"") else {
            throw failure(.malformedJSON, at: index, "expected a quoted member name")
        }
        let keyOffset = index
        let span = try string(decoding: true)
        frames[top].keyStart = span.start
        frames[top].keyEnd = span.end
        withContent(span) { sink.key($0, at: keyOffset, escaped: span.hasEscapes) }
        try remember(span, at: keyOffset)
        skipWhitespace()
        guard index < input.count, input[index] == UInt8(ascii: ":") else {
            throw failure(.malformedJSON, at: index, "expected ':' after a member name")
        }
        index += 1
        skipWhitespace()
    }

    private mutating func push(isObject: Bool) throws(ModelDecodingError) {
        guard frames.count < maxDepth else {
            throw failure(.nestingTooDeep, at: index, "nesting exceeds \(maxDepth) levels")
        }
        frames.append(Frame(isObject: isObject, namesStart: names.count, arenaStart: arena.count))
    }

    private mutating func skipWhitespace() {
        while index < input.count {
            switch input[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(ModelDecodingError) {
        let count = word.utf8CodeUnitCount
        guard input.count - index >= count else { throw failure(.malformedJSON, at: index, "expected a JSON value") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: count)
        for offset in 0..<count where input[index + offset] != expected[offset] {
            throw failure(.malformedJSON, at: index, "expected a JSON value")
        }
        index += count
    }

    // MARK: Member names

    /// Folds a member name (ASCII lowercase; otherwise upper-then-lower case and NFC) into the arena
    /// and checks it against the object's earlier names.
    private mutating func remember(_ span: StringSpan, at offset: Int) throws(ModelDecodingError) {
        let start = arena.count
        if span.isASCII {
            if span.hasEscapes {
                for position in scratch.indices { arena.append(Self.lowercased(scratch[position])) }
            } else {
                for position in span.start..<span.end { arena.append(Self.lowercased(input[position])) }
            }
        } else {
            let name = withContent(span) { String(decoding: $0, as: UTF8.self) }
            arena.append(contentsOf: name.uppercased().lowercased().precomposedStringWithCanonicalMapping.utf8)
        }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for position in start..<arena.count {
            hash = (hash ^ UInt64(arena[position])) &* 0x0000_0100_0000_01B3
        }
        let folded = FoldedName(hash: hash, start: start, count: arena.count - start)
        let frame = frames[frames.count - 1]
        if names.count - frame.namesStart < Self.linearNameLimit {
            for earlier in names[frame.namesStart...] where sameName(earlier, folded) {
                throw failure(.duplicateMember, at: offset, "the member name appears twice in this object")
            }
        }
        names.append(folded)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    private func sameName(_ a: FoldedName, _ b: FoldedName) -> Bool {
        guard a.hash == b.hash, a.count == b.count else { return false }
        for offset in 0..<a.count where arena[a.start + offset] != arena[b.start + offset] { return false }
        return true
    }

    /// Pops an object, first checking a large one's names for duplicates.
    private mutating func closeObject() throws(ModelDecodingError) {
        let frame = frames[frames.count - 1]
        let objectNames = names[frame.namesStart...]
        if objectNames.count > Self.linearNameLimit {
            let sorted = objectNames.sorted { $0.hash < $1.hash }
            var position = 1
            while position < sorted.count {
                var earlier = position - 1
                while earlier >= 0, sorted[earlier].hash == sorted[position].hash {
                    if sameName(sorted[earlier], sorted[position]) {
                        frames[frames.count - 1].keyStart = -1
                        throw failure(.duplicateMember, at: index, "a member name appears twice in this object")
                    }
                    earlier -= 1
                }
                position += 1
            }
        }
        names.removeSubrange(frame.namesStart...)
        arena.removeSubrange(frame.arenaStart...)
        frames.removeLast()
    }

    // MARK: Strings

    private struct StringSpan {
        /// The content between the quotes, in the input.
        var start: Int
        var end: Int
        var hasEscapes: Bool
        var isASCII: Bool
    }

    /// Calls `body` with the string's decoded UTF-8: the input itself, or `scratch` when it had escapes.
    private func withContent<R>(_ span: StringSpan, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if span.hasEscapes { return scratch.withUnsafeBufferPointer(body) }
        return body(UnsafeBufferPointer(rebasing: input[span.start..<span.end]))
    }

    /// Reads a string starting at its opening quote. With `decoding`, a string with escapes is decoded
    /// into `scratch`.
    private mutating func string(decoding: Bool) throws(ModelDecodingError) -> StringSpan {
        index += 1
        var span = StringSpan(start: index, end: index, hasEscapes: false, isASCII: true)
        while index < input.count {
            let byte = input[index]
            if byte >= 0x20 && byte < 0x80 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                if span.hasEscapes && decoding { scratch.append(byte) }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                span.end = index
                index += 1
                return span
            case UInt8(ascii: "\\"):
                if !span.hasEscapes {
                    span.hasEscapes = true
                    if decoding {
                        scratch.removeAll(keepingCapacity: true)
                        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[span.start..<index]))
                    }
                }
                let scalar = try escape()
                if scalar >= 0x80 { span.isASCII = false }
                if decoding { appendUTF8(scalar) }
            case 0x00..<0x20:
                throw failure(.malformedJSON, at: index, "a control character must be escaped in a string")
            default:
                span.isASCII = false
                let start = index
                let scalar = try multiByteScalar()
                if decoding && span.hasEscapes { scratch.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index])) }
                if Self.isNoncharacter(scalar) {
                    throw failure(.forbiddenCodePoint, at: start, "a Unicode noncharacter is not allowed")
                }
            }
        }
        throw failure(.malformedJSON, at: span.start - 1, "unterminated string")
    }

    /// Reads `\x` or `\uXXXX` (with its low surrogate) at `index`; answers the scalar.
    private mutating func escape() throws(ModelDecodingError) -> UInt32 {
        let start = index
        guard index + 1 < input.count else { throw failure(.malformedJSON, at: start, "unterminated escape") }
        let letter = input[index + 1]
        index += 2
        switch letter {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): return UInt32(letter)
        case UInt8(ascii: "b"): return 0x08
        case UInt8(ascii: "f"): return 0x0C
        case UInt8(ascii: "n"): return 0x0A
        case UInt8(ascii: "r"): return 0x0D
        case UInt8(ascii: "t"): return 0x09
        case UInt8(ascii: "u"): break
        default: throw failure(.malformedJSON, at: start, "invalid escape")
        }
        var scalar = try hex4(escapeAt: start)
        if (0xDC00...0xDFFF).contains(scalar) {
            throw failure(.loneSurrogate, at: start, "a low surrogate escape without a high surrogate")
        }
        if (0xD800...0xDBFF).contains(scalar) {
            guard input.count - index >= 2, input[index] == UInt8(ascii: "\\"), input[index + 1] == UInt8(ascii: "u") else {
                throw failure(.loneSurrogate, at: start, "a high surrogate escape without a low surrogate")
            }
            let lowStart = index
            index += 2
            let low = try hex4(escapeAt: lowStart)
            guard (0xDC00...0xDFFF).contains(low) else {
                throw failure(.loneSurrogate, at: start, "a high surrogate escape without a low surrogate")
            }
            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
        }
        if scalar == 0 { throw failure(.forbiddenCodePoint, at: start, "U+0000 is not allowed in a string") }
        if Self.isNoncharacter(scalar) { throw failure(.forbiddenCodePoint, at: start, "a Unicode noncharacter is not allowed") }
        return scalar
    }

    private mutating func hex4(escapeAt start: Int) throws(ModelDecodingError) -> UInt32 {
        guard input.count - index >= 4 else { throw failure(.malformedJSON, at: start, "invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = input[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte &- UInt8(ascii: "A") &+ 10
            default: throw failure(.malformedJSON, at: start, "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Validates one multi-byte UTF-8 sequence at `index` (RFC 3629 table: no overlongs, no
    /// surrogates, nothing above U+10FFFF) and answers its scalar.
    private mutating func multiByteScalar() throws(ModelDecodingError) -> UInt32 {
        let lead = input[index]
        let length: Int
        var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
        var scalar: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; scalar = UInt32(lead & 0x1F)
        case 0xE0: length = 3; lower = 0xA0; scalar = 0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3; scalar = UInt32(lead & 0x0F)
        case 0xED: length = 3; upper = 0x9F; scalar = UInt32(lead & 0x0F)
        case 0xF0: length = 4; lower = 0x90; scalar = 0
        case 0xF1...0xF3: length = 4; scalar = UInt32(lead & 0x07)
        case 0xF4: length = 4; upper = 0x8F; scalar = 4
        default: throw failure(.invalidUTF8, at: index, "invalid UTF-8 lead byte")
        }
        guard input.count - index >= length else { throw failure(.invalidUTF8, at: index, "truncated UTF-8 sequence") }
        let second = input[index + 1]
        guard second >= lower && second <= upper else {
            throw failure(.invalidUTF8, at: index + 1, "invalid UTF-8 continuation")
        }
        scalar = scalar << 6 | UInt32(second & 0x3F)
        var offset = 2
        while offset < length {
            let next = input[index + offset]
            guard next & 0xC0 == 0x80 else { throw failure(.invalidUTF8, at: index + offset, "invalid UTF-8 continuation") }
            scalar = scalar << 6 | UInt32(next & 0x3F)
            offset += 1
        }
        index += length
        return scalar
    }

    private static func isNoncharacter(_ scalar: UInt32) -> Bool {
        (0xFDD0...0xFDEF).contains(scalar) || scalar & 0xFFFE == 0xFFFE
    }

    private mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case ..<0x80:
            scratch.append(UInt8(scalar))
        case ..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case ..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Numbers

    /// Reads `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?` and checks its range. Answers the value
    /// when `wantsValue` (or when it is needed for the range check), else 0.
    private mutating func number(wantsValue: Bool) throws(ModelDecodingError) -> Double {
        let start = index
        let negative = input[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < input.count, isDigit(input[index]) else { throw failure(.malformedJSON, at: start, "invalid number") }
        var integer: UInt64 = 0
        var integerDigits = 0
        if input[index] == UInt8(ascii: "0") {
            index += 1
            if index < input.count, isDigit(input[index]) {
                throw failure(.malformedJSON, at: start, "a number must not have a leading zero")
            }
        } else {
            while index < input.count, isDigit(input[index]) {
                if integerDigits < 17 { integer = integer * 10 + UInt64(input[index] &- UInt8(ascii: "0")) }
                integerDigits += 1
                index += 1
            }
        }
        var isInteger = true
        if index < input.count, input[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard digits() > 0 else { throw failure(.malformedJSON, at: start, "invalid number") }
        }
        if index < input.count, input[index] == UInt8(ascii: "e") || input[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < input.count, input[index] == UInt8(ascii: "+") || input[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw failure(.malformedJSON, at: start, "invalid number") }
        }
        if isInteger {
            guard integerDigits <= 16, integer <= StrictJSON.maxExactInteger else {
                throw failure(.numberOutOfRange, at: start, "an integer beyond ±(2^53−1) is not read alike by every parser")
            }
            let magnitude = Double(integer)
            return negative ? -magnitude : magnitude
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: input[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw failure(.numberOutOfRange, at: start, "a number beyond the IEEE-754 double range")
        }
        if value == 0, hasNonzeroDigit(from: start, to: index) {
            // `1e-400`: Python and JavaScript read 0, Foundation refuses it.
            throw failure(.numberOutOfRange, at: start, "a nonzero number too small for an IEEE-754 double")
        }
        return wantsValue ? value : 0
    }

    /// Whether the mantissa of the number in `start..<end` has a digit other than 0.
    private func hasNonzeroDigit(from start: Int, to end: Int) -> Bool {
        for position in start..<end {
            let byte = input[position]
            if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") { return false }
            if byte >= UInt8(ascii: "1") && byte <= UInt8(ascii: "9") { return true }
        }
        return false
    }

    private mutating func digits() -> Int {
        let from = index
        while index < input.count, isDigit(input[index]) { index += 1 }
        return index - from
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    // MARK: Errors

    /// An error at `offset` whose path names the containers (and member names) open there.
    private func failure(_ code: ModelDecodingError.Code, at offset: Int, _ reason: String) -> ModelDecodingError {
        var path = ""
        for frame in frames {
            if frame.isObject {
                guard frame.keyStart >= 0 else { break }
                if !path.isEmpty { path += "." }
                path += StrictJSON.safeName(UnsafeBufferPointer(rebasing: input[frame.keyStart..<frame.keyEnd]))
            } else {
                path += "[\(frame.count)]"
            }
        }
        return ModelDecodingError(code: code, path: path, offset: offset, reason: reason)
    }
}

extension StrictJSON {
    /// A member name as it may appear in an error: names made of ASCII letters, digits, `_` and `-`
    /// (at most 64, no run of 4 digits) are shown; anything else is `<name>`, because a hostile name
    /// could carry a card number. Every error path in Vigil renders names through this rule.
    package static func safeName(_ name: String) -> String {
        var name = name
        return name.withUTF8 { safeName($0) }
    }

    /// ``safeName(_:)`` of the raw bytes of a name (escapes included, so an escaped name is `<name>`).
    static func safeName(_ raw: UnsafeBufferPointer<UInt8>) -> String {
        guard (1...64).contains(raw.count) else { return "<name>" }
        var digitRun = 0
        for byte in raw {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digitRun += 1
                if digitRun >= 4 { return "<name>" }
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "_"), UInt8(ascii: "-"):
                digitRun = 0
            default:
                return "<name>"
            }
        }
        return String(decoding: raw, as: UTF8.self)
    }
}
