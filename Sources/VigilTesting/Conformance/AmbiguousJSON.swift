import VigilModels

/// The ambiguous-document table run through every door where untrusted JSON enters Vigil.
///
/// Given a valid document for a door (a JSON object) and one of its top-level members, it derives
/// variants that mainstream parsers would read differently — or that RFC 7493 forbids — and
/// variants that mean exactly the same thing. A door passes when it refuses every ``refusals(of:member:alternative:maxDepth:)``
/// variant (changing nothing) and treats every ``equivalents(of:member:)`` variant as the original.
///
/// ```swift
/// for variant in AmbiguousJSON.refusals(of: body, member: "recordingId", alternative: #""\#(otherId)""#) {
///     let response = await receiver.receive(body: variant.bytes, headers: sign(variant.bytes))
///     #expect(response.status == 400, "\(variant)")
/// }
/// ```
public enum AmbiguousJSON {
    /// One derived document.
    public struct Variant: Sendable, CustomStringConvertible {
        /// What was changed, e.g. `duplicate member, alternative first`.
        public let name: String
        /// The document's bytes.
        public let bytes: [UInt8]
        /// For a refusal, the code the strict reader reports; `nil` for an equivalent.
        public let code: ModelDecodingError.Code?

        /// The variant's name (never its bytes).
        public var description: String { name }
    }

    /// Variants of `document` that must be refused.
    ///
    /// - Parameters:
    ///   - document: a valid JSON object for the door.
    ///   - objectPath: the member names leading to the object that holds `member` (`["data"]` for the
    ///     seed webhook's `data.recordingId`); empty for a top-level member.
    ///   - member: a member of that object whose value the door acts on (`recordingId`).
    ///   - alternative: raw JSON for a *different* value of that member (another id, quoted).
    ///   - maxDepth: the door's nesting limit; one variant nests exactly one level deeper.
    public static func refusals(
        of document: String, at objectPath: [String] = [], member: String, alternative: String,
        maxDepth: Int = StrictJSON.Limits.standard.maxDepth
    ) -> [Variant] {
        let text = Array(document.utf8)
        guard let (open, close) = objectBounds(in: text, at: objectPath) else { return [] }
        func inserting(_ member: String, first: Bool = false) -> [UInt8] {
            let isEmpty = text[(open + 1)..<close].allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
            if first { return Array(text[...open]) + Array((member + (isEmpty ? "" : ",")).utf8) + Array(text[(open + 1)...]) }
            return Array(text[..<close]) + Array(((isEmpty ? "" : ",") + member).utf8) + Array(text[close...])
        }
        let name = "\"\(member)\""
        let caseVariant = member.prefix(1).uppercased() + member.dropFirst()
        let escapedName = "\"" + escapeFirst(member) + "\""
        // The probe array nests from the target object's depth (objectPath.count + 1) to one past the limit.
        let arrays = max(1, maxDepth - objectPath.count)
        let tooDeep = String(repeating: "[", count: arrays) + String(repeating: "]", count: arrays)
        return [
            Variant(name: "duplicate member, alternative last", bytes: inserting("\(name):\(alternative)"), code: .duplicateMember),
            Variant(
                name: "duplicate member, alternative first", bytes: inserting("\(name):\(alternative)", first: true),
                code: .duplicateMember),
            Variant(
                name: "duplicate member in another case", bytes: inserting("\"\(caseVariant)\":\(alternative)"),
                code: .duplicateMember),
            Variant(
                name: "duplicate member spelled with an escape", bytes: inserting("\(escapedName):\(alternative)"),
                code: .duplicateMember),
            Variant(
                name: "duplicate member one level down", bytes: inserting(#""vigilProbe":{"k":1,"x":[],"k":2}"#),
                code: .duplicateMember),
            Variant(name: "lone high surrogate", bytes: inserting(#""vigilProbe":"\ud800""#), code: .loneSurrogate),
            Variant(name: "lone low surrogate", bytes: inserting(#""vigilProbe":"\udc00""#), code: .loneSurrogate),
            Variant(name: "escaped U+0000", bytes: inserting(#""vigilProbe":"a\u0000""#), code: .forbiddenCodePoint),
            Variant(name: "noncharacter", bytes: inserting(#""vigilProbe":"\uffff""#), code: .forbiddenCodePoint),
            Variant(name: "number beyond double range", bytes: inserting(#""vigilProbe":1e400"#), code: .numberOutOfRange),
            Variant(
                name: "nonzero number that underflows to zero", bytes: inserting(#""vigilProbe":1e-400"#),
                code: .numberOutOfRange),
            Variant(name: "integer beyond 2^53-1", bytes: inserting(#""vigilProbe":9007199254740993"#), code: .numberOutOfRange),
            Variant(name: "byte order mark", bytes: [0xEF, 0xBB, 0xBF] + text, code: .malformedJSON),
            Variant(name: "a second document after the first", bytes: text + Array("{}".utf8), code: .malformedJSON),
            Variant(
                name: "trailing comma", bytes: Array(text[..<close]) + Array(",".utf8) + Array(text[close...]),
                code: .malformedJSON),
            Variant(name: "nesting one level over the limit", bytes: inserting("\"vigilProbe\":\(tooDeep)"), code: .nestingTooDeep)
        ]
    }

    /// Variants of `document` that mean exactly what it means: `member`'s name and its string value
    /// spelled with escapes, insignificant whitespace, and the whole document re-spaced.
    public static func equivalents(of document: String, member: String) -> [Variant] {
        let name = "\"\(member)\""
        var variants: [Variant] = []
        if let range = document.range(of: name + ":") ?? document.range(of: name + " :") ?? document.range(of: name) {
            var escaped = document
            escaped.replaceSubrange(range, with: "\"" + escapeFirst(member) + "\"" + document[range].dropFirst(name.count))
            variants.append(Variant(name: "member name spelled with an escape", bytes: Array(escaped.utf8), code: nil))
        }
        variants.append(Variant(name: "whitespace around the document", bytes: Array((" \r\n\t" + document + "\n ").utf8), code: nil))
        return variants
    }

    /// The offsets of the opening and closing brace of the object at `path`.
    private static func objectBounds(in text: [UInt8], at path: [String]) -> (Int, Int)? {
        guard var node = try? StrictJSON.parse(text) else { return nil }
        for name in path {
            guard case let .object(members, _) = node, let member = members.first(where: { $0.key == name }) else { return nil }
            node = member.value
        }
        guard case .object = node else { return nil }
        let open = node.offset
        var depth = 0, index = open, inString = false
        while index < text.count {
            let byte = text[index]
            if inString {
                if byte == UInt8(ascii: "\\") { index += 1 } else if byte == UInt8(ascii: "\"") { inString = false }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return (open, index) }
            }
            index += 1
        }
        return nil
    }

    /// `member` with its first character written as a `\u` escape.
    private static func escapeFirst(_ member: String) -> String {
        guard let first = member.unicodeScalars.first, first.value < 0x80 else { return member }
        let hex = String(first.value, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex + String(member.unicodeScalars.dropFirst())
    }
}
