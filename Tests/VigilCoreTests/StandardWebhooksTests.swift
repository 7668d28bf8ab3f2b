import Testing
@_spi(VigilInternal) import VigilCore

/// Vectors from standard-webhooks/standard-webhooks (Apache-2.0): `libraries/go/webhook_test.go`
/// `TestWebhookSign` and `libraries/python/tests/test_webhooks.py`, as pinned in
/// `shared/reference/anchors.md` B.1.
@Suite("StandardWebhooks wire format")
struct StandardWebhooksTests {
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
    let timestamp: Int64 = 1_614_265_330
    let body = Array(#"{"test": 2432232314}"#.utf8)
    let expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

    @Test func reproducesTheReferenceSignature() throws {
        let key = try StandardWebhooks.decodeSecret(secret)
        #expect(key.count == 24)
        #expect(StandardWebhooks.signature(id: id, timestamp: timestamp, body: body, keyed: HMACSHA256(key: key)) == expected)
    }

    @Test func secretsNeedingZeroOneOrTwoPaddingCharactersDecode() throws {
        // The reference tests use secrets whose base64 needs 0, 1 and 2 '=' (and have non-zero unused
        // bits); all must decode, with or without the prefix and surrounding whitespace.
        for text in ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr"] {
            #expect(throws: Never.self) { try StandardWebhooks.decodeSecret(text) }
            #expect(throws: Never.self) { try StandardWebhooks.decodeSecret(" whsec_\(text)\n") }
        }
        #expect(throws: Base64DecodingError.self) { try StandardWebhooks.decodeSecret("whsec_") }
        #expect(throws: Base64DecodingError.self) { try StandardWebhooks.decodeSecret("whsec_not*base64") }
    }

    @Test func headerParsingSkipsOtherVersionsAndGarbage() {
        let header = "v2,abc v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA= v1,%%% " + expected
        let signatures = StandardWebhooks.v1Signatures(inHeader: header)
        #expect(signatures.count == 2)
        #expect(signatures.last.map { "v1," + Base64.encode($0) } == expected)
    }

    @Test func messageIDHygiene() {
        #expect(StandardWebhooks.isValidMessageID(id))
        #expect(!StandardWebhooks.isValidMessageID("msg.1"))
        #expect(!StandardWebhooks.isValidMessageID(""))
        #expect(!StandardWebhooks.isValidMessageID("a b"))
        #expect(!StandardWebhooks.isValidMessageID(String(repeating: "a", count: 257)))
    }

    @Test func lenientBase64OnlyWhenAsked() throws {
        #expect(throws: Base64DecodingError.self) { try Base64.decode("Zh==") }
        #expect(try Base64.decode("Zh==", allowingNonZeroTrailingBits: true) == Array("f".utf8))
        #expect(throws: Base64DecodingError.self) { try Base64.decode("Z===", allowingNonZeroTrailingBits: true) }
    }
}
