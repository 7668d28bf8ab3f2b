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

    /// Packs a lowercase ASCII word of up to 12 letters into an integer, 5 bits a letter.
    private static func key(_ word: String) -> UInt64 {
        word.utf8.reduce(0) { $0 << 5 | UInt64($1 &- 0x60) }
    }

    private static let table: [UInt64: WordClass] = {
        var words: [String: WordClass] = ["oh": .oh, "o": .oh, "double": .multiplier(2), "triple": .multiplier(3),
                                          "treble": .multiplier(3)]
        for (value, word) in ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
            .enumerated() { words[word] = .unit(UInt8(value)) }
        for (value, word) in ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                              "eighteen", "nineteen"].enumerated() { words[word] = .teen(UInt8(value)) }
        for (value, word) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
            .enumerated() { words[word] = .tens(UInt8(value + 2)) }
        for word in ["uh", "um", "uhm", "er", "erm", "ah", "hmm", "mm"] { words[word] = .filler }
        return Dictionary(uniqueKeysWithValues: words.map { (key($0.key), $0.value) })
    }()

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
            return SpokenDigitNormalizer.table[key] ?? .other
        }

        /// One item of a digit sequence at `index`: its digits (as values 0–9) and end.
        private func item(at index: Int, inSequence: Bool) -> (digits: [UInt8], end: Int)? {
            guard index < count else { return nil }
            let byte = input[index]
            if Scanner.isDigit(byte) {
                if index > 0, Scanner.isAlpha(input[index - 1]) { return nil }
                var end = index
                while end < count, Scanner.isDigit(input[end]) { end += 1 }
                if isAlpha(end) { return nil }
                return (input[index..<end].map { $0 &- 0x30 }, end)
            }
            guard Scanner.isAlpha(byte), index == 0 || !Scanner.isAlpha(input[index - 1]) else { return nil }
            let end = wordEnd(index)
            if end < count, Scanner.isDigit(input[end]) { return nil }
            switch classify(index, end) {
            case .unit(let value):
                return ([value], end)
            case .teen(let value):
                return ([1, value], end)
            case .tens(let value):
                // "twenty one", "twenty-one"
                if end + 1 < count, input[end] == 0x20 || input[end] == 0x2d, isAlpha(end + 1) {
                    let unitEnd = wordEnd(end + 1)
                    if case .unit(let unit) = classify(end + 1, unitEnd), unit > 0,
                       !(unitEnd < count && Scanner.isDigit(input[unitEnd])) {
                        return ([value, unit], unitEnd)
                    }
                }
                return ([value, 0], end)
            case .oh:
                if inSequence || definiteDigitAhead(from: end) { return ([0], end) }
                return nil
            case .multiplier(let times):
                var next = end
                while next < count, input[next] == 0x20 { next += 1 }
                guard next > end, isAlpha(next) else { return nil }
                let nextEnd = wordEnd(next)
                switch classify(next, nextEnd) {
                case .unit(let value): return ([UInt8](repeating: value, count: times), nextEnd)
                case .oh: return ([UInt8](repeating: 0, count: times), nextEnd)
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

        private mutating func emit(_ digits: [UInt8], origin: Range<Int>) {
            for digit in digits {
                output.append(digit &+ 0x30)
                starts.append(origin.lowerBound)
                ends.append(origin.upperBound)
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
                    emit(first.digits, origin: index..<first.end)
                    var position = first.end
                    while true {
                        let next = skipGap(from: position)
                        guard next > position, let following = item(at: next, inSequence: true) else { break }
                        emit(following.digits, origin: next..<following.end)
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
    CustomReflectable {
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
