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
/// Used until VigilRedaction's detectors are wired in; they implement the same protocol.
public struct DigitRunPIIScanner: EvidencePIIScanner {
    /// Creates the scanner.
    public init() {}

    /// The PAN and SSN kinds found in `text`.
    public func scan(_ text: String) -> Set<EvidencePIIKind> {
        var found: Set<EvidencePIIKind> = []
        for run in Self.digitRuns(in: text) {
            if Self.containsPAN(run.digits) { found.insert(.pan) }
            if Self.isSSN(run) { found.insert(.ssn) }
            if found.count == EvidencePIIKind.allCases.count { break }
        }
        return found
    }

    /// A maximal run of digits, possibly separated by single spaces or dashes.
    struct DigitRun {
        var digits: [UInt8] = []
        /// The group lengths between separators, e.g. `[3, 2, 4]` for `123-45-6789`.
        var groups: [Int] = []
        var separator: UInt8?
        var mixedSeparators = false
    }

    static func digitRuns(in text: String) -> [DigitRun] {
        var runs: [DigitRun] = []
        var current = DigitRun()
        var currentGroup = 0
        var pendingSeparator: UInt8?
        func close() {
            if currentGroup > 0 { current.groups.append(currentGroup) }
            if !current.digits.isEmpty { runs.append(current) }
            current = DigitRun()
            currentGroup = 0
            pendingSeparator = nil
        }
        for byte in text.utf8 {
            if byte >= 0x30 && byte <= 0x39 {
                if let separator = pendingSeparator {
                    current.groups.append(currentGroup)
                    currentGroup = 0
                    if let previous = current.separator, previous != separator { current.mixedSeparators = true }
                    current.separator = separator
                    pendingSeparator = nil
                }
                current.digits.append(byte - 0x30)
                currentGroup += 1
            } else if (byte == 0x20 || byte == UInt8(ascii: "-")) && currentGroup > 0 && pendingSeparator == nil {
                pendingSeparator = byte
            } else {
                close()
            }
        }
        close()
        return runs
    }

    /// Whether any 13–19 digit window of `digits` is a plausible PAN.
    static func containsPAN(_ digits: [UInt8]) -> Bool {
        guard digits.count >= 13 else { return false }
        for length in 13...min(19, digits.count) {
            for start in 0...(digits.count - length) {
                let candidate = digits[start..<(start + length)]
                if hasIssuerPrefix(candidate) && luhnValid(candidate) { return true }
            }
        }
        return false
    }

    static func hasIssuerPrefix(_ digits: ArraySlice<UInt8>) -> Bool {
        let d = Array(digits.prefix(6))
        func number(_ count: Int) -> Int { d.prefix(count).reduce(0) { $0 * 10 + Int($1) } }
        switch d[0] {
        case 4: return true                                            // Visa
        case 5: return (1...5).contains(d[1])                          // Mastercard 51–55
        case 2: return (2221...2720).contains(number(4))               // Mastercard 2-series
        case 3: return [34, 37, 36, 38, 39].contains(number(2)) || (300...305).contains(number(3)) // Amex, Diners
            || (3528...3589).contains(number(4))                       // JCB
        case 6: return number(4) == 6011 || number(2) == 65 || (644...649).contains(number(3)) // Discover
            || number(2) == 62                                         // UnionPay
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

    /// `AAA-GG-SSSS`, `AAA GG SSSS` or exactly nine contiguous digits, with area ≠ 000, 666, 9xx;
    /// group ≠ 00; serial ≠ 0000.
    static func isSSN(_ run: DigitRun) -> Bool {
        guard run.digits.count == 9, !run.mixedSeparators, run.groups == [3, 2, 4] || run.groups == [9] else {
            return false
        }
        let d = run.digits.map(Int.init)
        let area = d[0] * 100 + d[1] * 10 + d[2]
        let group = d[3] * 10 + d[4]
        let serial = d[5] * 1000 + d[6] * 100 + d[7] * 10 + d[8]
        return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
    }
}
