/// Rewrites spoken digits in a transcript as digits, keeping an alignment back to the original text.
///
/// Speech-to-text engines often write numbers as words: "four one one one, uh, one one…". The
/// normaliser turns every *digit sequence* into one contiguous run of ASCII digits, so that the
/// detectors see `4111…`, and records for every byte of the result which bytes of the original it
/// came from (``NormalizedTranscript/originalRange(forNormalizedUTF8:)``), so that a finding can be
/// masked in the original text.
///
/// Rules (ASCII case-insensitive):
/// - `zero`, `one` … `nine` are digits; `oh` and `o` are `0` only in digit context (next to another
///   digit of the same sequence: "oh four" and "four oh" yes, "oh, I see" no).
/// - `double X` and `triple X` (also `treble`) repeat the digit `X`: "double five" → `55`.
/// - `ten` … `nineteen` give two digits; `twenty` … `ninety` give two digits, combined with a
///   following unit: "twenty one" / "twenty-one" → `21`, "twenty" → `20`. Larger number words
///   (`hundred`, `thousand`) are not interpreted and end a sequence.
/// - Digits already written as digits take part: "4111 one one…" joins.
/// - Between the items of a sequence, whitespace, the punctuation `, . - ; :` and the fillers `uh`,
///   `um`, `uhm`, `er`, `erm`, `ah`, `hmm`, `mm` are skipped; the whole sequence, fillers
///   included, maps back to one original range. Anything else ends the sequence.
/// - Text outside digit sequences is copied unchanged.
///
/// The normaliser only feeds detection: ``Redactor/redact(transcript:)`` applies operators to the
/// original text, so a stray "one" read as `1` ("the one I used") changes nothing in the output.
public enum SpokenDigitNormalizer {
    /// Normalises `text`.
    public static func normalize(_ text: String) -> NormalizedTranscript {
        var text = text
        return text.withUTF8 { normalize(utf8: $0) }
    }

    static func normalize(utf8 input: UnsafeBufferPointer<UInt8>) -> NormalizedTranscript {
        var builder = Builder(input: input)
        builder.run()
        return NormalizedTranscript(
            text: String(decoding: builder.output, as: UTF8.self),
            starts: builder.starts,
            ends: builder.ends
        )
    }

    private enum WordClass {
        case unit(UInt8)
        case oh
        case teen(UInt8)
        case tens(UInt8)
        case multiplier(Int)
        case filler
        case other
    }

    /// The class of a lowercase ASCII word packed 5 bits a letter (`a` = 1), first letter highest.
    /// A `switch` over constants: no hashing or allocation per word.
    private static func wordClass(packed key: UInt64) -> WordClass {
        switch key {
        case 0xd164f: .unit(0)  // zero
        case 0x3dc5: .unit(1)  // one
        case 0x52ef: .unit(2)  // two
        case 0x14448a5: .unit(3)  // three
        case 0x33eb2: .unit(4)  // four
        case 0x326c5: .unit(5)  // five
        case 0x4d38: .unit(6)  // six
        case 0x132d8ae: .unit(7)  // seven
        case 0x549d14: .unit(8)  // eight
        case 0x725c5: .unit(9)  // nine
        case 0x1e8: .oh  // oh
        case 0xf: .oh  // o
        case 0x50ae: .teen(0)  // ten
        case 0xac2d8ae: .teen(1)  // eleven
        case 0x2972b2c5: .teen(2)  // twelve
        case 0xa2132a14ae: .teen(3)  // thirteen
        case 0x33eb2a14ae: .teen(4)  // fourteen
        case 0x1926a14ae: .teen(5)  // fifteen
        case 0x4d38a14ae: .teen(6)  // sixteen
        case 0x132d8aea14ae: .teen(7)  // seventeen
        case 0x2a4e8a14ae: .teen(8)  // eighteen
        case 0x725c5a14ae: .teen(9)  // nineteen
        case 0x2972ba99: .tens(2)  // twenty
        case 0x2884ca99: .tens(3)  // thirty
        case 0x67ca99: .tens(4)  // forty
        case 0x649a99: .tens(5)  // fifty
        case 0x134e299: .tens(6)  // sixty
        case 0x4cb62ba99: .tens(7)  // seventy
        case 0xa93a299: .tens(8)  // eighty
        case 0x1c971699: .tens(9)  // ninety
        case 0x8fa8985: .multiplier(2)  // double
        case 0x2924c185: .multiplier(3)  // triple
        case 0x29228985: .multiplier(3)  // treble
        case 0x2a8, 0x2ad, 0x550d, 0xb2, 0x164d, 0x28, 0x21ad, 0x1ad: .filler  // uh, um, uhm, er, erm, ah, hmm, mm
        default: .other
        }
    }

