import VigilModels
import VigilRedaction

/// Finds card numbers, security codes and SSNs spoken in a conversation, the way a reviewer listening
/// to the call would: with the questions that preceded them, across turns, and through the noise of
/// speech-recognition output.
///
/// 1. **Tokens.** Each phrase is split into words (the recogniser's word list when every word has a
///    time, else the phrase text at the phrase's offset), numerals and symbols.
/// 2. **Events.** Words become number *items* ("four" → 4, "double four" → 44, "twenty seven" → 27,
///    "forty one hundred" → 4100, "four thousand one hundred eleven" → 4111, "oh" → 0 next to another
///    digit, numerals as written), *cues* (a question or remark naming what is said: see
///    ``SpokenNumberLexicon``), *markers* ("no wait", "let me start again"), quantities (amounts, times,
///    dates, ordinals: never digits of a card) and other words. Hesitations are skipped.
/// 3. **Segments.** Per speaker, consecutive items form one segment across phrases and across the other
///    party's turns (back-channels such as "okay, go on"), until a cue by anyone, a quantity, a restart,
///    more than ``maxGapWords`` other words, or a pause longer than
///    ``AnalysisPolicy/spokenDigitGapSeconds``.
/// 4. **Context.** A segment is primed by the last cue before it, by either party, within
///    ``AnalysisPolicy/promptWindowSeconds`` and ``AnalysisPolicy/promptWindowTurns``: *prompted* when the
///    other party said it, *volunteered* when the speaker did, *unprompted* without one.
/// 5. **Search.** A card is the whole segment, or a part of it between other words, or the segment
///    with a correction applied (the digits after "no wait" replace as many digits before it), when
///    13–19 digits pass the IIN table and Luhn. In card context only, a card is also looked for
///    *inside* the segment as ``CardRunSearch`` describes (a menu choice before it; an expiry, a code
///    after it); a 3-digit code (4 for American Express) straight after a card is reported as a
///    security code. A security code is a 3–4 digit segment primed by a security-code cue. An SSN is a
///    9-digit segment primed by an SSN cue, or a written `AAA-GG-SSSS` anywhere, by the SSN
///    area/group/serial rules. A segment primed by one of the policy's
///    ``AnalysisPolicy/nonPaymentNumberCues`` ("order number") yields nothing; one primed by an expiry,
///    date-of-birth, PIN or "last four" cue yields only a whole valid card.
///
/// Confidence: card 0.99 prompted, 0.97 volunteered, 0.9 unprompted (−0.03 when found inside a longer
/// run, −0.05 through a correction); security code 0.95 / 0.93 / 0.85 (after a card); SSN 0.98 / 0.95 /
/// 0.85; each multiplied by `0.8 + 0.2·c`, `c` the recogniser's mean confidence in the words (1 when
/// not given), so that poorly recognised digits go to human review.
struct SpokenNumberDetector {
    /// One phrase with its tokens.
    struct Phrase {
        let participant: String
        /// Index of the speaker turn the phrase belongs to (a turn changes when the speaker does).
        let turn: Int
        let tokens: [SpokenNumberLexicon.Token]
    }

    /// Other words tolerated between two groups of one number ("four one one one, yes, one one…").
    static let maxGapWords = 3

    let policy: AnalysisPolicy
    private let table: SpokenNumberLexicon.Table

    init(policy: AnalysisPolicy) {
        self.policy = policy
        table = SpokenNumberLexicon.Table(nonPaymentCues: policy.nonPaymentNumberCues)
    }

    // MARK: Events

    struct Item {
        var digits: [UInt8]
        var startMs: Int
        var endMs: Int
        var confidence: Double?
        /// Written as digits (not words).
        var numeral: Bool
        /// Joined to the previous item by a hyphen or space only, within one phrase (for `AAA-GG-SSSS`).
        var tight: Bool
        var turn: Int
    }

