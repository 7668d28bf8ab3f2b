import Foundation
import VigilModels

/// Plants personal data — card numbers, US social security numbers, e-mail addresses, phone numbers —
/// into a valid JSON document, so a property test can prove that none of it comes out the other side
/// of a door: not in a job, an error, an observer event, a dead letter, a platform request or an HTTP
/// response.
///
/// Given a door's valid document, it lists the document's *sites* (every string value, every member
/// name, every object) and derives variants, each with fresh values from a seeded generator:
///
/// | ``Placement`` | What changes |
/// |---|---|
/// | ``Placement/replaceValue`` | one string value becomes a planted value |
/// | ``Placement/embedInValue`` | one string value gets a planted value inside it, before, after or amid its text |
/// | ``Placement/addMember`` | one object gains a member whose name and value are both planted |
/// | ``Placement/renameMember`` | one member's name becomes a planted value |
/// | ``Placement/everyString`` | every string value is replaced or embedded in, and every object gains a planted member |
///
/// Variant `i` cycles through the placements, then through the sites of its placement, then through
/// the ``Kind``s, so a few times (placements × sites × kinds) variants plant every kind in every field.
/// The same document, index and seed always give the same variant.
///
/// ```swift
/// let planter = try PIIPlanter(json: body)
/// for variant in planter.variants(count: 300, seed: 14) {
///     let response = await receiver.receive(body: variant.bytes, headers: sign(variant.bytes))
///     #expect(variant.leaks(in: String(decoding: response.body, as: UTF8.self)).isEmpty, "\(variant)")
/// }
/// ```
///
/// ``Variant/leaks(in:)`` looks for each planted value as planted, case-insensitively; for an e-mail
/// address also for its local part; and for anything with digits, for its digits in any run of digits
/// and separators (`4111111111111111`, `4111 1111 1111 1111`, `4111-1111-1111-1111`, `(415) 555-0123`,
/// `415.555.0123` all match one another). A masked form (`************1111`, `***-**-6789`) does not.
/// To search one output for many values, prepare it once as a ``SearchableText``.
public struct PIIPlanter: Sendable {
    /// The kinds of personal data planted.
    public enum Kind: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A 16-digit Visa number (`4…`) with a valid Luhn check digit.
        case visa
        /// A 16-digit Mastercard number (`51…55`, `2221…2720`) with a valid Luhn check digit.
        case mastercard
        /// A 15-digit American Express number (`34`, `37`) with a valid Luhn check digit.
        case amex
        /// A US social security number with a valid area (001–899 but 666), group and serial.
        case ssn
        /// An e-mail address with a distinctive local part.
        case email
        /// A North American number in E.164 form, `+14155550123`.
        case phoneE164
        /// A North American number in national form, `(415) 555-0123` (or `415-555-0123`, `415.555.0123`).
        case phoneNANP

