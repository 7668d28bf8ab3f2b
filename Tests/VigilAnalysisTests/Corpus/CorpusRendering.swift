import Foundation
import VigilAnalysis
import VigilCore
import VigilModels
import VigilRedaction

/// How a speech recogniser may write a run of digits: the spellings the corpus draws from. Every
/// rendering reads back to exactly the digits it was given (checked by `CorpusTests`).
enum Spelling: String, CaseIterable {
    /// "four one one one …", zeros as "zero" or "oh".
    case digits
    /// "4111 1111 1111 1111".
    case groupedNumerals
    /// "4111111111111111".
    case oneNumeral
    /// "forty one eleven …", pairs of digits as numbers.
    case pairs
    /// "four triple one, double one double one …".
    case repeats
    /// Each group spelled its own way, including "four thousand one hundred eleven".
    case mixed
    /// Numerals split where the recogniser happened to split them ("41 11 1111 11111111").
    case splitNumerals
}

/// Number words.
enum Words {
    static let units = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
    static let teens = [
        "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen"
    ]
    static let tens = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

    static func digit(_ value: Int, zeroAsOh: Bool) -> String { value == 0 && zeroAsOh ? "oh" : units[value] }

    /// Two digits as a recogniser writes them said as one number: "41" → "forty one", "07" → "oh seven".
    /// "90" is said "nine oh": "ninety" before the next digit would be heard as one number ("ninety
    /// five"), by a person as by the analyser.
    static func pair(_ a: Int, _ b: Int) -> [String] {
        switch a {
        case 0: ["oh", units[b]]
        case 1: [teens[b]]
        default: b == 0 ? [units[a], "oh"] : [tens[a], units[b]]
        }
    }
}

/// Renders digit strings the way `Spelling` says.
struct DigitRenderer {
    var rng: SplitMix64

    mutating func chance(_ percent: Int) -> Bool { Int.random(in: 0..<100, using: &rng) < percent }

    /// The digits of `group` (ASCII digits) as words or numerals, one array element per token.
    mutating func render(_ group: String, _ spelling: Spelling) -> [String] {
        let digits = group.map { Int(String($0))! }
        let zeroAsOh = chance(50)
        switch spelling {
        case .digits:
            return digits.map { Words.digit($0, zeroAsOh: zeroAsOh) }
        case .groupedNumerals, .oneNumeral, .splitNumerals:
            return [group]
        case .pairs:
            var words: [String] = []
            var index = 0
            if digits.count % 2 == 1 {
                words.append(Words.digit(digits[0], zeroAsOh: true))
                index = 1
            }
            while index < digits.count {
                words += Words.pair(digits[index], digits[index + 1])
                index += 2
            }
            return words
        case .repeats:
            var words: [String] = []
            var index = 0
            while index < digits.count {
                var run = 1
                while index + run < digits.count, digits[index + run] == digits[index], run < 3 { run += 1 }
                let word = Words.digit(digits[index], zeroAsOh: zeroAsOh)
                switch run {
                case 3: words += ["triple", word]
                case 2: words += ["double", word]
                default: words.append(word)
                }
                index += run
            }
            return words
        case .mixed:
            if digits.count == 4, digits[0] != 0, digits[1] != 0, digits[2] != 0, digits[3] != 0, chance(50) {
                // "four thousand one hundred eleven" = 4111
                return [Words.units[digits[0]], "thousand", Words.units[digits[1]], "hundred"]
                    + (chance(30) ? ["and"] : []) + Words.pair(digits[2], digits[3])
            }
            let choices: [Spelling] = [.digits, .pairs, .repeats, .groupedNumerals]
            return render(group, choices[Int.random(in: 0..<choices.count, using: &rng)])
        }
    }