    enum EventKind {
        case item(Item)
        case cue(SpokenNumberLexicon.CueKind)
        case marker(SpokenNumberLexicon.Marker)
        /// A word that is neither a number nor a cue.
        case word
        /// Punctuation or a phrase boundary.
        case pause
        /// An amount, time, date or ordinal: ends a number.
        case quantity
    }

    struct Event {
        let kind: EventKind
        let participant: String
        let timeMs: Int
        let turn: Int
    }

    /// The events of all turns, in conversation order. The phrases of one turn are parsed as one
    /// text, so that a number word split from its partner ("double" | "four") still joins.
    func events(_ phrases: [Phrase]) -> [Event] {
        var events: [Event] = []
        var start = 0
        while start < phrases.count {
            var end = start + 1
            while end < phrases.count, phrases[end].turn == phrases[start].turn { end += 1 }
            let turn = phrases[start].turn, participant = phrases[start].participant
            var parser = PhraseParser(tokens: phrases[start..<end].flatMap(\.tokens), table: table, turn: turn)
            for (kind, time) in parser.run() {
                events.append(Event(kind: kind, participant: participant, timeMs: time, turn: turn))
            }
            events.append(Event(kind: .pause, participant: participant, timeMs: events.last?.timeMs ?? 0, turn: turn))
            start = end
        }
        return events
    }

    private struct PhraseParser {
        typealias Token = SpokenNumberLexicon.Token
        let tokens: [Token]
        let table: SpokenNumberLexicon.Table
        let turn: Int
        var output: [(EventKind, Int)] = []
        var index = 0
        var money = false

        init(tokens: [Token], table: SpokenNumberLexicon.Table, turn: Int) {
            self.tokens = tokens
            self.table = table
            self.turn = turn
        }

        private func word(_ position: Int) -> SpokenNumberLexicon.NumberWord? {
            guard position < tokens.count, tokens[position].kind == .word else { return nil }
            return SpokenNumberLexicon.numberWords[tokens[position].text]
        }

        private func isWord(_ position: Int, _ text: String) -> Bool {
            position < tokens.count && tokens[position].kind == .word && tokens[position].text == text
        }

        /// The position after fillers from `position`.
        private func skipFillers(_ position: Int) -> Int {
            var position = position
            while position < tokens.count, tokens[position].kind == .word,
                SpokenNumberLexicon.fillers.contains(tokens[position].text)
            { position += 1 }
            return position
        }

        /// 0–99 at `position`: tens [unit] ("twenty seven", "twenty-seven"), teen, or unit.
        private func belowHundred(_ position: Int) -> (value: Int, digits: [UInt8], next: Int)? {
            switch word(position) {
            case .tens(let tens)?:
                var next = position + 1
                if next < tokens.count, tokens[next].kind == .symbol, tokens[next].text == "-" { next += 1 }
                if case .unit(let unit)? = word(next), unit > 0 {
                    return (Int(tens) * 10 + Int(unit), [tens, unit], next + 1)
                }
                return (Int(tens) * 10, [tens, 0], position + 1)
            case .teen(let teen)?:
                return (10 + Int(teen), [1, teen], position + 1)
            case .unit(let unit)?:
                return (Int(unit), [unit], position + 1)
            default:
                return nil
            }
        }

        /// "[and] below-hundred" after a hundred or thousand.
        private func andBelowHundred(_ position: Int) -> (value: Int, next: Int)? {
            let start = isWord(position, "and") ? position + 1 : position
            guard let below = belowHundred(start) else { return nil }
            return (below.value, below.next)
        }