    private struct Builder {
        let input: UnsafeBufferPointer<UInt8>
        var output: [UInt8] = []
        var starts: [Int] = []
        var ends: [Int] = []

        init(input: UnsafeBufferPointer<UInt8>) {
            self.input = input
            output.reserveCapacity(input.count)
            starts.reserveCapacity(input.count)
            ends.reserveCapacity(input.count)
        }

        private var count: Int { input.count }

        @inline(__always) private func isAlpha(_ index: Int) -> Bool {
            index < count && Scanner.isAlpha(input[index])
        }

        /// The end of the ASCII word at `index`.
        private func wordEnd(_ index: Int) -> Int {
            var end = index
            while end < count, Scanner.isAlpha(input[end]) { end += 1 }
            return end
        }

        private func classify(_ start: Int, _ end: Int) -> WordClass {
            guard end - start <= 9 else { return .other }
            var key: UInt64 = 0
            for index in start..<end { key = key << 5 | UInt64((input[index] | 0x20) &- 0x60) }
            return SpokenDigitNormalizer.wordClass(packed: key)
        }

        /// One item of a digit sequence: a run of written digits, or up to three spoken ones.
        struct Item {
            let end: Int
            /// The start of a run of written digits (which ends at `end`), or -1 for spoken digits.
            let literalStart: Int
            /// Spoken digit values, 4 bits each, the first in the lowest nibble.
            let spoken: UInt32
            let spokenCount: Int

            static func literal(_ range: Range<Int>) -> Item {
                Item(end: range.upperBound, literalStart: range.lowerBound, spoken: 0, spokenCount: 0)
            }

            static func spoken(_ digits: UInt8..., end: Int) -> Item {
                var packed: UInt32 = 0
                for (position, digit) in digits.enumerated() { packed |= UInt32(digit) << UInt32(4 * position) }
                return Item(end: end, literalStart: -1, spoken: packed, spokenCount: digits.count)
            }
        }

        /// One item of a digit sequence at `index`.
        private func item(at index: Int, inSequence: Bool) -> Item? {
            guard index < count else { return nil }
            let byte = input[index]
            if Scanner.isDigit(byte) {
                if index > 0, Scanner.isAlpha(input[index - 1]) { return nil }
                var end = index
                while end < count, Scanner.isDigit(input[end]) { end += 1 }
                if isAlpha(end) { return nil }
                return .literal(index..<end)
            }
            guard Scanner.isAlpha(byte), index == 0 || !Scanner.isAlpha(input[index - 1]) else { return nil }
            let end = wordEnd(index)
            if end < count, Scanner.isDigit(input[end]) { return nil }
            switch classify(index, end) {
            case .unit(let value):
                return .spoken(value, end: end)
            case .teen(let value):
                return .spoken(1, value, end: end)
            case .tens(let value):
                // "twenty one", "twenty-one"
                if end + 1 < count, input[end] == 0x20 || input[end] == 0x2d, isAlpha(end + 1) {
                    let unitEnd = wordEnd(end + 1)
                    if case .unit(let unit) = classify(end + 1, unitEnd), unit > 0,
                        !(unitEnd < count && Scanner.isDigit(input[unitEnd]))
                    {
                        return .spoken(value, unit, end: unitEnd)
                    }
                }
                return .spoken(value, 0, end: end)
            case .oh:
                if inSequence || definiteDigitAhead(from: end) { return .spoken(0, end: end) }
                return nil
            case .multiplier(let times):
                var next = end
                while next < count, input[next] == 0x20 { next += 1 }
                guard next > end, isAlpha(next) else { return nil }
                let nextEnd = wordEnd(next)
                // "double o11" is not "00" then "11": a word glued to digits is no spoken digit (as
                // for a unit above), else a second pass would join what the first left apart.
                if nextEnd < count, Scanner.isDigit(input[nextEnd]) { return nil }
                switch classify(next, nextEnd) {
                case .unit(let value):
                    return times == 2 ? .spoken(value, value, end: nextEnd) : .spoken(value, value, value, end: nextEnd)
                case .oh:
                    return times == 2 ? .spoken(0, 0, end: nextEnd) : .spoken(0, 0, 0, end: nextEnd)
                default: return nil
                }
            case .filler, .other:
                return nil
            }
        }

