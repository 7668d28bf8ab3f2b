import Testing
@_spi(VigilInternal) import VigilCore

@testable import VigilCore

/// An RFC 4231 test case.
struct HMACVector: Sendable, CustomTestStringConvertible {
    let testCase: Int
    let key: [UInt8]
    let data: [UInt8]
    /// Expected HMAC-SHA-256; for test case 5 only the first 128 bits.
    let mac: String
    var testDescription: String { "RFC 4231 test case \(testCase)" }
}

// Source: RFC 4231 "Identifiers and Test Vectors for HMAC-SHA-224, HMAC-SHA-256, HMAC-SHA-384,
// and HMAC-SHA-512", §4.2–4.8 (HMAC-SHA-256 rows), verbatim.
let rfc4231Vectors: [HMACVector] = [
    HMACVector(
        testCase: 1,
        key: [UInt8](repeating: 0x0b, count: 20),
        data: Array("Hi There".utf8),
        mac: "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    ),
    HMACVector(
        testCase: 2,
        key: Array("Jefe".utf8),
        data: Array("what do ya want for nothing?".utf8),
        mac: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    ),
    HMACVector(
        testCase: 3,
        key: [UInt8](repeating: 0xaa, count: 20),
        data: [UInt8](repeating: 0xdd, count: 50),
        mac: "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"
    ),
    HMACVector(
        testCase: 4,
        key: Array(0x01...0x19),
        data: [UInt8](repeating: 0xcd, count: 50),
        mac: "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"
    ),
    HMACVector(
        testCase: 5,
        key: [UInt8](repeating: 0x0c, count: 20),
        data: Array("Test With Truncation".utf8),
        mac: "a3b6167473100ee06e0c796c2955552b"
    ),
    HMACVector(
        testCase: 6,
        key: [UInt8](repeating: 0xaa, count: 131),
        data: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
        mac: "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    ),
    HMACVector(
        testCase: 7,
        key: [UInt8](repeating: 0xaa, count: 131),
        data: Array(
            ("This is a test using a larger than block-size key and a larger than block-size data. "
                + "The key needs to be hashed before being used by the HMAC algorithm.").utf8
        ),
        mac: "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"
    )
]

@Suite("Crypto: HMAC-SHA256")
struct CryptoHMACSHA256Tests {
    @Test("RFC 4231 test cases 1–7", arguments: rfc4231Vectors)
    func rfc4231(vector: HMACVector) throws {
        let mac = HMACSHA256.authenticationCode(for: vector.data, key: vector.key)
        let expected = try Hex.decode(vector.mac)
        // Test case 5 publishes only the first 128 bits.
        #expect(Array(mac.bytes.prefix(expected.count)) == expected)
        #expect(mac.hex.hasPrefix(vector.mac))
        if vector.testCase != 5 {
            #expect(HMACSHA256.isValid(expected, for: vector.data, key: vector.key))
        }

        var incremental = HMACSHA256(key: vector.key)
        for byte in vector.data { incremental.update([byte]) }
        #expect(incremental.finalize() == mac)
    }

    @Test("String message overloads equal the UTF-8 bytes")
    func stringMessages() {
        let key = Array("Jefe".utf8)
        let expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        #expect(HMACSHA256.authenticationCode(for: "what do ya want for nothing?", key: key).hex == expected)
        var mac = HMACSHA256(key: key)
        mac.update("what do ya ")
        mac.update(Array("want for ".utf8)[...])
        "nothing?".utf8.withContiguousStorageIfAvailable { mac.update(UnsafeRawBufferPointer($0)) }
        #expect(mac.finalize().hex == expected)
    }

    @Test("Incremental equals one-shot at every split point of a 200-byte message")
    func everySplitPoint() {
        let key = patternBytes(32, multiplier: 5, offset: 3)
        let message = patternBytes(200)
        let expected = HMACSHA256.authenticationCode(for: message, key: key)
        let keyed = HMACSHA256(key: key)
        for split in 0...message.count {
            var mac = keyed
            mac.update(message[..<split])
            mac.update(message[split...])
            #expect(mac.finalize() == expected, "split at \(split)")
        }
    }

    @Test("Every key length 0...130 (block-size boundary, hashed keys) matches Python hmac")
    func everyKeyLength() {
        // Pinned with Python 3 `hmac` + `hashlib.sha256`: SHA-256 over the concatenated HMACs of
        // "Vigil" under keys patternBytes(n, multiplier: 13, offset: 1) for n = 0...130.
        var all = SHA256Hasher()
        for length in 0...130 {
            let key = patternBytes(length, multiplier: 13, offset: 1)
            all.update(HMACSHA256.authenticationCode(for: "Vigil", key: key))
            // Non-contiguous key sequences take the byte-by-byte path and must agree.
            #expect(
                HMACSHA256.authenticationCode(for: "Vigil", key: key.lazy.map { $0 })
                    == HMACSHA256.authenticationCode(for: "Vigil", key: key)
            )
        }
        #expect(all.finalize().hex == "4b9020d6aae0ae261af14f5542c550f923b90b1d423dcabebd33f8adbe4de471")
    }

    @Test("Other independent values (Python hmac)")
    func otherValues() {
        #expect(
            HMACSHA256.authenticationCode(for: "The quick brown fox jumps over the lazy dog", key: Array("key".utf8)).hex
                == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        )
        #expect(
            HMACSHA256.authenticationCode(for: [UInt8](), key: [UInt8]()).hex
                == "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        )
    }

    @Test("A keyed value can be reused: each copy authenticates one message")
    func keyedTemplateReuse() {
        let keyed = HMACSHA256(key: Array("secret".utf8))
        for message in ["a", "bb", String(repeating: "c", count: 300)] {
            var mac = keyed
            mac.update(message)
            #expect(mac.finalize() == HMACSHA256.authenticationCode(for: message, key: Array("secret".utf8)))
        }
    }

    @Test("isValid: accepts the right MAC, rejects a changed byte, a truncated or a longer MAC")
    func isValid() {
        let key = Array("webhook-secret".utf8)
        let message = Array(#"{"event":"recording.ready"}"#.utf8)
        let mac = HMACSHA256.authenticationCode(for: message, key: key).bytes
        #expect(HMACSHA256.isValid(mac, for: message, key: key))
        #expect(HMACSHA256.isValid(mac[...], for: message, key: key))

        var firstChanged = mac
        firstChanged[0] ^= 0x01
        var lastChanged = mac
        lastChanged[31] ^= 0x80
        #expect(!HMACSHA256.isValid(firstChanged, for: message, key: key))
        #expect(!HMACSHA256.isValid(lastChanged, for: message, key: key))
        #expect(!HMACSHA256.isValid(mac.prefix(16), for: message, key: key))
        #expect(!HMACSHA256.isValid([UInt8](), for: message, key: key))
        #expect(!HMACSHA256.isValid(mac + [0], for: message, key: key))
        #expect(!HMACSHA256.isValid(mac, for: message + [0], key: key))
        #expect(!HMACSHA256.isValid(mac, for: message, key: key + [1]))
        // RFC 2104 zero-pads short keys, so trailing zero bytes do not change the key.
        #expect(HMACSHA256.isValid(mac, for: message, key: key + [0]))
    }

    @Test("description and mirror do not reveal key-derived state")
    func redaction() {
        let mac = HMACSHA256(key: Array("top secret".utf8))
        #expect(String(describing: mac) == "HMACSHA256(<redacted>)")
        #expect(String(reflecting: mac) == "HMACSHA256(<redacted>)")
        #expect(Mirror(reflecting: mac).children.isEmpty)
        var dumped = ""
        dump(mac, to: &dumped)
        #expect(!dumped.contains("inner"))
        #expect(!dumped.contains("outer"))
    }
}