        /// A spoken number at `index`: its digits and the position after it.
        private func spokenNumber(previousWasDigit: Bool) -> (digits: [UInt8], next: Int)? {
            switch word(index) {
            case .repeated(let times)?:
                let next = index + 1
                if case .unit(let unit)? = word(next) { return (Array(repeating: unit, count: times), next + 1) }
                if case .oh? = word(next) { return (Array(repeating: 0, count: times), next + 1) }
                return nil
            case .oh?:
                let next = skipFillers(index + 1)
                let digitAhead: Bool
                if next < tokens.count, tokens[next].kind == .numeral {
                    digitAhead = true
                } else if let following = word(next) {
                    if case .hundred = following {
                        digitAhead = false
                    } else if case .thousand = following {
                        digitAhead = false
                    } else {
                        digitAhead = true
                    }
                } else {
                    digitAhead = false
                }
                return previousWasDigit || digitAhead ? ([0], index + 1) : nil
            default:
                break
            }
            guard let below = belowHundred(index) else { return nil }
            var value = below.value, next = below.next, compound = false
            if isWord(next, "hundred"), (1...99).contains(value) {
                value *= 100
                next += 1
                compound = true
                if let rest = andBelowHundred(next) {
                    value += rest.value
                    next = rest.next
                }
            }
            if isWord(next, "thousand"), (1...999).contains(value) {
                value *= 1000
                next += 1
                compound = true
                let start = isWord(next, "and") ? next + 1 : next
                if let hundreds = belowHundred(start), hundreds.value < 10, isWord(hundreds.next, "hundred") {
                    value += hundreds.value * 100
                    next = hundreds.next + 1
                    if let rest = andBelowHundred(next) {
                        value += rest.value
                        next = rest.next
                    }
                } else if let rest = andBelowHundred(next) {
                    value += rest.value
                    next = rest.next
                }
            }
            guard compound else { return (below.digits, below.next) }
            return (Array(String(value).utf8).map { $0 - 48 }, next)
        }

        /// Whether what follows `position` makes the number before it a quantity.
        private func quantityFollows(_ position: Int) -> Bool {
            guard position < tokens.count else { return false }
            let token = tokens[position]
            switch token.kind {
            case .word: return SpokenNumberLexicon.quantityWords.contains(token.text) || (!token.spaceBefore)
            case .symbol: return token.text == "%"
            case .numeral: return false
            }
        }

        private mutating func emit(_ kind: EventKind, at position: Int) {
            output.append((kind, tokens[min(position, tokens.count - 1)].timeMs))
        }

        private mutating func emitItem(digits: [UInt8], from start: Int, to end: Int, numeral: Bool, tight: Bool) {
            let slice = tokens[start..<end]
            let confidences = slice.compactMap(\.confidence)
            let confidence = confidences.isEmpty ? nil : confidences.reduce(0, +) / Double(confidences.count)
            let item = Item(
                digits: digits.map { $0 + 48 }, startMs: slice.first!.timeMs,
                endMs: slice.map(\.endMs).max() ?? slice.first!.timeMs, confidence: confidence,
                numeral: numeral, tight: tight, turn: turn)
            output.append((.item(item), item.startMs))
        }

        private var previousIsItem: Bool {
            if case .item? = output.last?.0 { return true }
            return false
        }

        mutating func run() -> [(EventKind, Int)] {
            while index < tokens.count {
                let token = tokens[index]
                switch token.kind {
                case .symbol:
                    if SpokenNumberLexicon.currencySymbols.contains(token.text) {
                        money = true
                    } else if token.text != "-" {
                        emit(.pause, at: index)
                    }
                    index += 1
                case .word:
                    if let (entry, length) = table.match(tokens, at: index) {
                        switch entry {
                        case .cue(let kind): emit(.cue(kind), at: index)
                        case .marker(let marker): emit(.marker(marker), at: index)
                        }
                        index += length
                    } else if SpokenNumberLexicon.fillers.contains(token.text) {
                        index += 1
                    } else if SpokenNumberLexicon.connectors.contains(token.text) {
                        index += 1
                    } else if let (digits, next) = spokenNumber(previousWasDigit: previousIsItem) {
                        if money || quantityFollows(next) {
                            emit(.quantity, at: index)
                            money = false
                        } else {
                            emitItem(digits: digits, from: index, to: next, numeral: false, tight: false)
                        }
                        index = next
                    } else {
                        emit(.word, at: index)
                        index += 1
                    }
                case .numeral:
                    numeral()
                }
            }
            return output
        }

