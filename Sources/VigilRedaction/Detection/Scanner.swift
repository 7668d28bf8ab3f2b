#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// The detection engine: one forward pass over UTF-8 bytes, candidate-first.
///
/// Digit runs are found by byte tests, then validated (card chains, SSN shapes, NANP/E.164 phone
/// shapes); e-mail addresses are found from their `@`. No regular expression engine is involved.
struct Scanner {
    let bytes: UnsafeBufferPointer<UInt8>
    let window: Int
    private let wantCard: Bool, wantSSN: Bool, wantPhone: Bool, wantEmail: Bool, wantCVV: Bool, wantExpiry: Bool

    init(bytes: UnsafeBufferPointer<UInt8>, kindMask: UInt32, window: Int) {
        self.bytes = bytes
        self.window = window
        wantCard = kindMask & PIIKind.creditCard.bit != 0
        wantSSN = kindMask & PIIKind.usSSN.bit != 0
        wantPhone = kindMask & PIIKind.phoneNumber.bit != 0
        wantEmail = kindMask & PIIKind.email.bit != 0
        wantCVV = kindMask & PIIKind.cvv.bit != 0
        wantExpiry = kindMask & PIIKind.cardExpiry.bit != 0
    }

    private var count: Int { bytes.count }

    // MARK: Byte classes

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }
    @inline(__always) static func isAlpha(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }
    @inline(__always) static func isAlnum(_ byte: UInt8) -> Bool { isDigit(byte) || isAlpha(byte) }

    private static let space = UInt8(ascii: " "), hyphen = UInt8(ascii: "-"), dot = UInt8(ascii: ".")
    private static let slash = UInt8(ascii: "/"), colon = UInt8(ascii: ":"), plus = UInt8(ascii: "+")
    private static let openParen = UInt8(ascii: "("), closeParen = UInt8(ascii: ")"), at = UInt8(ascii: "@")

    @inline(__always) private func digit(_ index: Int) -> Bool { index < count && Self.isDigit(bytes[index]) }

    /// The end of the digit run starting at `index`.
    @inline(__always) private func digitRunEnd(from index: Int) -> Int {
        var end = index
        while end < count, Self.isDigit(bytes[end]) { end += 1 }
        return end
    }

    /// Whether a number starting at `index` is glued to what precedes it: a letter or digit, a
    /// hyphen after a letter or digit (GUIDs, hyphenated ids), or `.`, `/`, `:` after a digit
    /// (decimals, IP addresses, dates, times).
    private func attachedBefore(_ index: Int) -> Bool {
        guard index > 0 else { return false }
        let previous = bytes[index - 1]
        if Self.isAlnum(previous) { return true }
        guard index >= 2 else { return false }
        let before = bytes[index - 2]
        if previous == Self.hyphen { return Self.isAlnum(before) }
        if previous == Self.dot || previous == Self.slash || previous == Self.colon { return Self.isDigit(before) }
        return false
    }

    /// Whether a number ending before `end` stands alone: not followed by a letter or digit, by a
    /// hyphen and a letter or digit, or by `.`, `/`, `:` and a digit.
    private func freeAfter(_ end: Int) -> Bool {
        guard end < count else { return true }
        let next = bytes[end]
        if Self.isAlnum(next) { return false }
        guard end + 1 < count else { return true }
        let following = bytes[end + 1]
        if next == Self.hyphen { return !Self.isAlnum(following) }
        if next == Self.dot || next == Self.slash || next == Self.colon { return !Self.isDigit(following) }
        return true
    }

    // MARK: Scan

    func scan() -> [PIIFinding] {
        let emails = wantEmail ? scanEmails() : []
        let wantShort = wantCVV || wantExpiry
        var findings: [PIIFinding] = []
        var pending: [PIIFinding] = []
        var emailIndex = 0
        var index = 0
        while index < count {
            while emailIndex < emails.count, emails[emailIndex].utf8Range.upperBound <= index { emailIndex += 1 }
            if emailIndex < emails.count, index >= emails[emailIndex].utf8Range.lowerBound {
                index = emails[emailIndex].utf8Range.upperBound
                continue
            }
            let byte = bytes[index]
            if Self.isDigit(byte) {
                if !attachedBefore(index) {
                    if wantCard, let card = matchCard(at: index) {
                        findings.append(card)
                        index = card.utf8Range.upperBound
                        continue
                    }
                    if wantSSN, let ssn = matchSSN(at: index) {
                        findings.append(ssn)
                        index = ssn.utf8Range.upperBound
                        continue
                    }
                    if wantPhone, let phone = matchNANP(at: index) {
                        findings.append(phone)
                        index = phone.utf8Range.upperBound
                        continue
                    }
                    if wantShort, let candidate = shortCandidate(at: index) {
                        pending.append(candidate)
                        index = candidate.utf8Range.upperBound
                        continue
                    }
                }
                index += 1
                while index < count, Self.isAlnum(bytes[index]) { index += 1 }
            } else if Self.isAlpha(byte) {
                index += 1
                while index < count, Self.isAlnum(bytes[index]) { index += 1 }
            } else if byte == Self.plus, wantPhone || wantCard, let match = matchE164(at: index) {
                findings.append(match)
                index = match.utf8Range.upperBound
            } else if byte == Self.openParen, wantPhone, !(index > 0 && Self.isAlnum(bytes[index - 1])),
                let phone = matchNANP(at: index)
            {
                findings.append(phone)
                index = phone.utf8Range.upperBound
            } else {
                index += 1
            }
        }
        if !pending.isEmpty { findings += confirmShortCandidates(pending, cards: findings) }
        if !emails.isEmpty { findings += emails }
        if findings.count > 1 { findings.sort { $0.utf8Range.lowerBound < $1.utf8Range.lowerBound } }
        return findings
    }

    // MARK: Cards

    /// The card network and Luhn validity of the digits in `range` (separators skipped).
    private func validateCard(_ range: Range<Int>, digitCount: Int) -> CardNetwork? {
        var prefix = 0, taken = 0
        var index = range.lowerBound
        while taken < 6 {
            let byte = bytes[index]
            if Self.isDigit(byte) {
                prefix = prefix &* 10 &+ Int(byte &- 0x30)
                taken += 1
            }
            index += 1
        }
        guard let network = PaymentCard.network(prefix6: prefix, length: digitCount) else { return nil }
        var sum = 0, double = false
        index = range.upperBound
        while index > range.lowerBound {
            index -= 1
            let byte = bytes[index]
            guard Self.isDigit(byte) else { continue }
            var value = Int(byte &- 0x30)
            if double {
                value &*= 2
                if value > 9 { value &-= 9 }
            }
            sum &+= value
            double.toggle()
        }
        return sum % 10 == 0 ? network : nil
    }

    /// The longest card number starting at `start`: contiguous, or groups of 3–6 digits joined by one
    /// consistent separator (space or hyphen).
    private func matchCard(at start: Int) -> PIIFinding? {
        var end = digitRunEnd(from: start)
        let firstLength = end - start
        if firstLength > 19 { return nil }
        var total = firstLength
        var groups = 1
        var separator: UInt8 = 0
        var best: (end: Int, network: CardNetwork)?

        func consider(_ end: Int) {
            guard total >= 13, total <= 19, freeAfter(end) else { return }
            if groups == 1, total == 13, PaymentCard.looksLikeEpochMilliseconds(bytes[start..<end]),
                !ContextWords.near(ContextWords.card, in: bytes, start: start, end: end, before: window)
            {
                return
            }
            if let network = validateCard(start..<end, digitCount: total) { best = (end, network) }
        }

        consider(end)
        let groupLengths = 3...6
        if groupLengths.contains(firstLength) {
            while end + 1 < count, groups < 8 {
                let next = bytes[end]
                guard next == Self.space || next == Self.hyphen, separator == 0 || separator == next,
                    Self.isDigit(bytes[end + 1])
                else { break }
                let groupEnd = digitRunEnd(from: end + 1)
                let length = groupEnd - end - 1
                guard groupLengths.contains(length), total + length <= 19 else { break }
                separator = next
                groups += 1
                total += length
                end = groupEnd
                consider(end)
            }
        }
        guard let best else { return nil }
        let context = ContextWords.near(ContextWords.card, in: bytes, start: start, end: best.end, before: window)
        return PIIFinding(
            kind: .creditCard, utf8Range: start..<best.end, confidence: context ? 1 : 0.95,
            cardNetwork: best.network)
    }

    // MARK: SSN

    private func matchSSN(at start: Int) -> PIIFinding? {
        let run = digitRunEnd(from: start) - start
        if run == 3, start + 11 <= count {
            let separator = bytes[start + 3]
            guard separator == Self.hyphen || separator == Self.space || separator == Self.dot,
                digit(start + 4), digit(start + 5), bytes[start + 6] == separator,
                digit(start + 7), digit(start + 8), digit(start + 9), digit(start + 10),
                freeAfter(start + 11), isPlausibleSSN(start: start, separated: true)
            else { return nil }
            let context = ContextWords.near(ContextWords.ssn, in: bytes, start: start, end: start + 11, before: window)
            return PIIFinding(kind: .usSSN, utf8Range: start..<(start + 11), confidence: context ? 1 : 0.85)
        }
        if run == 9, freeAfter(start + 9), isPlausibleSSN(start: start, separated: false),
            ContextWords.near(ContextWords.ssn, in: bytes, start: start, end: start + 9, before: window)
        {
            return PIIFinding(kind: .usSSN, utf8Range: start..<(start + 9), confidence: 0.9)
        }
        return nil
    }

    /// Area/group/serial rules. `separated`: `AAA?GG?SSSS`, else 9 contiguous digits.
    private func isPlausibleSSN(start: Int, separated: Bool) -> Bool {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { out in
            var taken = 0, index = start
            while taken < 9 {
                if Self.isDigit(bytes[index]) {
                    out[taken] = bytes[index] &- 0x30
                    taken += 1
                }
                index += 1
            }
        }
        return withUnsafeBytes(of: &digits) { d in SSNRules.isPlausible(d) }
    }

    // MARK: Phones

    /// NANP: `[1 ]` then `(NXX) NXX-XXXX` or `NXX?NXX?XXXX` with one separator (`-`, `.`, space);
    /// or 10 contiguous digits (11 with a leading 1) when phone context words precede them.
    private func matchNANP(at start: Int) -> PIIFinding? {
        func isN(_ index: Int) -> Bool { index < count && bytes[index] >= 0x32 && bytes[index] <= 0x39 }
        func isSeparator(_ byte: UInt8) -> Bool { byte == Self.hyphen || byte == Self.dot || byte == Self.space }
        var position = start
        if bytes[position] != Self.openParen {
            let run = digitRunEnd(from: position) - position
            if run == 10 || (run == 11 && bytes[position] == 0x31) {
                let areaStart = position + run - 10
                guard isN(areaStart), isN(areaStart + 3), freeAfter(position + run),
                    ContextWords.near(ContextWords.phone, in: bytes, start: start, end: position + run, before: window)
                else { return nil }
                return PIIFinding(kind: .phoneNumber, utf8Range: start..<(position + run), confidence: 0.7)
            }
            if run == 1, bytes[position] == 0x31, position + 2 < count, isSeparator(bytes[position + 1]) {
                position += 2
            }
        }
        var separator: UInt8 = 0
        if position < count, bytes[position] == Self.openParen {
            guard isN(position + 1), digit(position + 2), digit(position + 3), position + 4 < count,
                bytes[position + 4] == Self.closeParen
            else { return nil }
            position += 5
            if position < count, bytes[position] == Self.space { position += 1 }
        } else {
            guard isN(position), digit(position + 1), digit(position + 2), position + 3 < count,
                isSeparator(bytes[position + 3])
            else { return nil }
            separator = bytes[position + 3]
            position += 4
        }
        guard isN(position), digit(position + 1), digit(position + 2), position + 3 < count else { return nil }
        let second = bytes[position + 3]
        guard separator == 0 ? isSeparator(second) : second == separator else { return nil }
        position += 4
        guard digit(position), digit(position + 1), digit(position + 2), digit(position + 3) else { return nil }
        position += 4
        guard freeAfter(position) else { return nil }
        let context = ContextWords.near(ContextWords.phone, in: bytes, start: start, end: position, before: window)
        return PIIFinding(kind: .phoneNumber, utf8Range: start..<position, confidence: context ? 1 : 0.8)
    }

    /// E.164: `+`, a first digit 1–9, then 8–15 digits in all, in groups joined by at most one space,
    /// hyphen or dot, with parenthesised groups allowed (`+44 (0) 20 …`). A digit string that is a
    /// valid card number is reported as a card instead.
    private func matchE164(at start: Int) -> PIIFinding? {
        if start > 0, Self.isAlnum(bytes[start - 1]) || bytes[start - 1] == Self.plus { return nil }
        var position = start + 1
        guard position < count, bytes[position] >= 0x31, bytes[position] <= 0x39 else { return nil }
        var total = 0
        var best: (end: Int, digits: Int)?
        while position < count {
            var groupEnd: Int
            if bytes[position] == Self.openParen {
                let runEnd = digitRunEnd(from: position + 1)
                guard runEnd > position + 1, runEnd < count, bytes[runEnd] == Self.closeParen else { break }
                total += runEnd - position - 1
                groupEnd = runEnd + 1
            } else if Self.isDigit(bytes[position]) {
                groupEnd = digitRunEnd(from: position)
                total += groupEnd - position
            } else {
                break
            }
            if total > 15 { break }
            if total >= 8, freeAfter(groupEnd) { best = (groupEnd, total) }
            position = groupEnd
            guard position < count else { break }
            let next = bytes[position]
            if next == Self.openParen { continue }
            if (next == Self.space || next == Self.hyphen || next == Self.dot), position + 1 < count,
                Self.isDigit(bytes[position + 1]) || bytes[position + 1] == Self.openParen
            {
                position += 1
                continue
            }
            if Self.isDigit(next) { continue }
            break
        }
        guard let best else { return nil }
        if best.digits >= 13, wantCard,
            let network = validateCard((start + 1)..<best.end, digitCount: best.digits)
        {
            return PIIFinding(kind: .creditCard, utf8Range: (start + 1)..<best.end, confidence: 0.9, cardNetwork: network)
        }
        guard wantPhone else { return nil }
        return PIIFinding(kind: .phoneNumber, utf8Range: start..<best.end, confidence: 0.9)
    }

    // MARK: CVV and expiry

    /// A bare 3–4-digit run or an `MM/YY`-shaped date, kept until card context is known.
    private func shortCandidate(at start: Int) -> PIIFinding? {
        let runEnd = digitRunEnd(from: start)
        let run = runEnd - start
        if wantExpiry, run == 2, runEnd + 2 < count,
            bytes[runEnd] == Self.slash || bytes[runEnd] == Self.hyphen
        {
            let month = Int(bytes[start] &- 0x30) * 10 + Int(bytes[start + 1] &- 0x30)
            let yearEnd = digitRunEnd(from: runEnd + 1)
            let yearLength = yearEnd - runEnd - 1
            if (1...12).contains(month),
                yearLength == 2
                    || (yearLength == 4 && bytes[runEnd + 1] == 0x32
                        && bytes[runEnd + 2] == 0x30),
                freeAfter(yearEnd)
            {
                return PIIFinding(kind: .cardExpiry, utf8Range: start..<yearEnd, confidence: 0)
            }
        }
        if wantCVV, run == 3 || run == 4, freeAfter(runEnd) {
            // Not one group of a longer space-separated digit sequence.
            if start >= 2, bytes[start - 1] == Self.space, Self.isDigit(bytes[start - 2]) { return nil }
            if runEnd + 1 < count, bytes[runEnd] == Self.space, Self.isDigit(bytes[runEnd + 1]) { return nil }
            return PIIFinding(kind: .cvv, utf8Range: start..<runEnd, confidence: 0)
        }
        return nil
    }

    /// Keeps the candidates within `window` bytes of a card number, or preceded by their keywords.
    private func confirmShortCandidates(_ candidates: [PIIFinding], cards findings: [PIIFinding]) -> [PIIFinding] {
        let cards = findings.filter { $0.kind == .creditCard }.map(\.utf8Range)
        var confirmed: [PIIFinding] = []
        var cardIndex = 0
        for candidate in candidates {
            let range = candidate.utf8Range
            while cardIndex < cards.count, cards[cardIndex].upperBound + window < range.lowerBound { cardIndex += 1 }
            let nearCard = cardIndex < cards.count && cards[cardIndex].lowerBound <= range.upperBound + window
            let words = candidate.kind == .cvv ? ContextWords.cvv : ContextWords.expiry
            guard
                nearCard
                    || ContextWords.near(
                        words, in: bytes, start: range.lowerBound, end: range.upperBound,
                        before: window)
            else { continue }
            confirmed.append(PIIFinding(kind: candidate.kind, utf8Range: range, confidence: nearCard ? 0.9 : 0.8))
        }
        return confirmed
    }

    // MARK: E-mail

    private func scanEmails() -> [PIIFinding] {
        var results: [PIIFinding] = []
        var floor = 0
        var index = 0
        guard let base = bytes.baseAddress else { return [] }
        while index < count {
            // memchr is vectorised by the C library; '@' is rare in text.
            guard let found = memchr(base + index, Int32(Self.at), count - index) else { break }
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            if let range = emailAround(at: index, floor: floor) {
                results.append(PIIFinding(kind: .email, utf8Range: range, confidence: 0.9))
                floor = range.upperBound
                index = range.upperBound
            } else {
                index += 1
            }
        }
        return results
    }

    @inline(__always) private static func isLocalCharacter(_ byte: UInt8) -> Bool {
        isAlnum(byte) || byte == dot || byte == hyphen || byte == plus || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "%")
    }

    /// `local@label.label…tld`: local part of `A–Z a–z 0–9 . _ % + -` (not starting or ending with a
    /// dot), at least two domain labels of `A–Z a–z 0–9 -` (no leading or trailing hyphen) and a
    /// final label of 2–24 letters.
    private func emailAround(at atSign: Int, floor: Int) -> Range<Int>? {
        var start = atSign
        while start > floor, Self.isLocalCharacter(bytes[start - 1]) { start -= 1 }
        while start < atSign, bytes[start] == Self.dot { start += 1 }
        guard start < atSign, bytes[atSign - 1] != Self.dot else { return nil }
        // A Vigil token is no local part: `tok_email_…@rest` is what a first pass left, and a
        // second must not find more in it (found by the json-sanitizer fuzz harness).
        if ContextWords.insideToken(bytes, at: atSign - 1) { return nil }
        var position = atSign + 1
        var labels = 0
        var end: Int?
        while position < count {
            var labelEnd = position
            var letters = true
            while labelEnd < count, Self.isAlnum(bytes[labelEnd]) || bytes[labelEnd] == Self.hyphen {
                if !Self.isAlpha(bytes[labelEnd]) { letters = false }
                labelEnd += 1
            }
            let length = labelEnd - position
            guard length > 0, bytes[position] != Self.hyphen, bytes[labelEnd - 1] != Self.hyphen else { break }
            labels += 1
            if labels >= 2, letters, (2...24).contains(length) { end = labelEnd }
            guard labelEnd + 1 < count, bytes[labelEnd] == Self.dot, Self.isAlnum(bytes[labelEnd + 1]) else { break }
            position = labelEnd + 1
        }
        guard let end else { return nil }
        return start..<end
    }
}

/// US SSN validity rules (there is no checksum).
enum SSNRules {
    /// Known published or advertising numbers that are never real: 078-05-1120 (the Woolworth wallet
    /// card), 219-09-9999 (a Social Security Administration pamphlet) and 123-45-6789.
    static let knownInvalid: Set<Int> = [78_051_120, 219_099_999, 123_456_789]

    /// `digits`: nine values 0–9.
    static func isPlausible(_ digits: UnsafeRawBufferPointer) -> Bool {
        let area = Int(digits[0]) * 100 + Int(digits[1]) * 10 + Int(digits[2])
        let group = Int(digits[3]) * 10 + Int(digits[4])
        let serial = Int(digits[5]) * 1000 + Int(digits[6]) * 100 + Int(digits[7]) * 10 + Int(digits[8])
        if area == 0 || area == 666 || area >= 900 || group == 0 || serial == 0 { return false }
        if digits.allSatisfy({ $0 == digits[0] }) { return false }
        return !knownInvalid.contains(area * 1_000_000 + group * 10_000 + serial)
    }
}