        /// The raw name.
        public var description: String { rawValue }
    }

    /// One planted value and the forms it must not be found in.
    public struct Planted: Sendable, Hashable, CustomStringConvertible {
        /// What it is.
        public let kind: Kind
        /// The text exactly as planted.
        public let text: String
        /// Its digits, for the kinds that have them (a phone number's ten national digits, without the
        /// `+1`); empty for an e-mail address.
        public let digits: String
        /// Strings that must not occur in any output, compared case-insensitively: the text as planted,
        /// and an e-mail address's local part.
        public let needles: [String]

        /// Creates a planted value (``PIIGenerator`` makes them).
        public init(kind: Kind, text: String, digits: String, needles: [String]) {
            self.kind = kind
            self.text = text
            self.digits = digits
            self.needles = needles
        }

        /// Whether `output` holds this value in any of its forms (see ``PIIPlanter``).
        public func occurs(in output: String) -> Bool { PIIPlanter.SearchableText(output).holds(self) }

        /// The text around the first place `output` holds this value, for a failure message; `nil`
        /// when it does not hold it.
        public func excerpt(in output: String, radius: Int = 48) -> String? {
            guard let range = occurrence(in: output) else { return nil }
            let start = output.index(range.lowerBound, offsetBy: -radius, limitedBy: output.startIndex) ?? output.startIndex
            let end = output.index(range.upperBound, offsetBy: radius, limitedBy: output.endIndex) ?? output.endIndex
            return (start > output.startIndex ? "…" : "") + String(output[start..<end]) + (end < output.endIndex ? "…" : "")
        }

        /// Where `output` first holds this value: a needle (ignoring case), else a run of digits and
        /// separators holding ``digits``.
        func occurrence(in output: String) -> Range<String.Index>? {
            for needle in needles {
                if let range = output.range(of: needle, options: .caseInsensitive) { return range }
            }
            guard !digits.isEmpty else { return nil }
            return PIIPlanter.digitRuns(in: output).first { $0.digits.contains(digits) }?.range
        }

        /// `visa 4539 5787 6362 1486`.
        public var description: String { "\(kind) \(text)" }
    }

    /// Where a variant plants.
    public enum Placement: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// One string value is replaced by a planted value.
        case replaceValue
        /// One string value gets a planted value inside it (before, after or amid its text).
        case embedInValue
        /// One object gains a member whose name and value are both planted (unknown members are
        /// ignored by most decoders and kept by free-form ones: `messageParams`, `analytics`).
        case addMember
        /// One member's name is replaced by a planted value (the member goes missing under its own name).
        case renameMember
        /// Every string value is replaced by or embeds a planted value, and every object gains a planted member.
        case everyString

        /// The raw name.
        public var description: String { rawValue }
    }

    /// A place in the document a value can be planted.
    public struct Site: Sendable, Hashable, CustomStringConvertible {
        /// What the site is.
        public enum Kind: String, Sendable, Hashable {
            /// A string value (``Site/path`` is the value's path).
            case string
            /// A member name (``Site/path`` is the member's path).
            case memberName
            /// An object (``Site/path`` is the object's path, empty for the root).
            case object
        }

        /// What the site is.
        public let kind: Kind
        /// The JSON path, `data.tags[0].value`; empty for the root object.
        public let path: String
        /// The byte range of the string literal, quotes included; for an object, its `{`.
        let range: Range<Int>
        /// The decoded string, for string values and member names.
        let text: String

        /// `string data.tags[0].value`, `memberName data.channel`, `object (root)`.
        public var description: String { "\(kind.rawValue) \(path.isEmpty ? "(root)" : path)" }
    }

    /// One derived document.
    public struct Variant: Sendable, CustomStringConvertible {
        /// Its index in ``PIIPlanter/variants(count:seed:placements:where:)``.
        public let index: Int
        /// How it was planted.
        public let placement: Placement
        /// The sites planted.
        public let sites: [Site]
        /// The document's bytes.
        public let bytes: [UInt8]
        /// Every value planted in it.
        public let planted: [Planted]

        /// The document as text.
        public var text: String { String(decoding: bytes, as: UTF8.self) }

        /// The planted values that occur in `output`, in any of their forms; empty when none does.
        public func leaks(in output: String) -> [Planted] {
            let text = SearchableText(output)
            return planted.filter(text.holds)
        }

        /// `#12 replaceValue at string data.tags[0].value: visa 4539 5787 6362 1486`.
        public var description: String {
            let location = sites.count == 1 ? sites[0].description : "\(sites.count) sites"
            let values = planted.prefix(3).map(\.description).joined(separator: ", ")
            return "#\(index) \(placement) at \(location): \(values)\(planted.count > 3 ? ", …" : "")"
        }
    }

    /// The original document.
    public let document: [UInt8]
    /// Every site, in document order.
    public let sites: [Site]

    /// Reads `document` (which must be valid I-JSON) and lists its sites.
    ///
    /// - Throws: ``ModelDecodingError`` when the document is not valid.
    public init(document: [UInt8]) throws(ModelDecodingError) {
        self.document = document
        let root = try StrictJSON.parse(document)
        var sites: [Site] = []
        Self.collect(root, path: "", in: document, into: &sites)
        self.sites = sites
    }

    /// Reads `json` (see ``init(document:)``).
    public init(json: String) throws(ModelDecodingError) {
        try self.init(document: Array(json.utf8))
    }

    /// The sites a placement plants in (none for ``Placement/everyString``, which plants in all).
    public func sites(for placement: Placement) -> [Site] {
        switch placement {
        case .replaceValue, .embedInValue: sites.filter { $0.kind == .string }
        case .addMember: sites.filter { $0.kind == .object }
        case .renameMember: sites.filter { $0.kind == .memberName }
        case .everyString: []
        }
    }

    /// `count` variants, from index 0 (see ``variant(_:seed:placements:where:)``).
    public func variants(
        count: Int, seed: UInt64, placements: [Placement] = Placement.allCases,
        where include: (Site) -> Bool = { _ in true }
    ) -> [Variant] {
        (0..<max(0, count)).compactMap { variant($0, seed: seed, placements: placements, where: include) }
    }

    /// Variant number `index`: placement `placements[index % placements.count]` (skipping placements
    /// with no site `include` accepts), then that placement's sites in turn, then the kinds in turn.
    ///
    /// - Returns: `nil` when no placement has a site to plant in.
    public func variant(
        _ index: Int, seed: UInt64, placements: [Placement] = Placement.allCases,
        where include: (Site) -> Bool = { _ in true }
    ) -> Variant? {
        let usable = placements.filter { $0 == .everyString || sites(for: $0).contains(where: include) }
        guard !usable.isEmpty else { return nil }
        let placement = usable[index % usable.count]
        let round = index / usable.count
        var generator = PIIGenerator(seed: seed &+ UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15)
        let kinds = Kind.allCases
        var edits: [(Range<Int>, String)] = []
        var planted: [Planted] = []
        var chosen: [Site] = []

        func plantedValue(_ kind: Kind) -> Planted {
            let value = generator.next(kind)
            planted.append(value)
            return value
        }

        switch placement {
        case .everyString:
            var next = round
            for site in sites where include(site) {
                let kind = kinds[next % kinds.count]
                next += 1
                switch site.kind {
                case .string:
                    let value = plantedValue(kind)
                    let embed = generator.flip()
                    edits.append((site.range, Self.literal(embed ? generator.embed(value.text, in: site.text) : value.text)))
                case .object:
                    let name = plantedValue(kind), value = plantedValue(kinds[next % kinds.count])
                    edits.append(
                        (
                            site.range,
                            "{" + Self.literal(name.text) + ":" + Self.literal(value.text)
                                + (Self.isEmptyObject(at: site.range.lowerBound, in: document) ? "" : ",")
                        ))
                case .memberName:
                    continue
                }
                chosen.append(site)
            }
        default:
            let candidates = sites(for: placement).filter(include)
            let site = candidates[round % candidates.count]
            let kind = kinds[(round % candidates.count + round / candidates.count) % kinds.count]
            chosen = [site]
            switch placement {
            case .replaceValue, .renameMember:
                edits = [(site.range, Self.literal(plantedValue(kind).text))]
            case .embedInValue:
                edits = [(site.range, Self.literal(generator.embed(plantedValue(kind).text, in: site.text)))]
            case .addMember:
                let name = plantedValue(kind), value = plantedValue(kinds[(kinds.firstIndex(of: kind)! + 3) % kinds.count])
                edits = [
                    (
                        site.range,
                        "{" + Self.literal(name.text) + ":" + Self.literal(value.text)
                            + (Self.isEmptyObject(at: site.range.lowerBound, in: document) ? "" : ",")
                    )
                ]
            case .everyString:
                break
            }
        }

        var bytes: [UInt8] = []
        bytes.reserveCapacity(document.count + edits.count * 48)
        var position = 0
        for (range, replacement) in edits.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) {
            bytes += document[position..<range.lowerBound]
            bytes += Array(replacement.utf8)
            position = range.upperBound
        }
        bytes += document[position...]
        return Variant(index: index, placement: placement, sites: chosen, bytes: bytes, planted: planted)
    }

    // MARK: - Reading the document

    private static func collect(_ node: StrictJSON.Node, path: String, in document: [UInt8], into sites: inout [Site]) {
        switch node {
        case let .object(members, offset):
            sites.append(Site(kind: .object, path: path, range: offset..<(offset + 1), text: ""))
            for member in members {
                let memberPath = path.isEmpty ? member.key : path + "." + member.key
                sites.append(
                    Site(
                        kind: .memberName, path: memberPath,
                        range: member.keyOffset..<literalEnd(from: member.keyOffset, in: document), text: member.key))
                collect(member.value, path: memberPath, in: document, into: &sites)
            }
        case let .array(elements, _):
            for (index, element) in elements.enumerated() {
                collect(element, path: path + "[\(index)]", in: document, into: &sites)
            }
        case let .string(text, offset):
            sites.append(Site(kind: .string, path: path, range: offset..<literalEnd(from: offset, in: document), text: text))
        case .number, .bool, .null:
            break
        }
    }

    /// The offset just past the closing quote of the string literal opening at `start`.
    private static func literalEnd(from start: Int, in document: [UInt8]) -> Int {
        var index = start + 1
        while index < document.count, document[index] != UInt8(ascii: "\"") {
            index += document[index] == UInt8(ascii: "\\") ? 2 : 1
        }
        return min(index + 1, document.count)
    }

    private static func isEmptyObject(at open: Int, in document: [UInt8]) -> Bool {
        var index = open + 1
        while index < document.count, [0x20, 0x0A, 0x0D, 0x09].contains(document[index]) { index += 1 }
        return index < document.count && document[index] == UInt8(ascii: "}")
    }

    /// `text` as a JSON string literal.
    static func literal(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// Output prepared once for many searches: lower-cased, and the digits of each of its runs of
    /// digits and separators. A test that checks every planted value of a variant against the same
    /// output (an ``Placement/everyString`` variant plants dozens) builds one and asks ``holds(_:)``.
    public struct SearchableText: Sendable {
        /// The output, lower-cased.
        let lowered: String
        /// The digits of every run, each followed by `|`.
        let runs: String

        /// Prepares `output`.
        public init(_ output: String) {
            lowered = output.lowercased()
            runs = PIIPlanter.digitRuns(in: output).map { $0.digits + "|" }.joined()
        }

        /// Whether the output holds `planted` in any of its forms (see ``PIIPlanter``).
        public func holds(_ planted: Planted) -> Bool {
            if planted.needles.contains(where: { lowered.contains($0.lowercased()) }) { return true }
            return !planted.digits.isEmpty && runs.contains(planted.digits)
        }
    }

    /// Every run of digits and separators (space, `-`, `.`, `(`, `)`, `/`, `+`) in `text` that holds a
    /// digit, with its digits: `call (415) 555-0123 now` → `4155550123`.
    static func digitRuns(in text: String) -> [(digits: String, range: Range<String.Index>)] {
        var runs: [(digits: String, range: Range<String.Index>)] = []
        var digits: [UInt8] = []
        var start: String.Index?
        var last = text.startIndex
        let utf8 = text.utf8
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            let next = utf8.index(after: index)
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if start == nil { start = index }
                digits.append(byte)
                last = next
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
                UInt8(ascii: "/"), UInt8(ascii: "+"):
                break
            default:
                if let first = start {
                    runs.append((String(decoding: digits, as: UTF8.self), first..<last))
                    digits.removeAll(keepingCapacity: true)
                    start = nil
                }
            }
            index = next
        }
        if let first = start { runs.append((String(decoding: digits, as: UTF8.self), first..<last)) }
        return runs
    }
}