        /// A numeral: a group of a number, or (joined by `,` `.` `:` `/` or glued to letters) a quantity.
        private mutating func numeral() {
            let start = index
            let token = tokens[index]
            let glued = index > 0 && !token.spaceBefore && tokens[index - 1].kind == .word
            var next = index + 1
            var quantity = money || glued
            // 1,234.56 — 10:30 — 04/27 — 3.5
            while next + 1 < tokens.count, tokens[next].kind == .symbol, !tokens[next].spaceBefore,
                tokens[next + 1].kind == .numeral, !tokens[next + 1].spaceBefore,
                [",", ".", ":", "/"].contains(tokens[next].text)
            {
                quantity = true
                next += 2
            }
            if quantityFollows(next) { quantity = true }
            if quantity {
                emit(.quantity, at: start)
                money = false
                index = max(next, start + 1)
                return
            }
            let previous = start > 0 ? tokens[start - 1] : nil
            let tight =
                previousIsItem && previous != nil
                && (previous!.kind == .numeral || (previous!.kind == .symbol && previous!.text == "-"))
            emitItem(digits: token.text.utf8.map { $0 - 48 }, from: start, to: start + 1, numeral: true, tight: tight)
            index = start + 1
        }
    }

    // MARK: Cues and segments

    struct Cue {
        var kind: SpokenNumberLexicon.CueKind
        let participant: String
        var timeMs: Int
        var turn: Int
        /// Position in the event list.
        var position: Int
    }

    /// The cues, merged where one follows another of the same speaker with no digits between; the most
    /// specific kind wins.
    func cues(_ events: [Event]) -> [Cue] {
        var cues: [Cue] = []
        var digitsSinceLastCue = true
        for (position, event) in events.enumerated() {
            switch event.kind {
            case .item:
                digitsSinceLastCue = true
            case .cue(let kind):
                if !digitsSinceLastCue, var last = cues.last, last.participant == event.participant {
                    last.kind = max(last.kind, kind)
                    last.timeMs = event.timeMs
                    last.turn = event.turn
                    last.position = position
                    cues[cues.count - 1] = last
                } else {
                    cues.append(
                        Cue(
                            kind: kind, participant: event.participant, timeMs: event.timeMs, turn: event.turn,
                            position: position))
                }
                digitsSinceLastCue = false
            default:
                break
            }
        }
        return cues
    }

    struct Segment {
        var items: [Item] = []
        /// For each item, whether other words stand between it and the previous item.
        var wordGapBefore: [Bool] = []
        /// Item indices before which a correction marker was said.
        var corrections: [Int] = []
        /// Position in the event list of the first item.
        var position = 0
        var gapWords = 0

        var isEmpty: Bool { items.isEmpty }
        var digits: [UInt8] { items.flatMap(\.digits) }
    }

    /// The segments of `participant`, in order.
    ///
    /// A cue by the other party ends the segment, except a card or "last four" cue while a card is being
    /// read ("mhm, and the last four?"): that asks for the rest of the same number.
    func segments(of participant: String, in events: [Event], cues: [Cue]) -> [Segment] {
        var segments: [Segment] = []
        var current = Segment()
        var readingCard = false
        func close() {
            if !current.isEmpty { segments.append(current) }
            current = Segment()
            readingCard = false
        }
        let gapMs = Int((policy.spokenDigitGapSeconds * 1000).rounded())
        for (position, event) in events.enumerated() {
            guard event.participant == participant else {
                if case .cue(let kind) = event.kind, !(readingCard && (kind == .card || kind == .partialCard)) {
                    close()
                }
                continue
            }
            switch event.kind {
            case .item(let item):
                if !current.isEmpty,
                    current.gapWords > Self.maxGapWords
                        || item.startMs - (current.items.last?.endMs ?? item.startMs) > gapMs
                {
                    close()
                }
                if current.isEmpty {
                    current.position = position
                    readingCard = prime(cues, position: position, timeMs: item.startMs, turn: item.turn)?.kind == .card
                }
                current.wordGapBefore.append(!current.isEmpty && current.gapWords > 0)
                current.items.append(item)
                current.gapWords = 0
            case .word:
                if !current.isEmpty { current.gapWords += 1 }
            case .pause:
                break
            case .quantity, .cue, .marker(.restart):
                close()
            case .marker(.correction):
                if !current.isEmpty { current.corrections.append(current.items.count) }
            }
        }
        close()
        return segments
    }

