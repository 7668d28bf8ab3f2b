/// Case-insensitive keyword search near a candidate, over raw UTF-8 bytes.
enum ContextWords {
    static let card = WordList(
        "card", "credit", "debit", "visa", "mastercard", "amex", "american express", "discover", "jcb",
        "diners", "maestro", "unionpay", "cc ", "cc#", "pan"
    )
    static let ssn = WordList("ssn", "social security", "social", "ss#", "ss no", "taxpayer")
    static let phone = WordList("phone", "call", "number", "mobile", "cell", "tel", "fax", "contact")
    static let cvv = WordList(
        "cvv", "cvc", "cid", "csc", "security code", "verification", "card code", "three digit", "3 digit"
    )
    static let expiry = WordList("exp", "valid thru", "valid through", "good thru", "valid until")

    /// Lowercase keywords, with a bitmap of their first bytes so that most positions are rejected
    /// with one test.
    struct WordList: Sendable {
        let words: [[UInt8]]
        private let firstBytes: (UInt64, UInt64)

        init(_ words: String...) {
            self.words = words.map { Array($0.utf8) }
            var bitmap: (UInt64, UInt64) = (0, 0)
            for word in self.words {
                let first = word[0]
                if first < 64 { bitmap.0 |= 1 << UInt64(first) } else { bitmap.1 |= 1 << UInt64(first & 63) }
            }
            firstBytes = bitmap
        }

        @inline(__always) func mayStart(with byte: UInt8) -> Bool {
            byte < 64
                ? firstBytes.0 & (1 << UInt64(byte)) != 0
                : byte < 128 && firstBytes.1 & (1 << UInt64(byte & 63)) != 0
        }
    }

    /// Whether any of `list`'s words occurs (ASCII case-insensitively) in `bytes[range]`.
    static func contains(
        _ list: WordList,
        in bytes: UnsafeBufferPointer<UInt8>,
        range: Range<Int>
    ) -> Bool {
        let lower = max(0, range.lowerBound), upper = min(bytes.count, range.upperBound)
        var index = lower
        while index < upper {
            let first = lowercased(bytes[index])
            if list.mayStart(with: first) {
                for word in list.words where word[0] == first && word.count <= upper - index {
                    var matched = 1
                    while matched < word.count, lowercased(bytes[index + matched]) == word[matched] { matched += 1 }
                    if matched == word.count, !insideToken(bytes, at: index) { return true }
                }
            }
            index += 1
        }
        return false
    }

    /// Whether `index` lies inside a Vigil token (`tok_<tag>_<22 base64url>`, what the operators
    /// write): its tag (`tok_cvv_…`, `tok_phone_…`) and random part are no context, or sanitising
    /// the output again would redact more than the first pass (found by the json-sanitizer fuzz
    /// harness). Runs only when a word matched, so it costs nothing on text without context words.
    static func insideToken(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        // The longest token is `tok_email_` + 22 = 32 bytes; look back for its `tok_`.
        var start = index
        while start >= max(0, index - 31) {
            if start + 4 <= bytes.count, bytes[start] == 0x74, bytes[start + 1] == 0x6f, bytes[start + 2] == 0x6b,
                bytes[start + 3] == 0x5f, let end = tokenEnd(bytes, from: start), index < end
            {
                return true
            }
            start -= 1
        }
        return false
    }

    /// The end of the token starting at `start` (`tok_`, lowercase letters, `_`, 22 base64url), or `nil`.
    private static func tokenEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        var position = start + 4
        let tagStart = position
        while position < bytes.count, bytes[position] >= 0x61, bytes[position] <= 0x7a { position += 1 }
        guard position > tagStart, position - tagStart <= 5, position < bytes.count, bytes[position] == 0x5f else { return nil }
        position += 1
        guard position + 22 <= bytes.count else { return nil }
        for offset in 0..<22 {
            let byte = bytes[position + offset]
            let isBase64URL =
                (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2d || byte == 0x5f
            guard isBase64URL else { return nil }
        }
        return position + 22
    }

    /// Whether any of `words` occurs within `window` bytes before `start` (or `after` bytes after `end`).
    static func near(
        _ words: WordList,
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
