import Testing
import VigilCore

@Suite("Crypto: Hex")
struct CryptoHexTests {
    @Test("encode: lowercase by default, uppercase on request")
    func encode() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff] as [UInt8]) == "000fa5ff")
        #expect(Hex.encode([0x00, 0x0f, 0xa5, 0xff] as [UInt8], uppercase: true) == "000FA5FF")
    }

    @Test("round trip of all byte values; decoding accepts either case")
    func roundTrip() throws {
        let all = (0...255).map { UInt8($0) }
        #expect(try Hex.decode(Hex.encode(all)) == all)
        #expect(try Hex.decode(Hex.encode(all, uppercase: true)) == all)
        #expect(try Hex.decode("DeadBEEF") == [0xde, 0xad, 0xbe, 0xef])
        #expect(try Hex.decode("") == [])
    }

    @Test("odd length fails with oddLength at the input length")
    func oddLength() {
        let error = #expect(throws: HexDecodingError.oddLength) { try Hex.decode("abc") }
        #expect(error?.offset == 3)
        #expect(error?.code == "oddLength")
    }

    @Test(
        "non-hex characters fail with invalidCharacter at their byte offset",
        arguments: [
            ("zz", 0), ("0g", 1), ("00 1", 2), ("0x00", 1), ("abz", 2), ("é0", 0), ("00\n", 2)
        ])
    func invalidCharacter(input: String, offset: Int) {
        let error = #expect(throws: HexDecodingError.invalidCharacter) { try Hex.decode(input) }
        #expect(error?.offset == offset)
    }

    @Test("errors name the code and offset but never the input")
    func errorDescription() {
        let secret = "5ec12e7_not_hex"
        let error = #expect(throws: HexDecodingError.self) { try Hex.decode(secret) }
        #expect(error?.description == "HexDecodingError.invalidCharacter at byte offset 7")
        #expect(error?.description.contains("5ec12e7") == false)
        #expect(HexDecodingError.invalidCharacter != HexDecodingError.oddLength)
    }
}