    /// The cue priming a segment that starts at event `position` at `timeMs` in `turn`.
    func prime(_ cues: [Cue], position: Int, timeMs: Int, turn: Int) -> Cue? {
        guard let cue = cues.last(where: { $0.position < position }) else { return nil }
        let windowMs = Int((policy.promptWindowSeconds * 1000).rounded())
        guard timeMs - cue.timeMs <= windowMs, turn - cue.turn <= policy.promptWindowTurns else { return nil }
        return cue
    }

    // MARK: Findings

    /// All card, security-code and SSN findings in `phrases`.
    func findings(_ phrases: [Phrase]) -> [ComplianceFinding] {
        let events = events(phrases)
        let cues = cues(events)
        var participants: [String] = []
        for phrase in phrases where !participants.contains(phrase.participant) { participants.append(phrase.participant) }
        var findings: [ComplianceFinding] = []
        for participant in participants {
            for segment in segments(of: participant, in: events, cues: cues) {
                let first = segment.items[0]
                let cue = prime(cues, position: segment.position, timeMs: first.startMs, turn: first.turn)
                let prompting: ComplianceFinding.Prompting =
                    cue == nil
                    ? .unprompted
                    : cue!.participant == participant ? .volunteered : .prompted
                findings += evaluate(
                    segment, participant: participant, kind: cue?.kind, prompting: prompting,
                    asker: cue?.participant)
            }
        }
        return findings
    }

    /// A card found in a segment: digit range in the interpretation and the item range it covers.
    struct CardMatch {
        let firstItem: Int
        let lastItem: Int
        let network: CardNetwork
        let penalty: Double
        /// The items of a security code said straight after the card, if any.
        let codeItems: ClosedRange<Int>?
    }

    private func evaluate(
        _ segment: Segment, participant: String, kind: SpokenNumberLexicon.CueKind?,
        prompting: ComplianceFinding.Prompting, asker: String?
    ) -> [ComplianceFinding] {
        if kind == .otherNumber { return [] }
        let digits = segment.digits
        var findings: [ComplianceFinding] = []
        if let card = findCard(segment, cardContext: kind == .card) {
            let base = kind == .card ? (prompting == .prompted ? 0.99 : 0.97) : 0.9
            let cardPrompting = kind == .card ? prompting : .unprompted
            findings.append(
                finding(
                    .pciMidCapture, "spoken card number (\(card.network))", segment, items: card.firstItem...card.lastItem,
                    participant: participant, base: base - card.penalty, prompting: cardPrompting, asker: asker))
            if let code = card.codeItems {
                findings.append(
                    finding(
                        .pciCvvCapture, "spoken security code after a card", segment, items: code,
                        participant: participant, base: 0.85, prompting: .unprompted, asker: nil))
            }
            return findings
        }
        switch kind {
        case .securityCode?:
            if (3...4).contains(digits.count) {
                findings.append(
                    finding(
                        .pciCvvCapture, "spoken security code", segment, items: 0...(segment.items.count - 1),
                        participant: participant, base: prompting == .prompted ? 0.95 : 0.93, prompting: prompting,
                        asker: asker))
            }
        case .ssn?:
            if digits.count == 9 && DTMFFindingAnalyzer.isPlausibleSSN(digits)
                || corrected(segment).contains(where: { DTMFFindingAnalyzer.isPlausibleSSN($0.digits) })
            {
                findings.append(
                    finding(
                        .ssnDisclosure, "spoken SSN", segment, items: 0...(segment.items.count - 1),
                        participant: participant, base: prompting == .prompted ? 0.98 : 0.95, prompting: prompting,
                        asker: asker))
            } else if let written = writtenSSN(segment) {
                findings.append(
                    finding(
                        .ssnDisclosure, "spoken SSN", segment, items: written, participant: participant,
                        base: prompting == .prompted ? 0.98 : 0.95, prompting: prompting, asker: asker))
            }
        case .expiry?, .dateOfBirth?, .pin?, .partialCard?:
            break
        default:
            if let written = writtenSSN(segment) {
                findings.append(
                    finding(
                        .ssnDisclosure, "SSN written AAA-GG-SSSS", segment, items: written, participant: participant,
                        base: 0.85, prompting: .unprompted, asker: nil))
            }
        }
        return findings
    }