        /// Whether, skipping a gap and further "oh"s, a digit item follows `index`.
        private func definiteDigitAhead(from index: Int) -> Bool {
            var position = skipGap(from: index)
            while position < count {
                if Scanner.isAlpha(input[position]), case .oh = classify(position, wordEnd(position)) {
                    position = skipGap(from: wordEnd(position))
                    continue
                }
                return item(at: position, inSequence: true) != nil
            }
            return false
        }

        /// The position after whitespace, `, . - ; :` and filler words from `index`.
        private func skipGap(from index: Int) -> Int {
            var position = index
            while position < count {
                let byte = input[position]
                switch byte {
                case 0x20, 0x09, 0x0a, 0x0d, 0x2c, 0x2e, 0x2d, 0x3b, 0x3a:
                    position += 1
                default:
                    guard Scanner.isAlpha(byte) else { return position }
                    let end = wordEnd(position)
                    guard case .filler = classify(position, end) else { return position }
                    position = end
                }
            }
            return position
        }

        /// Appends an item's digits; written digits map to themselves, spoken ones to their words.
        private mutating func emit(_ item: Item, origin: Range<Int>) {
            if item.literalStart >= 0 {
                copy(item.literalStart..<item.end)
                return
            }
            var packed = item.spoken
            for _ in 0..<item.spokenCount {
                output.append(UInt8(truncatingIfNeeded: packed & 0xf) &+ 0x30)
                starts.append(origin.lowerBound)
                ends.append(origin.upperBound)
                packed >>= 4
            }
        }

        private mutating func copy(_ range: Range<Int>) {
            for index in range {
                output.append(input[index])
                starts.append(index)
                ends.append(index + 1)
            }
        }

        mutating func run() {
            var index = 0
            while index < count {
                if let first = item(at: index, inSequence: false) {
                    emit(first, origin: index..<first.end)
                    var position = first.end
                    while true {
                        let next = skipGap(from: position)
                        guard next > position, let following = item(at: next, inSequence: true) else { break }
                        emit(following, origin: next..<following.end)
                        position = following.end
                    }
                    index = position
                } else if Scanner.isAlpha(input[index]) || Scanner.isDigit(input[index]) {
                    var end = index + 1
                    while end < count, Scanner.isAlnum(input[end]) { end += 1 }
                    copy(index..<end)
                    index = end
                } else {
                    copy(index..<(index + 1))
                    index += 1
                }
            }
        }
    }
}

/// A transcript with spoken digits rewritten (``SpokenDigitNormalizer``) and the alignment back to
/// the original text.
///
/// The normalised text contains the very digits that are being looked for, so the description and
/// mirror of this value are redacted.
public struct NormalizedTranscript: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The normalised text.
    public let text: String
    /// For each UTF-8 byte of ``text``: the original byte range it came from.
    private let starts: [Int]
    private let ends: [Int]

    init(text: String, starts: [Int], ends: [Int]) {
        self.text = text
        self.starts = starts
        self.ends = ends
    }

    /// The UTF-8 range in the original text that the normalised bytes `range` came from.
    ///
    /// For a range that starts or ends inside a digit sequence, the whole words involved are
    /// included ("double five" maps back as a unit). An empty range maps to an empty range at the
    /// corresponding position.
    public func originalRange(forNormalizedUTF8 range: Range<Int>) -> Range<Int> {
        let lower = max(0, min(range.lowerBound, starts.count)), upper = max(lower, min(range.upperBound, starts.count))
        if lower == upper {
            let position = lower < starts.count ? starts[lower] : (ends.last ?? 0)
            return position..<position
        }
        return starts[lower]..<ends[upper - 1]
    }

    /// `NormalizedTranscript(<n> bytes, redacted)`.
    public var description: String { "NormalizedTranscript(\(starts.count) bytes, redacted)" }

    /// Same as ``description``.
    public var debugDescription: String { description }

    /// An empty mirror, so that `dump` does not print the text.
    public var customMirror: Mirror { Mirror(self, children: [:]) }
}