/// Fresh personal data from a seed: Luhn-valid card numbers, structurally valid SSNs, e-mail addresses
/// and North American phone numbers, each in one of its common spellings.
///
/// Deterministic (SplitMix64): the same seed gives the same values. The numbers are random, not the
/// well-known test numbers, so a detector tuned to `4111 1111 1111 1111` is not what passes a test.
public struct PIIGenerator: Sendable {
    private var random: SplitMix

    /// A generator starting at `seed`.
    public init(seed: UInt64) {
        random = SplitMix(seed: seed)
    }

    /// A value of a random kind.
    public mutating func any() -> PIIPlanter.Planted {
        next(PIIPlanter.Kind.allCases[digit(PIIPlanter.Kind.allCases.count)])
    }

    /// A coin toss.
    mutating func flip() -> Bool { random.next() & 1 == 1 }

    /// A fresh value of `kind`, in a random one of its spellings.
    public mutating func next(_ kind: PIIPlanter.Kind) -> PIIPlanter.Planted {
        switch kind {
        case .visa:
            return card(kind, prefix: [4], length: 16, groups: [4, 4, 4, 4])
        case .mastercard:
            let prefix: [Int]
            if random.next() & 1 == 0 {
                prefix = [5, 1 + digit(5)]
            } else {
                prefix = digits(of: 2221 + Int(random.next() % 500), count: 4)
            }
            return card(kind, prefix: prefix, length: 16, groups: [4, 4, 4, 4])
        case .amex:
            return card(kind, prefix: [3, random.next() & 1 == 0 ? 4 : 7], length: 15, groups: [4, 6, 5])
        case .ssn:
            var area = 1 + Int(random.next() % 899)
            if area == 666 { area = 667 }
            let group = 1 + Int(random.next() % 99), serial = 1 + Int(random.next() % 9_999)
            let parts = [padded(area, 3), padded(group, 2), padded(serial, 4)]
            let separator = ["-", "-", " ", ""][digit(4)]
            let text = parts.joined(separator: separator)
            return PIIPlanter.Planted(kind: kind, text: text, digits: parts.joined(), needles: [text])
        case .email:
            let names = ["avery", "jordan", "morgan", "riley", "casey", "quinn", "taylor", "rowan"]
            let domains = ["example.com", "mail.example.org", "corp.example.net", "example.co.uk"]
            let local = names[digit(names.count)] + [".", "_", ""][digit(3)] + token(7)
            let text = local + "@" + domains[digit(domains.count)]
            return PIIPlanter.Planted(kind: kind, text: text, digits: "", needles: [text, local])
        case .phoneE164, .phoneNANP:
            let area = (2 + digit(8)) * 100 + digit(9) * 10 + digit(10)
            let exchange = (2 + digit(8)) * 100 + digit(10) * 10 + digit(10)
            let line = Int(random.next() % 10_000)
            let national = padded(area, 3) + padded(exchange, 3) + padded(line, 4)
            let text: String
            if kind == .phoneE164 {
                text = "+1" + national
            } else {
                text =
                    [
                        "(\(padded(area, 3))) \(padded(exchange, 3))-\(padded(line, 4))",
                        "\(padded(area, 3))-\(padded(exchange, 3))-\(padded(line, 4))",
                        "\(padded(area, 3)).\(padded(exchange, 3)).\(padded(line, 4))"
                    ][digit(3)]
            }
            return PIIPlanter.Planted(kind: kind, text: text, digits: national, needles: [text])
        }
    }

