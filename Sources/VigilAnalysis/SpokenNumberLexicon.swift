/// Words as speech recognisers emit them: tokens with times, number words, and the cue phrases that
/// prime ``SpokenNumberDetector``.
///
/// Everything here is English and ASCII-case-insensitive; text is lower-cased before lookup.
enum SpokenNumberLexicon {
    /// What a question or a remark asks for, in increasing order of specificity: when cues follow each
    /// other with no digits between ("the security code on the back of the card"), the most specific
    /// one wins.
    enum CueKind: Int, Comparable, Sendable {
        /// A number the policy names as not a payment card ("order number", ``AnalysisPolicy/nonPaymentNumberCues``).
        case otherNumber
        /// A card number ("card number", "long number on the front", "the sixteen digits").
        case card
        /// A date of birth.
        case dateOfBirth
        /// A PIN or passcode.
        case pin
        /// Part of a card number that may be said ("last four", "ending in").
        case partialCard
        /// The card's expiry date.
        case expiry
        /// The card security code ("CVV", "three digits on the back").
        case securityCode
        /// A social security number ("social", "SSN").
        case ssn

        static func < (lhs: CueKind, rhs: CueKind) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// A change of mind inside a number.
    enum Marker: Sendable {
        /// "no wait", "sorry I mean": the digits that follow replace the ones just said.
        case correction
        /// "sorry, let me start again": the number is said again from its start.
        case restart
    }

    /// A phrase of the lexicon.
    enum Entry: Sendable {
        case cue(CueKind)
        case marker(Marker)
    }

    /// One word, numeral or punctuation mark of a phrase.
    struct Token: Sendable {
        enum Kind: Sendable { case word, numeral, symbol }
        let kind: Kind
        /// Lower-cased word, ASCII digits, or the symbol.
        let text: String
        /// Whether whitespace (or a word boundary from the recogniser) precedes the token.
        let spaceBefore: Bool
        /// Start in milliseconds from the start of the recording.
        let timeMs: Int
        /// End in milliseconds (the start when unknown).
        let endMs: Int
        /// The recogniser's confidence in the word, when given.
        let confidence: Double?
    }

    /// Splits `text` into tokens: runs of letters (and apostrophes inside words), runs of digits (any
    /// script's decimal digits, stored as ASCII), and single symbols; whitespace only sets
    /// ``Token/spaceBefore``.
    static func tokens(
        of text: String, timeMs: Int, endMs: Int, confidence: Double?,
        spaceBefore initialSpace: Bool = true
    ) -> [Token] {
        var tokens: [Token] = []
        var current = "", kind = Token.Kind.word, space = initialSpace
        func flush() {
            guard !current.isEmpty else { return }
            tokens.append(
                Token(
                    kind: kind, text: current, spaceBefore: space, timeMs: timeMs, endMs: endMs,
                    confidence: confidence))
            current = ""
            space = false
        }
        for character in text {
            if character.isWhitespace {
                flush()
                space = true
            } else if let digit = character.wholeNumberValue, character.isNumber, (0...9).contains(digit),
                character.unicodeScalars.count == 1,
                character.unicodeScalars.first!.properties.numericType == .decimal
            {
                if kind != .numeral { flush() }
                kind = .numeral
                current.append(Character(Unicode.Scalar(UInt8(48 + digit))))
            } else if character.isLetter || (character == "'" || character == "’") && kind == .word && !current.isEmpty {
                if kind != .word { flush() }
                kind = .word
                if character.isLetter { current += character.lowercased() }
            } else {
                flush()
                kind = .symbol
                current = String(character)
                flush()
            }
        }
        flush()
        return tokens
    }

    /// The class of a number word.
    enum NumberWord: Sendable {
        case unit(UInt8)
        case oh
        case teen(UInt8)
        case tens(UInt8)
        case hundred
        case thousand
        case repeated(Int)
    }