    /// A whole number in groups (card 4-4-4-4 / Amex 4-6-5 / Diners 4-6-4; SSN 3-2-4; codes whole),
    /// each group a list of tokens.
    mutating func groups(of number: String, layout: [Int], _ spelling: Spelling) -> [[String]] {
        switch spelling {
        case .oneNumeral:
            return [[number]]
        case .splitNumerals:
            // Split points anywhere, 2–4 pieces.
            var cuts = Set<Int>()
            let pieces = Int.random(in: 2...4, using: &rng)
            while cuts.count < pieces - 1 { cuts.insert(Int.random(in: 1..<number.count, using: &rng)) }
            let bounds = [0] + cuts.sorted() + [number.count]
            let characters = Array(number)
            return zip(bounds, bounds.dropFirst()).map { [String(characters[$0..<$1])] }
        default:
            var result: [[String]] = []
            var start = number.startIndex
            for length in layout {
                let end = number.index(start, offsetBy: length)
                result.append(render(String(number[start..<end]), spelling))
                start = end
            }
            return result
        }
    }
}

/// Test numbers.
enum CorpusNumbers {
    /// The card networks' published test numbers (Visa, Mastercard incl. 2-series, Amex, Discover,
    /// Diners 14-digit, JCB, UnionPay), as Stripe, Adyen and Braintree document them.
    static let publishedCards = [
        "4111111111111111", "4012888888881881", "4242424242424242", "4000056655665556",
        "5555555555554444", "5105105105105100", "2223003122003222", "5200828282828210",
        "378282246310005", "371449635398431", "6011111111111117", "6011000990139424",
        "30569309025904", "38520000023237", "3530111333300000", "3566002020360505", "6200000000000005"
    ]

    /// `body` with the check digit that makes it Luhn-valid (found with VigilRedaction's own check).
    static func luhnCompleted(_ body: String) -> String {
        (0...9).lazy.map { body + String($0) }.first { PaymentCard.isLuhnValid(Array($0.utf8)) }!
    }

    static func randomDigits(_ count: Int, using rng: inout SplitMix64) -> String {
        String((0..<count).map { _ in Character(String(Int.random(in: 0...9, using: &rng))) })
    }

    /// A random valid card of a common network and length.
    static func randomCard(using rng: inout SplitMix64) -> String {
        let prefixes = [
            ("4", 16), ("51", 16), ("55", 16), ("2221", 16), ("34", 15), ("37", 15), ("6011", 16),
            ("65", 16), ("36", 14), ("3528", 16), ("62", 16)
        ]
        let (prefix, length) = prefixes[Int.random(in: 0..<prefixes.count, using: &rng)]
        return luhnCompleted(prefix + randomDigits(length - prefix.count - 1, using: &rng))
    }

    /// A card: published or generated.
    static func card(using rng: inout SplitMix64) -> String {
        Bool.random(using: &rng)
            ? publishedCards[Int.random(in: 0..<publishedCards.count, using: &rng)]
            : randomCard(using: &rng)
    }

    /// How a card's digits are grouped when read.
    static func layout(of card: String) -> [Int] {
        switch card.count {
        case 15: [4, 6, 5]
        case 14: [4, 6, 4]
        default: [4, 4, 4, 4]
        }
    }

    static func isAmex(_ card: String) -> Bool { card.hasPrefix("34") || card.hasPrefix("37") }

    /// A plausible SSN (area 001–899 except 666, group 01–99, serial 0001–9999), not a published sample.
    static func ssn(using rng: inout SplitMix64) -> String {
        while true {
            let area = Int.random(in: 1...899, using: &rng)
            guard area != 666 else { continue }
            let value = format3(area) + format2(Int.random(in: 1...99, using: &rng)) + format4(Int.random(in: 1...9999, using: &rng))
            if DTMFFindingAnalyzer.isPlausibleSSN(Array(value.utf8)) { return value }
        }
    }

    static func format2(_ value: Int) -> String { String(format: "%02d", value) }
    static func format3(_ value: Int) -> String { String(format: "%03d", value) }
    static func format4(_ value: Int) -> String { String(format: "%04d", value) }

    /// Whether some stretch of `digits` of a card's length passes the IIN table and Luhn: a hard negative
    /// must hold no such stretch (the rate at which random runs do is measured separately).
    static func holdsACard(_ digits: String) -> Bool {
        let bytes = Array(digits.utf8)
        guard bytes.count >= 13 else { return false }
        for length in 13...min(19, bytes.count) {
            for start in 0...(bytes.count - length) where PaymentCard.isValid(bytes[start..<(start + length)]) {
                return true
            }
        }
        return false
    }
}
