/// Case-insensitive keyword search near a candidate, over raw UTF-8 bytes.
enum ContextWords {
    static let card: [[UInt8]] = words(
        "card", "credit", "debit", "visa", "mastercard", "amex", "american express", "discover", "jcb",
        "diners", "maestro", "unionpay", "cc ", "cc#", "pan"
    )
    static let ssn: [[UInt8]] = words("ssn", "social security", "social", "ss#", "ss no", "taxpayer")
    static let phone: [[UInt8]] = words("phone", "call", "number", "mobile", "cell", "tel", "fax", "contact")
    static let cvv: [[UInt8]] = words(
        "cvv", "cvc", "cid", "csc", "security code", "verification", "card code", "three digit", "3 digit"
    )
    static let expiry: [[UInt8]] = words("exp", "valid thru", "valid through", "good thru", "valid until")

    private static func words(_ words: String...) -> [[UInt8]] {
        words.map { Array($0.utf8) }
    }

    /// Whether any of `words` occurs (ASCII case-insensitively) in `bytes[range]`.
    static func contains(
        _ words: [[UInt8]],
        in bytes: UnsafeBufferPointer<UInt8>,
        range: Range<Int>
    ) -> Bool {
        let lower = max(0, range.lowerBound), upper = min(bytes.count, range.upperBound)
        guard lower < upper else { return false }
        for word in words where word.count <= upper - lower {
            let first = word[0]
            var index = lower
            let last = upper - word.count
            while index <= last {
                if lowercased(bytes[index]) == first {
                    var matched = 1
                    while matched < word.count, lowercased(bytes[index + matched]) == word[matched] { matched += 1 }
                    if matched == word.count { return true }
                }
                index += 1
            }
        }
        return false
    }

    /// Whether any of `words` occurs within `window` bytes before `start` (or `after` bytes after `end`).
    static func near(
        _ words: [[UInt8]],
        in bytes: UnsafeBufferPointer<UInt8>,
        start: Int,
        end: Int,
        before window: Int,
        after: Int = 0
    ) -> Bool {
        if contains(words, in: bytes, range: (start - window)..<start) { return true }
        return after > 0 && contains(words, in: bytes, range: end..<(end + after))
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= 0x41 && byte <= 0x5a ? byte | 0x20 : byte
    }
}