    static let numberWords: [String: NumberWord] = {
        var words: [String: NumberWord] = [
            "oh": .oh, "o": .oh, "hundred": .hundred, "thousand": .thousand,
            "double": .repeated(2), "triple": .repeated(3), "treble": .repeated(3)
        ]
        for (index, word) in ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"].enumerated() {
            words[word] = .unit(UInt8(index))
        }
        words["nought"] = .unit(0)
        for (index, word) in [
            "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
            "eighteen", "nineteen"
        ].enumerated() {
            words[word] = .teen(UInt8(index))
        }
        for (index, word) in ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"].enumerated() {
            words[word] = .tens(UInt8(index + 2))
        }
        return words
    }()

    /// Hesitations, skipped wherever they occur.
    static let fillers: Set<String> = ["uh", "um", "uhm", "umm", "er", "erm", "ah", "hmm", "mm", "mhm", "eh", "ehm"]

    /// Words that join groups of one number without counting as a pause ("four one one one and then
    /// one one one one").
    static let connectors: Set<String> = ["and", "then", "dash", "hyphen", "space"]

    /// Words after which a number is an amount, a percentage or a time, never a card or an SSN.
    static let quantityWords: Set<String> = [
        "dollars", "dollar", "bucks", "pounds", "pound", "euros", "euro", "cents", "cent", "pence", "quid",
        "percent", "am", "pm", "o'clock", "oclock", "minutes", "hours", "days", "months", "years", "items",
        // "one second", "one moment": asking to wait, not a digit.
        "second", "seconds", "sec", "secs", "moment", "minute", "min", "mins", "tick"
    ]

    /// Currency symbols: the number after one is an amount.
    static let currencySymbols: Set<String> = ["$", "£", "€", "¥", "%"]

    /// The built-in cue phrases (the policy adds ``AnalysisPolicy/nonPaymentNumberCues``).
    static let builtInEntries: [(String, Entry)] = {
        var entries: [(String, Entry)] = []
        func add(_ kind: CueKind, _ phrases: [String]) { entries += phrases.map { ($0, .cue(kind)) } }
        add(
            .card,
            [
                "card", "card number", "credit card", "debit card", "long number", "number on the front",
                "front of the card", "sixteen digits", "sixteen digit", "fifteen digits", "fifteen digit", "card details",
                "visa", "mastercard", "master card", "amex", "american express", "discover card", "payment card",
                "card digits", "pay by card", "16 digits", "16 digit", "15 digits", "15 digit", "16 digit number"
            ])
        add(
            .securityCode,
            [
                "security code", "cvv", "cvv2", "cvc", "cvc2", "cid", "csc", "three digits on the back",
                "three digit code", "three digit number", "digits on the back", "three numbers on the back",
                "back of the card", "back of your card", "verification code", "card verification", "card code", "code",
                "four digits on the front", "four digit code", "3 digits on the back", "3 digit code", "3 digit number",
                "4 digit code"
            ])
        add(
            .expiry,
            [
                "expiry", "expiry date", "expiration", "expiration date", "expires", "expiring", "exp", "valid thru",
                "valid through", "valid until", "good thru", "good through", "end date", "expire"
            ])
        add(
            .ssn,
            [
                "social security number", "social security", "social", "ssn", "s s n", "tax id", "taxpayer",
                "taxpayer id", "tin"
            ])
        add(
            .partialCard,
            [
                "last four", "last 4", "last four digits", "last four numbers", "ending in", "ends in", "ends with",
                "first six", "first four"
            ])
        add(.dateOfBirth, ["date of birth", "birthday", "birth date", "born", "dob", "d o b"])
        add(.pin, ["pin", "pin number", "passcode", "pass code", "password"])
        entries += [
            "no wait", "wait no", "sorry i mean", "i mean", "no sorry", "sorry no", "scratch that", "correction",
            "no no", "i meant", "actually no", "oops"
        ].map { ($0, .marker(.correction)) }
        entries += [
            "start again", "start over", "let me start again", "from the beginning", "from the top",
            "try that again", "let me try again", "begin again", "start from the beginning"
        ].map { ($0, .marker(.restart)) }
        return entries
    }()

    /// Phrases grouped by first word, longest first.
    struct Table: Sendable {
        private let byFirstWord: [String: [([String], Entry)]]

        init(nonPaymentCues: [String]) {
            var table: [String: [([String], Entry)]] = [:]
            func insert(_ phrase: String, _ entry: Entry) {
                let words = tokens(of: phrase, timeMs: 0, endMs: 0, confidence: nil)
                    .filter { $0.kind != .symbol }.map(\.text)
                guard let first = words.first else { return }
                table[first, default: []].append((words, entry))
            }
            // Policy cues first: on an exact tie ("gift card number" vs "card"), longer wins anyway.
            for phrase in nonPaymentCues { insert(phrase, .cue(.otherNumber)) }
            for (phrase, entry) in builtInEntries { insert(phrase, entry) }
            byFirstWord = table.mapValues { $0.sorted { $0.0.count > $1.0.count } }
        }

        /// The longest phrase starting at `tokens[index]`, and how many tokens it spans.
        func match(_ tokens: [Token], at index: Int) -> (entry: Entry, length: Int)? {
            guard let candidates = byFirstWord[tokens[index].text] else { return nil }
            for (words, entry) in candidates where index + words.count <= tokens.count {
                var matched = true
                for offset in 1..<max(1, words.count)
                where tokens[index + offset].text != words[offset]
                    || tokens[index + offset].kind == .symbol
                {
                    matched = false
                    break
                }
                if matched { return (entry, words.count) }
            }
            return nil
        }
    }
}
