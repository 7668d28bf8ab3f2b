import Foundation
import Testing
import VigilCore
import VigilEventSub
import VigilIdempotency

// Standard Webhooks vectors, pinned verbatim from the reference tests:
//   standard-webhooks/standard-webhooks libraries/python/tests/test_webhooks.py (test_sign_function,
//   test_invalid_signature_raises_error, test_multi_sig_payload_is_valid, test_old/new_timestamp_fails)
//   and libraries/go/webhook_test.go (TestWebhookSign); see shared/reference/anchors.md B.1.
private let swhSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
private let swhID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
private let swhTimestamp: Int64 = 1_614_265_330
private let swhBody = Array(#"{"test": 2432232314}"#.utf8)
private let swhSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

// Stripe-format vector: self-computed in anchors.md B.2 (not from Stripe).
private let stripeSecret = "whsec_test_secret"
private let stripeBody = Array(#"{"id":"evt_test","object":"event"}"#.utf8)
private let stripeHeader = "t=1700000000,v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724"

private func at(_ seconds: Int64) -> @Sendable () -> Date {
    { Date(timeIntervalSince1970: TimeInterval(seconds)) }
}

private func swhHeaders(
    signature: String = swhSignature, id: String = swhID,
    timestamp: String = String(swhTimestamp)
) -> HTTPFields {
    ["webhook-id": id, "webhook-timestamp": timestamp, "webhook-signature": signature]
}

func expectCode(
    _ code: WebhookVerificationError.Code, _ body: () throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        try body()
        Issue.record("expected \(code), got success", sourceLocation: sourceLocation)
    } catch let error as WebhookVerificationError {
        #expect(error.code == code, sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct StandardWebhooksVectorTests {
    let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret], now: at(swhTimestamp))

    @Test func signerReproducesThePinnedVector() throws {
        let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [swhSecret])
        #expect(signer.signature(body: swhBody, id: swhID, timestamp: swhTimestamp) == swhSignature)
        let headers = signer.sign(body: swhBody, id: swhID, timestamp: swhTimestamp)
        #expect(headers["webhook-signature"] == swhSignature)
        #expect(headers["webhook-id"] == swhID)
        #expect(headers["webhook-timestamp"] == "1614265330")
    }

    @Test func pinnedVectorVerifies() throws {
        let delivery = try verifier.verify(body: swhBody, headers: swhHeaders())
        #expect(delivery.id == swhID)
        #expect(delivery.timestamp == swhTimestamp)
        #expect(delivery.secretIndex == 0)
        #expect(!delivery.description.contains("g0hM9"))
    }

    @Test func secretWithoutPrefixVerifiesToo() throws {
        let bare = try WebhookVerifier(
            scheme: .standardWebhooks, secrets: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
            now: at(swhTimestamp))
        _ = try bare.verify(body: swhBody, headers: swhHeaders())
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        let headers: HTTPFields = [
            "Webhook-Id": swhID, "WEBHOOK-TIMESTAMP": String(swhTimestamp),
            "Webhook-Signature": swhSignature
        ]
        _ = try verifier.verify(body: swhBody, headers: headers)
    }

    @Test func wrongSignatureFails() {
        expectCode(.noMatchingSignature) {
            _ = try verifier.verify(
                body: swhBody,
                headers: swhHeaders(signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="))
        }
    }

    @Test func multiSignatureHeaderWithV2AndWrongV1EntriesVerifies() throws {
        let header = [
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            swhSignature,
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        ].joined(separator: " ")
        _ = try verifier.verify(body: swhBody, headers: swhHeaders(signature: header))
    }

    @Test func v2EntryWithTheRightMacIsNotAccepted() {
        let v2 = "v2," + swhSignature.dropFirst(3)
        expectCode(.noMatchingSignature) { _ = try verifier.verify(body: swhBody, headers: swhHeaders(signature: v2)) }
    }

    @Test(arguments: [
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",  // 32 chars: no padding needed
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",  // 31 chars: needs one '='
        "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr"  // 34 chars: needs two '='
    ])
    func secretsNeedingZeroOneOrTwoPaddingCharactersWork(secret: String) throws {
        for form in [secret, "whsec_" + secret] {
            let signer = try WebhookSigner(scheme: .standardWebhooks, secrets: [form])
            let verifier = try WebhookVerifier(scheme: .standardWebhooks, secrets: [form], now: at(swhTimestamp))
            let headers = signer.sign(body: swhBody, id: swhID, timestamp: swhTimestamp)
            _ = try verifier.verify(body: swhBody, headers: headers)
        }
        // Padded and unpadded spellings are the same key.
        let padding = String(repeating: "=", count: (4 - secret.count % 4) % 4)
        let a = try WebhookSigner(scheme: .standardWebhooks, secrets: [secret])
        let b = try WebhookSigner(scheme: .standardWebhooks, secrets: [secret + padding])
        #expect(a.signature(body: swhBody, id: swhID, timestamp: 1) == b.signature(body: swhBody, id: swhID, timestamp: 1))
    }

    @Test func timestampWindowIsInclusiveAt300AndFailsAt301BothWays() throws {
        for offset: Int64 in [-300, 0, 300] {
            let v = try WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret], now: at(swhTimestamp + offset))
            _ = try v.verify(body: swhBody, headers: swhHeaders())
        }
        let late = try WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret], now: at(swhTimestamp + 301))
        expectCode(.timestampTooOld) { _ = try late.verify(body: swhBody, headers: swhHeaders()) }
        let early = try WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret], now: at(swhTimestamp - 301))
        expectCode(.timestampTooNew) { _ = try early.verify(body: swhBody, headers: swhHeaders()) }
    }

    @Test func missingHeadersFail() {
        for name in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
            var headers = swhHeaders()
            headers[name] = nil
            expectCode(.missingHeaders) { _ = try verifier.verify(body: swhBody, headers: headers) }
            headers[name] = ""
            expectCode(.missingHeaders) { _ = try verifier.verify(body: swhBody, headers: headers) }
        }
    }

    @Test(arguments: [
        "hello", "1614265330.0", "-1614265330", "+1614265330", "01614265330", "1e9", " 1614265330",
        "16142653300000000"
    ])
    func nonIntegerTimestampsAreMalformed(timestamp: String) {
        expectCode(.malformedHeader) {
            _ = try verifier.verify(body: swhBody, headers: swhHeaders(timestamp: timestamp))
        }
    }

    @Test(arguments: ["msg.p5j", "msg p5j", "msg\u{7F}", String(repeating: "a", count: 257), "msg_é"])
    func idsWithDotsOrOddCharactersAreMalformed(id: String) {
        expectCode(.malformedHeader) { _ = try verifier.verify(body: swhBody, headers: swhHeaders(id: id)) }
    }

    @Test func tamperedBodyIdOrTimestampFails() throws {
        var body = swhBody
        body[body.count - 2] ^= 1
        expectCode(.noMatchingSignature) { _ = try verifier.verify(body: body, headers: swhHeaders()) }
        expectCode(.noMatchingSignature) { _ = try verifier.verify(body: Array(swhBody.dropLast()), headers: swhHeaders()) }
        expectCode(.noMatchingSignature) { _ = try verifier.verify(body: swhBody, headers: swhHeaders(id: "msg_other")) }
        expectCode(.noMatchingSignature) {
            _ = try verifier.verify(body: swhBody, headers: swhHeaders(timestamp: String(swhTimestamp + 1)))
        }
    }

    @Test func garbageSignatureEntriesAreSkippedNotFatal() {
        for header in ["v1", "v1,", "v1,!!!!", "v1,AAAA", ",", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE"] {
            // The last one is the right MAC without padding: accepted by the lenient decoder? It must
            // either verify or fail with noMatchingSignature, never crash.
            do {
                _ = try verifier.verify(body: swhBody, headers: swhHeaders(signature: header))
            } catch {
                #expect(error.code == .noMatchingSignature)
            }
        }
    }

    @Test func oversizedSignatureListsAreRefused() {
        let many = Array(repeating: "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", count: 17).joined(separator: " ")
        expectCode(.malformedHeader) { _ = try verifier.verify(body: swhBody, headers: swhHeaders(signature: many)) }
        let huge = "v1," + String(repeating: "A", count: 5000)
        expectCode(.malformedHeader) { _ = try verifier.verify(body: swhBody, headers: swhHeaders(signature: huge)) }
    }
}

