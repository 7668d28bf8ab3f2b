/// Payment card number rules: the Luhn check and Vigil's IIN table.
///
/// | Network | IIN (prefix) | Lengths |
/// |---|---|---|
/// | UATP / AirPlus | 1 | 15 |
/// | Mastercard (2-series) | 2221–2720 | 16 |
/// | Diners Club | 300–305, 36, 38 | 14–19 |
/// | American Express | 34, 37 | 15 |
/// | JCB | 3528–3589 | 16–19 |
/// | Visa | 4 | 13, 16, 19 |
/// | Mastercard | 51–55 | 16 |
/// | Maestro (incl. Dankort) | 50, 56–69 not claimed below | 12–19 |
/// | Discover | 6011, 644–649, 65, 622126–622925 | 16–19 |
/// | UnionPay | 62 (outside Discover's range) | 16–19 |
///
/// Vigil only scans 13–19 digits, so Maestro's 12-digit numbers are out of scope.
public enum PaymentCard {
    /// Whether `digits` (ASCII `0`–`9` only) pass the Luhn (mod 10) check.
    public static func isLuhnValid(_ digits: some Collection<UInt8>) -> Bool {
        guard !digits.isEmpty else { return false }
        var sum = 0
        var double = false
        for byte in digits.reversed() {
            guard byte >= 0x30, byte <= 0x39 else { return false }
            var value = Int(byte &- 0x30)
            if double {
                value &*= 2
                if value > 9 { value &-= 9 }
            }
            sum &+= value
            double.toggle()
        }
        return sum % 10 == 0
    }

    /// The network whose IIN range and length `digits` (ASCII `0`–`9` only) fit, or `nil`.
    /// Does not check Luhn.
    public static func network(ofDigits digits: some Collection<UInt8>) -> CardNetwork? {
        let length = digits.count
        guard length >= 13, length <= 19 else { return nil }
        var prefix = 0
        for byte in digits.prefix(6) {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            prefix = prefix &* 10 &+ Int(byte &- 0x30)
        }
        return network(prefix6: prefix, length: length)
    }

    /// The network for the first six digits `prefix6` and total `length`.
    static func network(prefix6: Int, length: Int) -> CardNetwork? {
        let p1 = prefix6 / 100_000, p2 = prefix6 / 10_000, p3 = prefix6 / 1_000, p4 = prefix6 / 100
        let long = (16...19).contains(length)
        switch p1 {
        case 1:
            return length == 15 ? .uatp : nil
        case 2:
            return (2221...2720).contains(p4) && length == 16 ? .mastercard : nil
        case 3:
            if p2 == 34 || p2 == 37 { return length == 15 ? .amex : nil }
            if (3528...3589).contains(p4) { return long ? .jcb : nil }
            if p2 == 36 || p2 == 38 || (300...305).contains(p3) { return (14...19).contains(length) ? .diners : nil }
            return nil
        case 4:
            return length == 13 || length == 16 || length == 19 ? .visa : nil
        case 5:
            if (51...55).contains(p2) { return length == 16 ? .mastercard : nil }
            if p2 == 50 || p2 >= 56 { return .maestro }
            return nil
        case 6:
            if (622_126...622_925).contains(prefix6) { return long ? .discover : nil }
            if p2 == 62 { return long ? .unionPay : nil }
            if p4 == 6011 || (644...649).contains(p3) || p2 == 65 { return long ? .discover : nil }
            return .maestro
        default:
            return nil
        }
    }

    /// Whether `digits` are a payment card number by Vigil's rules: 13–19 digits, a known IIN range
    /// for the length, and Luhn-valid.
    public static func isValid(_ digits: some Collection<UInt8>) -> Bool {
        network(ofDigits: digits) != nil && isLuhnValid(digits)
    }

    /// Whether `digits` (13 of them) look like a Unix timestamp in milliseconds between 2001-09-09
    /// and 2100-01-01, the classic false positive of card detectors (Presidio issue #1607).
    static func looksLikeEpochMilliseconds(_ digits: some Collection<UInt8>) -> Bool {
        guard digits.count == 13 else { return false }
        var value = 0
        for byte in digits { value = value &* 10 &+ Int(byte &- 0x30) }
        return value >= 1_000_000_000_000 && value < 4_102_444_800_000
    }
}
