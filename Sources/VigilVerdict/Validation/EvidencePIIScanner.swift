import VigilRedaction

/// Finds unmasked card numbers (PANs) and social security numbers in an evidence snippet.
///
/// ``VerdictValidator`` runs one over every `evidenceSnippet`, whether URI or text: evidence ends up
/// in annotations and work items that people and logs see, so it must be masked.
public protocol EvidencePIIScanner: Sendable {
    /// The kinds of unmasked PII found in `text` (empty when none).
    func scan(_ text: String) -> Set<EvidencePIIKind>
}

/// A kind of PII the evidence check looks for.
public enum EvidencePIIKind: String, Sendable, Hashable, CaseIterable {
    /// A payment card number: 13–19 digits (spaces or dashes allowed between them) that pass the Luhn
    /// check and start with a known issuer prefix.
    case pan
    /// A US social security number: `AAA-GG-SSSS` (or 9 digits) with a valid area, group and serial.
    case ssn
}

/// A small built-in scanner for digit runs: PAN (length, issuer prefix, Luhn) and SSN (SSA
/// structure rules). Masked digits (`*`, `X`, `#`, `•`) break a run, so `**** **** **** 1111` and
/// `XXX-XX-6789` pass.
///
/// The default is ``RedactionPIIScanner``; this one needs no VigilRedaction and is kept as a
/// cross-check in tests.
public struct DigitRunPIIScanner: EvidencePIIScanner {
    /// Creates the scanner.
    public init() {}

    /// The PAN and SSN kinds found in `text`.
    public func scan(_ text: String) -> Set<EvidencePIIKind> {
        // Fast path: no run of at least 9 digits (spaces or dashes between them) — no PAN, no SSN.
        guard Self.longestDigitRun(in: text) >= 9 else { return [] }
        var found: Set<EvidencePIIKind> = []
        for run in Self.digitRuns(in: text) {
            if Self.containsPAN(run) { found.insert(.pan) }
            if Self.containsSSN(run) { found.insert(.ssn) }
            if found.count == EvidencePIIKind.allCases.count { break }
        }
        return found
    }

    /// The most digits in one run of digits separated by single spaces or dashes, without allocating.
    static func longestDigitRun(in text: String) -> Int {
        var longest = 0
        var current = 0
        var afterSeparator = false
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                current += 1
                afterSeparator = false
                if current > longest { longest = current }
            } else if (byte == 0x20 || byte == UInt8(ascii: "-")) && current > 0 && !afterSeparator {
                afterSeparator = true
            } else {
                current = 0
                afterSeparator = false
            }
        }
        return longest
    }

    /// Digit groups separated by single spaces or dashes, e.g. `4111 1111 1111 1111` → four groups.
    struct DigitRun {
        var groups: [[UInt8]] = []
        /// `separators[i]` sits between `groups[i]` and `groups[i + 1]`.
        var separators: [UInt8] = []
    }

    static func digitRuns(in text: String) -> [DigitRun] {
        var runs: [DigitRun] = []
        var current = DigitRun()
        var group: [UInt8] = []
        var pendingSeparator: UInt8?
        func close() {
            if !group.isEmpty { current.groups.append(group) }
            if !current.groups.isEmpty { runs.append(current) }
            current = DigitRun()
            group = []
            pendingSeparator = nil
        }
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                if let separator = pendingSeparator {
                    current.groups.append(group)
                    current.separators.append(separator)
                    group = []
                    pendingSeparator = nil
                }
                group.append(byte - 0x30)
            } else if (byte == 0x20 || byte == UInt8(ascii: "-")) && !group.isEmpty && pendingSeparator == nil {
                pendingSeparator = byte
            } else {
                close()
            }
        }
        close()
        return runs
    }

    /// Whether consecutive groups joined by one kind of separator (or one unseparated group) hold
    /// 13–19 digits that start with an issuer prefix and pass the Luhn check. Spans follow group
    /// boundaries, so a list of unrelated short numbers is not read as a card number.
    static func containsPAN(_ run: DigitRun) -> Bool {
        for start in run.groups.indices {
            var digits: [UInt8] = []
            for end in start..<run.groups.count {
                if end > start && run.separators[end - 1] != run.separators[start] { break }
                digits += run.groups[end]
                if digits.count > 19 { break }
                if digits.count >= 13 && hasIssuerPrefix(digits[...]) && luhnValid(digits[...]) { return true }
            }
        }
        return false
    }

    static func hasIssuerPrefix(_ digits: ArraySlice<UInt8>) -> Bool {
        let d = Array(digits.prefix(6))
        func number(_ count: Int) -> Int { d.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        switch d[0] {
        case 4: return true  // Visa
        case 5: return (1...5).contains(d[1])  // Mastercard 51–55
        case 2: return (2221...2720).contains(number(4))  // Mastercard 2-series
        case 3:
            return [34, 37, 36, 38, 39].contains(number(2)) || (300...305).contains(number(3))  // Amex, Diners
                || (3528...3589).contains(number(4))  // JCB
        case 6:
            return number(4) == 6011 || number(2) == 65 || (644...649).contains(number(3))  // Discover
                || number(2) == 62  // UnionPay
        default: return false
        }
    }

    static func luhnValid(_ digits: ArraySlice<UInt8>) -> Bool {
        var sum = 0
        for (index, digit) in digits.reversed().enumerated() {
            var value = Int(digit)
            if index % 2 == 1 {
                value *= 2
                if value > 9 { value -= 9 }
            }
            sum += value
        }
        return sum % 10 == 0
    }

    /// `AAA-GG-SSSS` / `AAA GG SSSS` (one kind of separator) or a nine-digit group, with area ≠ 000,
    /// 666, 9xx; group ≠ 00; serial ≠ 0000.
    static func containsSSN(_ run: DigitRun) -> Bool {
        var candidates: [[UInt8]] = run.groups.filter { $0.count == 9 }
        if run.groups.count >= 3 {
            for i in 0...(run.groups.count - 3)
            where run.groups[i].count == 3 && run.groups[i + 1].count == 2 && run.groups[i + 2].count == 4
                && run.separators[i] == run.separators[i + 1]
            {
                candidates.append(run.groups[i] + run.groups[i + 1] + run.groups[i + 2])
            }
        }
        return candidates.contains { d in
            let area = Int(d[0]) * 100 + Int(d[1]) * 10 + Int(d[2])
            let group = Int(d[3]) * 10 + Int(d[4])
            let serial = Int(d[5]) * 1000 + Int(d[6]) * 100 + Int(d[7]) * 10 + Int(d[8])
            return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
        }
    }
}

/// The default scanner: VigilRedaction's `PIIDetector`, restricted to card numbers (length, issuer
/// prefix, Luhn) and US SSNs (SSA structure rules) — the same detectors that sanitise payloads.
public struct RedactionPIIScanner: EvidencePIIScanner {
    private let detector = PIIDetector(kinds: [.creditCard, .usSSN])

    /// Creates the scanner.
    public init() {}

    /// The PAN and SSN kinds VigilRedaction finds in `text`.
    public func scan(_ text: String) -> Set<EvidencePIIKind> {
        var found: Set<EvidencePIIKind> = []
        for finding in detector.findings(in: text) {
            if finding.kind == .creditCard { found.insert(.pan) }
            if finding.kind == .usSSN { found.insert(.ssn) }
        }
        return found
    }
}
