/// Base64 encoding (RFC 4648 §4 and §5) of bytes.
///
/// Decoding is strict, because Vigil decodes secrets and signatures with it, where accepting two
/// spellings of the same bytes invites confusion:
/// - both alphabets are accepted (standard `+/` and URL-safe `-_`), but not mixed in one input;
/// - padding is optional, but if present it must be complete (length a multiple of 4, at most two
///   `=`, only at the end);
/// - anything else is rejected, including whitespace and line breaks;
/// - the unused low bits of the last character must be zero (RFC 4648 §3.5 canonical encoding):
///   `"Zh=="` is rejected although a lenient decoder would read it as `"f"`.
public enum Base64 {
    /// The two 64-character alphabets of RFC 4648.
    public enum Alphabet: Sendable {
        /// RFC 4648 §4: `A–Z a–z 0–9 + /`.
        case standard
        /// RFC 4648 §5, "base64url": `A–Z a–z 0–9 - _`, safe in URLs and file names.
        case urlSafe
    }

    /// Encodes `bytes` in `alphabet`, with `=` padding to a multiple of 4 characters unless
    /// `padding` is `false`.
    public static func encode(
        _ bytes: some Sequence<UInt8>,
        alphabet: Alphabet = .standard,
        padding: Bool = true
    ) -> String {
        if let encoded = bytes.withContiguousStorageIfAvailable({
            encode(UnsafeRawBufferPointer($0), alphabet: alphabet, padding: padding)
        }) {
            return encoded
        }
        return Array(bytes).withUnsafeBytes { encode($0, alphabet: alphabet, padding: padding) }
    }

    private static func encode(_ input: UnsafeRawBufferPointer, alphabet: Alphabet, padding: Bool) -> String {
        let table: StaticString =
            switch alphabet {
            case .standard: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
            case .urlSafe: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
            }
        let remainder = input.count % 3
        let fullGroups = input.count / 3
        var output: [UInt8] = []
        output.reserveCapacity(fullGroups * 4 + 4)
        table.withUTF8Buffer { symbols in
            var index = 0
            for _ in 0..<fullGroups {
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                output.append(symbols[Int(group >> 18)])
                output.append(symbols[Int(group >> 12 & 0x3f)])
                output.append(symbols[Int(group >> 6 & 0x3f)])
                output.append(symbols[Int(group & 0x3f)])
                index += 3
            }
            switch remainder {
            case 1:
                let group = UInt32(input[index]) << 16
                output.append(symbols[Int(group >> 18)])
                output.append(symbols[Int(group >> 12 & 0x3f)])
                if padding { output.append(contentsOf: [UInt8(ascii: "="), UInt8(ascii: "=")]) }
            case 2:
                let group = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                output.append(symbols[Int(group >> 18)])
                output.append(symbols[Int(group >> 12 & 0x3f)])
                output.append(symbols[Int(group >> 6 & 0x3f)])
                if padding { output.append(UInt8(ascii: "=")) }
            default:
                break
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes Base64 text in either alphabet, padded or not (see ``Base64`` for the exact rules).
    ///
    /// The empty string decodes to no bytes.
    ///
    /// - Throws: ``Base64DecodingError`` with the UTF-8 byte offset of the problem:
    ///   ``Base64DecodingError/invalidCharacter``, ``Base64DecodingError/invalidPadding``,
    ///   ``Base64DecodingError/invalidLength``, ``Base64DecodingError/mixedAlphabets`` or
    ///   ``Base64DecodingError/nonZeroTrailingBits``. Characters are checked first, in order, so
    ///   the first bad character is reported even when the length is also wrong.
    public static func decode(_ string: String) throws(Base64DecodingError) -> [UInt8] {
        try decode(string, allowingNonZeroTrailingBits: false)
    }

    /// Decodes Base64 text like ``decode(_:)``, optionally accepting non-zero unused bits in the last
    /// character (`"Zh=="` decodes like `"Zg=="`).
    ///
    /// Strict decoding is the default because two different strings must not decode to the same bytes
    /// where the text is compared; the lenient form exists for interoperability with producers that
    /// generate such text — e.g. Standard Webhooks secrets, which the reference libraries decode
    /// leniently.
    public static func decode(_ string: String, allowingNonZeroTrailingBits: Bool) throws(Base64DecodingError) -> [UInt8] {
        var string = string
        // `withUTF8` is `rethrows` (untyped), so carry the typed error out in a `Result`.
        let result = string.withUTF8 { input in
            Result { () throws(Base64DecodingError) -> [UInt8] in
                try decode(input, allowingNonZeroTrailingBits: allowingNonZeroTrailingBits)
            }
        }
        return try result.get()
    }

    /// Decodes Base64 text given as its UTF-8 bytes, like ``decode(_:)`` (for parsers that already hold
    /// the bytes of a header, so no `String` is made for each value).
    package static func decode(utf8 input: UnsafeBufferPointer<UInt8>) throws(Base64DecodingError) -> [UInt8] {
        try decode(input, allowingNonZeroTrailingBits: false)
    }

    private static let padding = UInt8(ascii: "=")

    private static func decode(
        _ input: UnsafeBufferPointer<UInt8>,
        allowingNonZeroTrailingBits: Bool
    ) throws(Base64DecodingError) -> [UInt8] {
        let length = input.count
        var dataLength = length
        while dataLength > 0, input[dataLength - 1] == padding { dataLength -= 1 }
        let paddingCount = length - dataLength

        var output: [UInt8] = []
        output.reserveCapacity(dataLength / 4 * 3 + 2)
        var accumulator: UInt32 = 0
        var pendingBits = 0
        var sawStandard = false
        var sawURLSafe = false

        for offset in 0..<dataLength {
            let character = input[offset]
            let value: UInt8
            switch character {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): value = character &- UInt8(ascii: "A")
            case UInt8(ascii: "a")...UInt8(ascii: "z"): value = character &- UInt8(ascii: "a") &+ 26
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = character &- UInt8(ascii: "0") &+ 52
            case UInt8(ascii: "+"), UInt8(ascii: "/"):
                if sawURLSafe { throw Base64DecodingError(.mixedAlphabets, offset: offset) }
                sawStandard = true
                value = character == UInt8(ascii: "+") ? 62 : 63
            case UInt8(ascii: "-"), UInt8(ascii: "_"):
                if sawStandard { throw Base64DecodingError(.mixedAlphabets, offset: offset) }
                sawURLSafe = true
                value = character == UInt8(ascii: "-") ? 62 : 63
            case padding:
                throw Base64DecodingError(.invalidPadding, offset: offset)
            default:
                throw Base64DecodingError(.invalidCharacter, offset: offset)
            }
            accumulator = accumulator << 6 | UInt32(value)
            pendingBits += 6
            if pendingBits >= 8 {
                pendingBits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(pendingBits)))
                accumulator &= (1 << UInt32(pendingBits)) - 1
            }
        }

        if paddingCount > 2 || (paddingCount > 0 && length % 4 != 0) {
            throw Base64DecodingError(.invalidPadding, offset: dataLength)
        }
        if dataLength % 4 == 1 {
            throw Base64DecodingError(.invalidLength, offset: length)
        }
        if accumulator != 0 && !allowingNonZeroTrailingBits {
            throw Base64DecodingError(.nonZeroTrailingBits, offset: dataLength - 1)
        }
        return output
    }
}