@Suite struct RotationAndSecretTests {
    @Test func eitherActiveSecretVerifiesAndTheIndexSaysWhich() throws {
        let old = "whsec_" + Base64.encode(Array(repeating: UInt8(1), count: 32))
        let new = "whsec_" + Base64.encode(Array(repeating: UInt8(2), count: 32))
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secrets: [new, old], now: at(swhTimestamp))
        let byOld = try WebhookSigner(scheme: .standardWebhooks, secrets: [old]).sign(body: swhBody, id: swhID, timestamp: swhTimestamp)
        let byNew = try WebhookSigner(scheme: .standardWebhooks, secrets: [new]).sign(body: swhBody, id: swhID, timestamp: swhTimestamp)
        let byBoth = try WebhookSigner(scheme: .standardWebhooks, secrets: [old, new]).sign(body: swhBody, id: swhID, timestamp: swhTimestamp)
        #expect(try verifier.verify(body: swhBody, headers: byOld).secretIndex == 1)
        #expect(try verifier.verify(body: swhBody, headers: byNew).secretIndex == 0)
        #expect(byBoth["webhook-signature"]!.split(separator: " ").count == 2)
        #expect(try verifier.verify(body: swhBody, headers: byBoth).secretIndex == 0)
        let retired = try WebhookVerifier(scheme: .standardWebhooks, secrets: [new], now: at(swhTimestamp))
        expectCode(.noMatchingSignature) { _ = try retired.verify(body: swhBody, headers: byOld) }
    }

    @Test func emptyAndMalformedSecretsAreRefusedWithoutEchoingThem() {
        for secret in ["", "whsec_", "   \n", "whsec_ \n"] {
            expectCode(.emptySecret) { _ = try WebhookSecret.standardWebhooks(secret) }
        }
        expectCode(.emptySecret) { _ = try WebhookSecret.stripeStyle(" \n") }
        do {
            _ = try WebhookSecret.standardWebhooks("whsec_not*base64!SECRETVALUE")
            Issue.record("expected malformedSecret")
        } catch {
            #expect(error.code == .malformedSecret)
            #expect(!error.description.contains("SECRETVALUE"))
        }
        expectCode(.noSecrets) { _ = try WebhookVerifier(scheme: .standardWebhooks, secrets: [String]()) }
        expectCode(.noSecrets) { _ = try WebhookSigner(scheme: .standardWebhooks, secrets: [String]()) }
    }

    @Test func trailingNewlineInASecretIsTrimmed() throws {
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret + "\n"], now: at(swhTimestamp))
        _ = try verifier.verify(body: swhBody, headers: swhHeaders())
    }

    @Test func secretsNeverPrint() throws {
        let secret = try WebhookSecret.standardWebhooks(swhSecret)
        #expect("\(secret)" == "WebhookSecret(<redacted>)")
        var dumped = ""
        dump(secret, to: &dumped)
        #expect(!dumped.contains("MfKQ"))
    }
}

