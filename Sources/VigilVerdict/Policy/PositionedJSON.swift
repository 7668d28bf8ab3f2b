import Foundation

/// A tiny JSON parser (RFC 8259) that remembers the byte offset of every value and key, so a policy
/// file's problems can be reported by line and column. `JSONSerialization` gives no positions.
///
/// Only for small configuration documents: it builds a tree, limits nesting depth, rejects duplicate
/// keys (a second `"action"` silently winning is a classic configuration bug) and trailing content.
struct PositionedJSON {
    /// A parsed value and where it starts.
    indirect enum Value {
        case object([Member], offset: Int)
        case array([Value], offset: Int)
        case string(String, offset: Int)
        case number(Double, offset: Int)
        case bool(Bool, offset: Int)
        case null(offset: Int)

        var offset: Int {
            switch self {
            case let .object(_, offset), let .array(_, offset), let .string(_, offset), let .number(_, offset),
                 let .bool(_, offset), let .null(offset):
                offset
            }
        }

        var typeName: String {
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

    /// An object member: its key, the key's offset and the value.
    struct Member {
        var key: String
        var keyOffset: Int
        var value: Value
    }

    /// A syntax error at a byte offset.
    struct SyntaxError: Error {
        var offset: Int
        var reason: String
    }

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private static let maxDepth = 32

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Parses a whole document.
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> Value {
        var parser = PositionedJSON(bytes)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3 }
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw SyntaxError(offset: parser.index, reason: "unexpected content after the document") }
        return value
    }

    /// The 1-based line and column (in UTF-8 bytes) of `offset` in `bytes`.
    static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var lineStart = 0
        for i in 0..<min(offset, bytes.count) where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func parseValue() throws(SyntaxError) -> Value {
        guard index < bytes.count else { throw SyntaxError(offset: index, reason: "unexpected end of input") }
        let start = index
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString(), offset: start)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true, offset: start)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false, offset: start)
        case UInt8(ascii: "n"): try literal("null"); return .null(offset: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw SyntaxError(offset: index, reason: "expected a JSON value")
        }
    }

    private mutating func literal(_ word: String) throws(SyntaxError) {
        let expected = Array(word.utf8)
        guard bytes.count - index >= expected.count, Array(bytes[index..<(index + expected.count)]) == expected else {
            throw SyntaxError(offset: index, reason: "expected a JSON value")
        }
        index += expected.count
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw SyntaxError(offset: index, reason: "nesting too deep") }
    }

    private mutating func parseObject() throws(SyntaxError) -> Value {
        let start = index
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [Member] = []
        var seen: Set<String> = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members, offset: start)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw SyntaxError(offset: index, reason: "expected a quoted key")
            }
            let keyOffset = index
            let key = try parseString()
            guard seen.insert(key).inserted else { throw SyntaxError(offset: keyOffset, reason: "duplicate key \"\(key)\"") }
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw SyntaxError(offset: index, reason: "expected ':' after a key")
            }
            index += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(Member(key: key, keyOffset: keyOffset, value: value))
            skipWhitespace()
            guard index < bytes.count else { throw SyntaxError(offset: index, reason: "unterminated object") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members, offset: start) }
            throw SyntaxError(offset: index, reason: "expected ',' or '}'")
        }
    }

    private mutating func parseArray() throws(SyntaxError) -> Value {
        let start = index
        try enter()
        defer { depth -= 1 }
        index += 1
        var elements: [Value] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements, offset: start)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw SyntaxError(offset: index, reason: "unterminated array") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements, offset: start) }
            throw SyntaxError(offset: index, reason: "expected ',' or ']'")
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let start = index
        index += 1
        var scalars: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard let string = String(bytes: scalars, encoding: .utf8) else {
                    throw SyntaxError(offset: start, reason: "string is not valid UTF-8")
                }
                return string
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { break }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
                case UInt8(ascii: "b"): scalars.append(0x08)
                case UInt8(ascii: "f"): scalars.append(0x0C)
                case UInt8(ascii: "n"): scalars.append(0x0A)
                case UInt8(ascii: "r"): scalars.append(0x0D)
                case UInt8(ascii: "t"): scalars.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw SyntaxError(offset: index, reason: "unpaired surrogate")
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError(offset: index, reason: "unpaired surrogate") }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw SyntaxError(offset: index, reason: "unpaired surrogate")
                    }
                    guard let scalar = Unicode.Scalar(code) else { throw SyntaxError(offset: index, reason: "invalid escape") }
                    scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw SyntaxError(offset: index - 2, reason: "invalid escape")
                }
            case 0x00..<0x20:
                throw SyntaxError(offset: index, reason: "control character in string")
            default:
                scalars.append(byte)
                index += 1
            }
        }
        throw SyntaxError(offset: start, reason: "unterminated string")
    }

    private mutating func hex4() throws(SyntaxError) -> UInt32 {
        guard bytes.count - index >= 4 else { throw SyntaxError(offset: index, reason: "invalid \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw SyntaxError(offset: index, reason: "invalid \\u escape")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws(SyntaxError) -> Value {
        let start = index
        func digits() -> Int {
            let from = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count else { throw SyntaxError(offset: start, reason: "invalid number") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else if digits() == 0 {
            throw SyntaxError(offset: start, reason: "invalid number")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw SyntaxError(offset: start, reason: "invalid number") }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw SyntaxError(offset: start, reason: "invalid number") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw SyntaxError(offset: start, reason: "invalid number") }
        return .number(value, offset: start)
    }
}