    /// Three numerals of 3, 2 and 4 digits joined by hyphens or spaces only, a plausible SSN.
    private func writtenSSN(_ segment: Segment) -> ClosedRange<Int>? {
        let items = segment.items
        guard items.count >= 3 else { return nil }
        for start in 0...(items.count - 3) {
            let group = items[start...(start + 2)]
            guard group.allSatisfy(\.numeral), group.map(\.digits.count) == [3, 2, 4],
                items[start + 1].tight, items[start + 2].tight,
                start == 0 || !items[start].tight, start + 3 >= items.count || !items[start + 3].tight
            else { continue }
            if DTMFFindingAnalyzer.isPlausibleSSN(group.flatMap(\.digits)) { return start...(start + 2) }
        }
        return nil
    }

    /// The card in a segment, by the search order of the type's documentation.
    func findCard(_ segment: Segment, cardContext: Bool) -> CardMatch? {
        let items = segment.items
        // Digit offset of each item's start, and the item index per digit.
        var starts: [Int] = [], owner: [Int] = []
        for (index, item) in items.enumerated() {
            starts.append(owner.count)
            owner += Array(repeating: index, count: item.digits.count)
        }
        let digits = segment.digits
        func valid(_ slice: ArraySlice<UInt8>) -> CardNetwork? {
            guard (13...19).contains(slice.count), PaymentCard.isLuhnValid(slice) else { return nil }
            return PaymentCard.network(ofDigits: slice)
        }
        /// A 3-digit code (4 for American Express) making up the rest of the segment after `offset`.
        func code(after offset: Int, network: CardNetwork) -> ClosedRange<Int>? {
            guard digits.count - offset == (network == .amex ? 4 : 3) else { return nil }
            return owner[offset]...(items.count - 1)
        }
        func match(
            _ lower: Int, _ upper: Int, penalty: Double, map: (Int) -> Int = { $0 },
            in digits: [UInt8]
        ) -> CardMatch? {
            // 16 digits and a code can make a valid 19-digit number (one time in ten): the 16-digit
            // card and its code are what was said.
            if let split = CardRunSearch.cardAndCode(in: digits[lower..<upper]) {
                return CardMatch(
                    firstItem: owner[map(lower)], lastItem: owner[map(lower + split.card - 1)],
                    network: split.network, penalty: penalty,
                    codeItems: owner[map(lower + split.card)]...owner[map(upper - 1)])
            }
            guard let network = valid(digits[lower..<upper]) else { return nil }
            return CardMatch(
                firstItem: owner[map(lower)], lastItem: owner[map(upper - 1)], network: network,
                penalty: penalty, codeItems: code(after: map(upper - 1) + 1, network: network))
        }
        // 1. The whole segment; 2. a part between other words.
        if let found = match(0, digits.count, penalty: 0, in: digits) { return found }
        var pieceStarts = [0]
        for index in items.indices where index > 0 && segment.wordGapBefore[index] { pieceStarts.append(starts[index]) }
        pieceStarts.append(digits.count)
        if pieceStarts.count > 2 {
            for index in 0..<(pieceStarts.count - 1) {
                if let found = match(pieceStarts[index], pieceStarts[index + 1], penalty: 0, in: digits) { return found }
            }
        }
        // 3. Corrections: the k digits after the marker replace the k before it.
        let corrections = corrected(segment)
        for candidate in corrections {
            if let found = match(0, candidate.digits.count, penalty: 0.05, map: candidate.map, in: candidate.digits) {
                return found
            }
        }
        // 4. In card context: inside the run (as said, then as corrected), at item boundaries.
        guard cardContext else { return nil }
        func inside(_ run: [UInt8], boundaries: [Int], map: (Int) -> Int, penalty: Double) -> CardMatch? {
            guard let found = CardRunSearch.find(in: run, boundaries: Set(boundaries + [run.count]), keyed: false) else {
                return nil
            }
            return CardMatch(
                firstItem: owner[map(found.card.lowerBound)], lastItem: owner[map(found.card.upperBound - 1)],
                network: found.network, penalty: penalty,
                codeItems: found.code.map { owner[map($0.lowerBound)]...owner[map($0.upperBound - 1)] })
        }
        if let found = inside(digits, boundaries: starts, map: { $0 }, penalty: 0.03) { return found }
        for candidate in corrections {
            if let found = inside(candidate.digits, boundaries: candidate.boundaries, map: candidate.map, penalty: 0.08) {
                return found
            }
        }
        return nil
    }