@Suite struct StripeStyleTests {
    let verifier = try! WebhookVerifier(scheme: .stripeStyle(), secrets: [stripeSecret], now: at(1_700_000_000))

    @Test func selfComputedVectorVerifiesAndIsReproduced() throws {
        _ = try verifier.verify(body: stripeBody, headers: ["Stripe-Signature": stripeHeader])
        let signer = try WebhookSigner(scheme: .stripeStyle(), secrets: [stripeSecret])
        #expect(signer.signature(body: stripeBody, id: "", timestamp: 1_700_000_000) == stripeHeader)
    }

    @Test func keyIsTheWholeSecretStringNotBase64() throws {
        // The same string read as a Standard Webhooks secret is a different key.
        let swh = try WebhookSigner(scheme: .standardWebhooks, secrets: ["whsec_dGVzdF9zZWNyZXQ="])
        let signed = swh.signature(body: stripeBody, id: "x", timestamp: 1_700_000_000)
        #expect(!signed.contains("8042376f"))
    }

    @Test func otherSchemesAndWrongV1AreSkipped() throws {
        let header =
            "t=1700000000,v0=00,v1=" + String(repeating: "ab", count: 32)
            + ",v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724,foo=bar"
        _ = try verifier.verify(body: stripeBody, headers: ["stripe-signature": header])
    }

