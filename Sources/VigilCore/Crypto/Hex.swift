/// Hexadecimal (base 16) encoding of bytes.
public enum Hex {
    /// Encodes `bytes` as two hexadecimal digits per byte, lowercase unless `uppercase` is `true`.
    public static func encode(_ bytes: some Sequence<UInt8>, uppercase: Bool = false) -> String {
        let digits: StaticString = uppercase ? "0123456789ABCDEF" : "0123456789abcdef"
        var output: [UInt8] = []
        output.reserveCapacity(bytes.underestimatedCount * 2)
        digits.withUTF8Buffer { table in
            for byte in bytes {
                output.append(table[Int(byte &>> 4)])
                output.append(table[Int(byte & 0x0f)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a string of hexadecimal digits (upper- or lowercase, may be mixed) into bytes.
    ///
    /// The string must consist of hexadecimal digits only, an even number of them: no `0x` prefix,
    /// separators or whitespace. The empty string decodes to no bytes.
    ///
    /// - Throws: ``HexDecodingError/invalidCharacter`` for a non-hex character (the error's offset
    ///   is its UTF-8 byte offset) and ``HexDecodingError/oddLength`` for an odd number of digits.
    public static func decode(_ string: String) throws(HexDecodingError) -> [UInt8] {
        var string = string
        // `withUTF8` is `rethrows` (untyped), so carry the typed error out in a `Result`.
        let result = string.withUTF8 { input in
            Result { () throws(HexDecodingError) -> [UInt8] in try decode(input) }
        }
        return try result.get()
    }

    private static func decode(_ input: UnsafeBufferPointer<UInt8>) throws(HexDecodingError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 2)
        var index = 0
        while index + 1 < input.count {
            let high = try nibble(input[index], at: index)
            let low = try nibble(input[index + 1], at: index + 1)
            output.append(high << 4 | low)
            index += 2
        }
        if index < input.count {
            // Report a bad final character before the odd length it also causes.
            _ = try nibble(input[index], at: index)
            throw HexDecodingError(.oddLength, offset: input.count)
        }
        return output
    }

    private static func nibble(_ character: UInt8, at offset: Int) throws(HexDecodingError) -> UInt8 {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character &- UInt8(ascii: "a") &+ 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character &- UInt8(ascii: "A") &+ 10
        default: throw HexDecodingError(.invalidCharacter, offset: offset)
        }
    }
}