    /// The segment's digits as corrected: for each correction marker, the k digits after it replacing
    /// the k before it (1–6 digits, or the one or two groups said just before the marker, re-read).
    /// `map` takes a corrected offset back to the digit as said; `boundaries` are the item starts in
    /// corrected offsets.
    func corrected(_ segment: Segment) -> [(digits: [UInt8], map: (Int) -> Int, boundaries: [Int])] {
        let digits = segment.digits
        var starts: [Int] = [], count = 0
        for item in segment.items {
            starts.append(count)
            count += item.digits.count
        }
        var candidates: [(digits: [UInt8], map: (Int) -> Int, boundaries: [Int])] = []
        for correction in segment.corrections where correction < segment.items.count {
            let cut = starts[correction]
            // 1–6 digits, or the whole group or two said before the marker (a numeral re-read).
            var counts = Set(1...6)
            if correction >= 1 { counts.insert(cut - starts[correction - 1]) }
            if correction >= 2 { counts.insert(cut - starts[correction - 2]) }
            for replaced in counts.sorted() where replaced <= cut {
                let kept = cut - replaced
                candidates.append(
                    (
                        Array(digits[..<kept] + digits[cut...]), { $0 < kept ? $0 : $0 + replaced },
                        starts.compactMap { $0 < kept ? $0 : $0 >= cut ? $0 - replaced : nil }
                    ))
            }
        }
        return candidates
    }

    private func finding(
        _ type: ViolationType, _ what: String, _ segment: Segment, items: ClosedRange<Int>,
        participant: String, base: Double, prompting: ComplianceFinding.Prompting,
        asker: String?
    ) -> ComplianceFinding {
        let covered = segment.items[items]
        let start = covered.first!.startMs
        let end = max(covered.map(\.endMs).max() ?? start, start)
        let confidences = covered.compactMap(\.confidence)
        let recognition = confidences.isEmpty ? 1 : confidences.reduce(0, +) / Double(confidences.count)
        let how: String
        switch prompting {
        case .prompted: how = "asked for by \(asker ?? "the other party")"
        case .volunteered: how = "named by the speaker"
        case .unprompted: how = "without a cue"
        }
        return ComplianceFinding(
            type: type, source: .transcript, participant: participant, offsetMs: start, durationMs: end - start,
            confidence: base * (0.8 + 0.2 * min(1, max(0, recognition))),
            evidence: "\(what), \(how), at \(ComplianceFinding.seconds(start)) (\(participant))", prompting: prompting)
    }
}
