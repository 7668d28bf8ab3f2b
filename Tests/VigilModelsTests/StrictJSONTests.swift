import Foundation
import Testing
import VigilTesting

@testable import VigilModels

/// The strict reader: RFC 8259 grammar, RFC 7493 (I-JSON) restrictions, limits, value-free errors.
@Suite("StrictJSON: one I-JSON grammar")
struct StrictJSONTests {
    typealias Code = ModelDecodingError.Code

    func failure(_ text: String, limits: StrictJSON.Limits = .standard) -> ModelDecodingError? {
        failure(Array(text.utf8), limits: limits)
    }

    func failure(_ bytes: [UInt8], limits: StrictJSON.Limits = .standard) -> ModelDecodingError? {
        do {
            try StrictJSON.validate(bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    // MARK: The ambiguity table

    /// Documents that mainstream parsers read differently, or that RFC 7493 forbids. Each is refused
    /// with its code, its path (key names only) and its byte offset.
    ///
    /// What the peers make of them (`Scripts/json-peers` prints it; Python 3 `json.loads`, Node
    /// `JSON.parse`): duplicates → the **last** value in both (Foundation's `JSONDecoder` keeps the
    /// **first**); `\ud800` → kept as a lone surrogate by both; `1e400` → `inf` / `Infinity`;
    /// `9007199254740993` → exact in Python, `9007199254740992` in Node; `1e-400` → 0 in both (Foundation
    /// refuses it); a BOM → refused by both;
    /// `{"a":1,}` → refused by both (Foundation accepts it).
    @Test(arguments: [
        (#"{"recordingId":"a","recordingId":"b"}"#, Code.duplicateMember, "recordingId", 19),
        (#"{"data":{"recordingId":"a","x":1,"recordingId":"b"}}"#, .duplicateMember, "data.recordingId", 33),
        (#"{"a":[{"b":{"c":1,"c":2}}]}"#, .duplicateMember, "a[0].b.c", 18),
        (#"{"recordingId":"a","RecordingID":"b"}"#, .duplicateMember, "RecordingID", 19),
        (#"{"recordingId":"a","recording\u0049d":"b"}"#, .duplicateMember, "<name>", 19),
        ("{\"caf\u{E9}\":1,\"cafe\u{301}\":2}", .duplicateMember, "<name>", 11),
        ("{\"\u{212A}ey\":1,\"key\":2}", .duplicateMember, "key", 11),
        (#"{"a":"\ud800"}"#, .loneSurrogate, "a", 6),
        (#"{"a":"\udc00\ud800"}"#, .loneSurrogate, "a", 6),
        (#"{"a":"\ud800\u0041"}"#, .loneSurrogate, "a", 6),
        (#"{"a":"x\u0000"}"#, .forbiddenCodePoint, "a", 7),
        (#"{"a":"\uffff"}"#, .forbiddenCodePoint, "a", 6),
        (#"{"a":"\ufdd0"}"#, .forbiddenCodePoint, "a", 6),
        (#"{"a":"\udbff\udfff"}"#, .forbiddenCodePoint, "a", 6),
        ("{\"a\":\"\u{FFFE}\"}", .forbiddenCodePoint, "a", 6),
        ("{\"a\":\"\u{1FFFF}\"}", .forbiddenCodePoint, "a", 6),
        (#"{"a":1e400}"#, .numberOutOfRange, "a", 5),
        (#"{"a":-1.7976931348623159e308}"#, .numberOutOfRange, "a", 5),
        (#"{"a":1e-400}"#, .numberOutOfRange, "a", 5),
        (#"{"a":-0.0001e-320}"#, .numberOutOfRange, "a", 5),
        (#"{"a":9007199254740992}"#, .numberOutOfRange, "a", 5),
        (#"{"a":[-9007199254740993]}"#, .numberOutOfRange, "a[0]", 6),
        (#"{"a":123456789012345678901234567890}"#, .numberOutOfRange, "a", 5),
        ("\u{FEFF}{\"a\":1}", .malformedJSON, "", 0),
        (#"{"a":1}{"a":2}"#, .malformedJSON, "", 7),
        (#"{"a":1} x"#, .malformedJSON, "", 8),
        (#"{"a":1,}"#, .malformedJSON, "", 7),
        (#"[1,2,]"#, .malformedJSON, "[2]", 5),
        (#"{"a":01}"#, .malformedJSON, "a", 5),
        (#"{"a":+1}"#, .malformedJSON, "a", 5),
        (#"{"a":.5}"#, .malformedJSON, "a", 5),
        (#"{"a":1.}"#, .malformedJSON, "a", 5),
        (#"{"a":NaN}"#, .malformedJSON, "a", 5),
        (#"{"a":Infinity}"#, .malformedJSON, "a", 5),
        (#"{'a':1}"#, .malformedJSON, "", 1),
        (#"{"a":"\x41"}"#, .malformedJSON, "a", 6),
        ("{\"a\":\"tab\there\"}", .malformedJSON, "a", 9),
        (#"{"a":tru}"#, .malformedJSON, "a", 5),
        ("{\"a\":1}\u{0}", .malformedJSON, "", 7),
        ("{\"a\":\u{A0}1}", .malformedJSON, "a", 5),
        ("", .malformedJSON, "", 0),
        ("   ", .malformedJSON, "", 3),
        (#"{"a":"unterminated"#, .malformedJSON, "a", 5)
    ])
    func refused(document: String, code: Code, path: String, offset: Int) throws {
        let error = try #require(failure(document))
        #expect(error.code == code)
        #expect(error.path == path)
        #expect(error.offset == offset)
    }

    /// Documents every parser reads the same way: accepted, with that one value.
    @Test func unambiguousEdgesAreAcceptedWithTheirOneValue() throws {
        func node(_ text: String) throws -> StrictJSON.Node { try StrictJSON.parse(Array(text.utf8)) }
        guard case let .number(negativeZero, _) = try node("-0") else { Issue.record("-0"); return }
        #expect(negativeZero == 0)
        guard case let .number(tiny, _) = try node("5e-324") else { Issue.record("5e-324"); return }
        #expect(tiny == .leastNonzeroMagnitude)
        guard case let .number(zero, _) = try node("0.000e-400") else { Issue.record("0.000e-400"); return }
        #expect(zero == 0)
        guard case let .array(elements, _) = try node("[9007199254740991,-9007199254740991,1.7976931348623157e308,1E2]"),
            case let .number(a, _) = elements[0], case let .number(b, _) = elements[1],
            case let .number(c, _) = elements[2], case let .number(d, _) = elements[3]
        else {
            Issue.record("edge numbers"); return
        }
        #expect(a == 9_007_199_254_740_991 && b == -9_007_199_254_740_991 && c == .greatestFiniteMagnitude && d == 100)
        // Escaped and raw forms of one character are one string; a surrogate pair is one scalar.
        guard case let .object(members, _) = try node(#"{"k\u00e9y":"\ud83d\ude00\/","b":"é"}"#) else { return }
        #expect(members.map(\.key) == ["k\u{E9}y", "b"])
        guard case let .string(emoji, _) = members[0].value else { return }
        #expect(emoji == "😀/")
        // Different names that are not equal under folding or canonical equivalence stay distinct.
        #expect(failure(#"{"recordingId":1,"recordingIds":2,"recording_id":3}"#) == nil)
        // Insignificant whitespace of all four kinds.
        #expect(failure(" \t\r\n{ \"a\" : [ 1 , true , null ] }\n") == nil)
    }

    // MARK: Limits

    @Test func nestingJustUnderAndOverTheLimit() throws {
        let limits = StrictJSON.Limits(maxDepth: 8)
        let under = String(repeating: "[", count: 8) + String(repeating: "]", count: 8)
        #expect(failure(under, limits: limits) == nil)
        let over = String(repeating: "[", count: 9) + String(repeating: "]", count: 9)
        let error = try #require(failure(over, limits: limits))
        #expect(error.code == .nestingTooDeep)
        #expect(error.offset == 8)
        #expect(error.path == "[0][0][0][0][0][0][0][0]")
        let objects = String(repeating: "{\"a\":", count: 9) + "1" + String(repeating: "}", count: 9)
        #expect(failure(objects, limits: limits)?.code == .nestingTooDeep)
        // No recursion: a million brackets under a host's huge limit cost a stack of frames, not threads.
        let million = String(repeating: "[", count: 1_000_000) + String(repeating: "]", count: 1_000_000)
        #expect(failure(million, limits: StrictJSON.Limits(maxDepth: 2_000_000)) == nil)
    }

    @Test func sizeLimitIsCheckedFirst() {
        let error = failure(#"{"a":"0123456789"}"#, limits: StrictJSON.Limits(maxBytes: 10))
        #expect(error?.code == .documentTooLarge)
        #expect(error?.reason == "document exceeds 10 bytes")
    }

    @Test func duplicatesInLargeObjectsAreFoundWithoutQuadraticWork() throws {
        var members = (0..<20_000).map { "\"k\($0)\":\($0)" }
        #expect(failure("{" + members.joined(separator: ",") + "}") == nil)
        members.append("\"K7\":0")
        let error = try #require(failure("{" + members.joined(separator: ",") + "}"))
        #expect(error.code == .duplicateMember)
        #expect(error.path == "")
        // Nested large objects release their names: the same names in sibling objects are fine.
        let sibling = "{" + (0..<40).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}"
        #expect(failure("[\(sibling),\(sibling)]") == nil)
        #expect(failure("{\"a\":\(sibling),\"b\":\(sibling)}") == nil)
    }

    // MARK: UTF-8

    @Test(arguments: [
        ([0xFF] as [UInt8], 6), ([0xC0, 0xAF], 6), ([0xE0, 0x80, 0xAF], 7), ([0xED, 0xA0, 0x80], 7),
        ([0xF4, 0x90, 0x80, 0x80], 7), ([0xC3], 7), ([0xF0, 0x9F, 0x98], 9)
    ])
    func illFormedUTF8IsRefusedAtItsByte(bad: [UInt8], offset: Int) throws {
        let body = Array(#"{"a":""#.utf8) + bad + Array(#""}"#.utf8)
        let error = try #require(failure(body))
        #expect(error.code == .invalidUTF8)
        #expect(error.offset == offset)
        #expect(error.path == "a")
    }

    // MARK: Errors never carry values

    @Test func errorsNameKeysNeverValuesOrHostileNames() throws {
        let card = "4111111111111111"
        let documents = [
            #"{"pan":"\#(card)","pan":"\#(card)"}"#,
            #"{"\#(card)":1,"\#(card)":2}"#,
            #"{"a":"\#(card)\ud800"}"#,
            #"{"a":\#(card)0000}"#,
            #"{"a":"\#(card)"  \#(card)}"#,
            #"{"note \#(card)":{"x":01}}"#
        ]
        for document in documents {
            let error = try #require(failure(document), "\(document.count)")
            #expect(!error.description.contains("4111"))
            #expect(!error.debugDescription.contains("4111"))
            #expect(!error.path.contains("1111"))
        }
    }

    // MARK: Differential: the strict reader never accepts what Foundation would read differently

    /// Random documents and random corruptions of them. Whenever the strict reader accepts, Foundation
    /// accepts too and reads the same value (so `VigilJSON.decode`, which runs both, acts on what
    /// every parser sees); the reader's own tree agrees with Foundation's.
    @Test func strictAcceptanceImpliesFoundationAgreement() throws {
        var random = SplitMix(seed: 0x5EED_1057)
        var accepted = 0, refused = 0
        for round in 0..<3_000 {
            var text = Self.randomDocument(&random, depth: 0)
            switch round % 6 {
            case 1: text = Self.corrupt(text, &random)
            case 2: text.insert(contentsOf: " ", at: text.index(text.startIndex, offsetBy: Int.random(in: 0...text.count, using: &random)))
            case 3 where text.count > 1: text.removeLast(Int.random(in: 1...min(3, text.count - 1), using: &random))
            default: break
            }
            let bytes = Array(text.utf8)
            guard let tree = try? StrictJSON.parse(bytes) else {
                refused += 1
                continue
            }
            accepted += 1
            let foundation = try #require(
                try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
                "Foundation refused a document the strict reader accepted (round \(round))")
            #expect(Self.same(tree, foundation), "round \(round)")
        }
        #expect(accepted > 1_000 && refused > 300)
    }

    // MARK: - Helpers

    static let names = ["a", "b", "id", "ID", "recordingId", "caf\u{E9}", "cafe\u{301}", "k\\u0065y", "key", "x y"]
    static let strings = ["", "plain", "\\\"", "\\u00e9", "é", "\\ud83d\\ude00", "😀", "\\n\\t", "\\/", "\\u0041"]
    static let numbers = ["0", "-0", "1", "-12", "3.25", "1e3", "-2.5E-3", "9007199254740991", "5e-324", "0.1"]

    static func randomDocument(_ random: inout SplitMix, depth: Int) -> String {
        let pick = depth >= 4 ? Int.random(in: 2...6, using: &random) : Int.random(in: 0...6, using: &random)
        switch pick {
        case 0:
            let count = Int.random(in: 0...4, using: &random)
            let members = (0..<count).map { _ in
                "\"\(names.randomElement(using: &random)!)\":\(randomDocument(&random, depth: depth + 1))"
            }
            return "{" + members.joined(separator: ",") + "}"
        case 1:
            let count = Int.random(in: 0...4, using: &random)
            return "[" + (0..<count).map { _ in randomDocument(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        case 2, 3: return "\"\(strings.randomElement(using: &random)!)\""
        case 4: return numbers.randomElement(using: &random)!
        case 5: return ["true", "false"].randomElement(using: &random)!
        default: return "null"
        }
    }

    static func corrupt(_ text: String, _ random: inout SplitMix) -> String {
        var bytes = Array(text.utf8)
        guard !bytes.isEmpty else { return text }
        let position = Int.random(in: 0..<bytes.count, using: &random)
        let replacements: [UInt8] = Array(",:{}[]\"\\0e-.tn ".utf8) + [0x00, 0x1F, 0x80, 0xFF]
        bytes[position] = replacements.randomElement(using: &random)!
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Compares the strict tree with `JSONSerialization`'s reading.
    static func same(_ node: StrictJSON.Node, _ value: Any) -> Bool {
        switch node {
        case let .object(members, _):
            guard let dictionary = value as? [String: Any], dictionary.count == members.count else { return false }
            return members.allSatisfy { member in dictionary[member.key].map { same(member.value, $0) } ?? false }
        case let .array(elements, _):
            guard let array = value as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { same($0, $1) }
        case let .string(string, _):
            return (value as? String) == string
        case let .number(number, _):
            return (value as? NSNumber)?.doubleValue == number
        case let .bool(bool, _):
            return (value as? Bool) == bool
        case .null:
            return value is NSNull
        }
    }
}