    @Test func failures() throws {
        expectCode(.missingHeaders) { _ = try verifier.verify(body: stripeBody, headers: [:]) }
        expectCode(.malformedHeader) {
            _ = try verifier.verify(
                body: stripeBody, headers: ["Stripe-Signature": "v1=8042376f6ca064adbe037642a718227dfd59047137eb49497a54c49eb0cfb724"])
        }
        expectCode(.malformedHeader) {
            _ = try verifier.verify(body: stripeBody, headers: ["Stripe-Signature": "t=1700000000,t=1700000000," + stripeHeader.dropFirst(13)])
        }
        expectCode(.malformedHeader) { _ = try verifier.verify(body: stripeBody, headers: ["Stripe-Signature": "t=17e8,v1=00"]) }
        expectCode(.noMatchingSignature) { _ = try verifier.verify(body: stripeBody, headers: ["Stripe-Signature": "t=1700000000"]) }
        expectCode(.noMatchingSignature) {
            _ = try verifier.verify(body: stripeBody + [0x20], headers: ["Stripe-Signature": stripeHeader])
        }
    }

    @Test func bothDirectionsOfTheWindowAreCheckedUnlikeStripesLibraries() throws {
        let late = try WebhookVerifier(scheme: .stripeStyle(), secrets: [stripeSecret], now: at(1_700_000_301))
        expectCode(.timestampTooOld) { _ = try late.verify(body: stripeBody, headers: ["Stripe-Signature": stripeHeader]) }
        let early = try WebhookVerifier(scheme: .stripeStyle(), secrets: [stripeSecret], now: at(1_699_999_699))
        expectCode(.timestampTooNew) { _ = try early.verify(body: stripeBody, headers: ["Stripe-Signature": stripeHeader]) }
    }

    @Test func customHeaderName() throws {
        let custom = try WebhookVerifier(
            scheme: .stripeStyle(header: "X-Vigil-Signature"), secrets: [stripeSecret],
            now: at(1_700_000_000))
        _ = try custom.verify(body: stripeBody, headers: ["x-vigil-signature": stripeHeader])
        expectCode(.missingHeaders) { _ = try custom.verify(body: stripeBody, headers: ["Stripe-Signature": stripeHeader]) }
    }
}

@Suite struct ReplayGuardTests {
    @Test func aDeliveryIsAdmittedOnceWithinTheRetention() async throws {
        let wall = WallClock(seconds: swhTimestamp)
        let store = InMemoryIdempotencyStore(now: wall.read)
        let guardian = WebhookReplayGuard(store: store, retention: .seconds(600))
        let verifier = try WebhookVerifier(scheme: .standardWebhooks, secrets: [swhSecret], now: wall.read)
        _ = try await verifier.verify(body: swhBody, headers: swhHeaders(), replayGuard: guardian)
        do {
            _ = try await verifier.verify(body: swhBody, headers: swhHeaders(), replayGuard: guardian)
            Issue.record("expected replayed")
        } catch {
            #expect(error.code == .replayed)
            #expect(!error.description.contains(swhID))
        }
        // After the retention the id is forgotten — but by then the timestamp is far outside the window.
        wall.advance(601)
        do {
            _ = try await verifier.verify(body: swhBody, headers: swhHeaders(), replayGuard: guardian)
            Issue.record("expected timestampTooOld")
        } catch {
            #expect(error.code == .timestampTooOld)
        }
    }

    @Test func stripeReplaysAreKeyedByTimestampAndSignature() async throws {
        let store = InMemoryIdempotencyStore(now: at(1_700_000_000))
        let guardian = WebhookReplayGuard(store: store)
        let verifier = try WebhookVerifier(scheme: .stripeStyle(), secrets: [stripeSecret], now: at(1_700_000_000))
        let delivery = try verifier.verify(body: stripeBody, headers: ["Stripe-Signature": stripeHeader])
        #expect(delivery.id == nil)
        #expect(delivery.replayKey.hasPrefix("stripe:1700000000:"))
        try await guardian.admit(delivery)
        await #expect(throws: WebhookVerificationError(code: .replayed, detail: "")) { try await guardian.admit(delivery) }
    }
}

/// A settable wall clock for tests (no sleeping).
final class WallClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(seconds: Int64) { value = Date(timeIntervalSince1970: TimeInterval(seconds)) }
    func advance(_ seconds: Int64) { lock.withLock { value += TimeInterval(seconds) } }
    var read: @Sendable () -> Date { { [self] in lock.withLock { value } } }
}