    /// `text` with `value` inside it: before it, after it, or amid it (at a character boundary).
    mutating func embed(_ value: String, in text: String) -> String {
        switch digit(3) {
        case 0: return value + " " + text
        case 1: return text + " " + value
        default:
            let characters = Array(text)
            let cut = characters.isEmpty ? 0 : Int(random.next() % UInt64(characters.count + 1))
            return String(characters[..<cut]) + " " + value + " " + String(characters[cut...])
        }
    }

    // MARK: - Helpers

    private mutating func card(_ kind: PIIPlanter.Kind, prefix: [Int], length: Int, groups: [Int]) -> PIIPlanter.Planted {
        var number = prefix
        while number.count < length - 1 { number.append(digit(10)) }
        number.append(Self.luhnCheckDigit(for: number))
        let plain = number.map(String.init).joined()
        var grouped: [String] = []
        var start = plain.startIndex
        for size in groups {
            let end = plain.index(start, offsetBy: size)
            grouped.append(String(plain[start..<end]))
            start = end
        }
        let text = [plain, grouped.joined(separator: " "), grouped.joined(separator: "-")][digit(3)]
        return PIIPlanter.Planted(kind: kind, text: text, digits: plain, needles: [text])
    }

    /// The digit that makes `digits` followed by it pass the Luhn check.
    public static func luhnCheckDigit(for digits: [Int]) -> Int {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = digit
            if index % 2 == 0 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return (10 - sum % 10) % 10
    }

    /// Whether `digits` passes the Luhn check.
    public static func isLuhnValid(_ digits: [Int]) -> Bool {
        guard let last = digits.last else { return false }
        return luhnCheckDigit(for: Array(digits.dropLast())) == last
    }

    private mutating func digit(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }

    private func digits(of value: Int, count: Int) -> [Int] {
        padded(value, count).compactMap { $0.wholeNumberValue }
    }

    private func padded(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }

    private mutating func token(_ count: Int) -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")
        return String((0..<count).map { _ in alphabet[digit(alphabet.count)] })
    }
}
