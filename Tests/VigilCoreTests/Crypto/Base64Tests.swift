import Testing
import VigilCore

// Source: RFC 4648 "The Base16, Base32, and Base64 Data Encodings", §10 (Test Vectors), BASE64.
let rfc4648Vectors: [(String, String)] = [
    ("", ""),
    ("f", "Zg=="),
    ("fo", "Zm8="),
    ("foo", "Zm9v"),
    ("foob", "Zm9vYg=="),
    ("fooba", "Zm9vYmE="),
    ("foobar", "Zm9vYmFy")
]

@Suite("Crypto: Base64")
struct CryptoBase64Tests {
    @Test("RFC 4648 §10 vectors encode and decode", arguments: rfc4648Vectors)
    func rfc4648(plain: String, encoded: String) throws {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(try Base64.decode(encoded) == Array(plain.utf8))
        // Unpadded form decodes to the same bytes.
        let unpadded = String(encoded.prefix { $0 != "=" })
        #expect(Base64.encode(Array(plain.utf8), padding: false) == unpadded)
        #expect(try Base64.decode(unpadded) == Array(plain.utf8))
    }

    @Test("URL-safe alphabet: 0xfb 0xff round trips in both alphabets, padded and unpadded")
    func urlSafe() throws {
        let bytes: [UInt8] = [0xfb, 0xff]
        #expect(Base64.encode(bytes) == "+/8=")
        #expect(Base64.encode(bytes, alphabet: .urlSafe) == "-_8=")
        #expect(Base64.encode(bytes, alphabet: .urlSafe, padding: false) == "-_8")
        for text in ["+/8=", "+/8", "-_8=", "-_8"] {
            #expect(try Base64.decode(text) == bytes, "\(text)")
        }
        let more: [UInt8] = [0xfb, 0xef, 0xbe, 0xfb, 0xff]
        #expect(try Base64.decode(Base64.encode(more, alphabet: .urlSafe, padding: false)) == more)
    }

    @Test("round trip of every length 0...70 in both alphabets, with and without padding")
    func roundTrips() throws {
        for length in 0...70 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 97 &+ 200) }
            for alphabet in [Base64.Alphabet.standard, .urlSafe] {
                for padding in [true, false] {
                    let text = Base64.encode(bytes, alphabet: alphabet, padding: padding)
                    #expect(try Base64.decode(text) == bytes)
                    #expect(Base64.encode(bytes.lazy.map { $0 }, alphabet: alphabet, padding: padding) == text)
                }
            }
        }
    }

    @Test(
        "malformed input fails with the right code and offset",
        arguments: [
            ("Zm9v!", "invalidCharacter", 4),
            ("Zm 9v", "invalidCharacter", 2),
            ("Zm9v\n", "invalidCharacter", 4),
            ("Zm9v\r\nYmFy", "invalidCharacter", 4),
            ("Zm9vYmFyé", "invalidCharacter", 8),
            ("Zm9vY", "invalidLength", 5),
            ("Z", "invalidLength", 1),
            ("Zm9vY===", "invalidPadding", 5),
            ("Zg==Zg==", "invalidPadding", 2),
            ("Zm=v", "invalidPadding", 2),
            ("Zg=", "invalidPadding", 2),
            ("Zg===", "invalidPadding", 2),
            ("=", "invalidPadding", 0),
            ("====", "invalidPadding", 0),
            ("+/-_", "mixedAlphabets", 2),
            ("ab_+", "mixedAlphabets", 3),
            ("Zh==", "nonZeroTrailingBits", 1),
            ("Zm9=", "nonZeroTrailingBits", 2),
            ("Zh", "nonZeroTrailingBits", 1)
        ])
    func malformed(input: String, code: String, offset: Int) {
        let error = #expect(throws: Base64DecodingError.self) { try Base64.decode(input) }
        #expect(error?.code == code)
        #expect(error?.offset == offset)
    }

    @Test("static error values match thrown errors by code")
    func staticValues() {
        #expect(throws: Base64DecodingError.invalidCharacter) { try Base64.decode("a b=") }
        #expect(throws: Base64DecodingError.invalidLength) { try Base64.decode("abcde") }
        #expect(throws: Base64DecodingError.invalidPadding) { try Base64.decode("a=bc") }
        #expect(throws: Base64DecodingError.mixedAlphabets) { try Base64.decode("a+b_") }
        #expect(throws: Base64DecodingError.nonZeroTrailingBits) { try Base64.decode("Zh==") }
        #expect(Base64DecodingError.invalidLength.code == "invalidLength")
        #expect(Base64DecodingError.invalidLength != Base64DecodingError.invalidPadding)
    }

    @Test("errors never contain the input")
    func errorDescription() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw!"
        let error = #expect(throws: Base64DecodingError.self) { try Base64.decode(secret) }
        #expect(error?.description == "Base64DecodingError.invalidCharacter at byte offset 38")
        #expect(error?.description.contains("MfKQ9r8") == false)
    }
}
