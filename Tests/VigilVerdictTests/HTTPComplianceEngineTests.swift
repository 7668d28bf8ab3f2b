import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("Standard Webhooks signing core")
struct SigningTests {
    /// Vector from the Standard Webhooks reference tests (anchors B.1: python `test_sign_function`,
    /// go `TestWebhookSign`).
    @Test func referenceVector() throws {
        let secret = try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = StandardWebhooksV1.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
            body: body, secret: secret)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(
            StandardWebhooksV1.verify(
                header: signature, id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                timestamp: 1_614_265_330, body: body, secrets: [secret]))
        // Negative vector: last character changed.
        #expect(
            !StandardWebhooksV1.verify(
                header: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                body: body, secrets: [secret]))
        // A multi-signature header with a v2 entry and a wrong v1 entry still verifies via the good one.
        #expect(
            StandardWebhooksV1.verify(
                header: "v2,abc v1,Zm9v \(signature)", id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                timestamp: 1_614_265_330, body: body, secrets: [secret]))
        // Rotation: the second secret matches.
        #expect(
            StandardWebhooksV1.verify(
                header: signature, id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
                timestamp: 1_614_265_330, body: body, secrets: [Fixture.otherSecret, secret]))
    }

    @Test func secretParsing() throws {
        // Secrets needing 0, 1 or 2 '=' of padding all parse (as in the reference tests), including
        // non-canonical trailing bits, which the reference libraries accept.
        _ = try VerdictSigningSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBr")  // 25 bytes, 2 missing
        _ = try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBrA")  // 26 bytes, 1 missing
        _ = try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwBrB")  // non-zero trailing bits
        // The reference suite's 23-byte "…LaLaS" is below the spec's 24-byte minimum: refused.
        #expect(throws: VerdictSignatureError.self) { try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS") }
        _ = try VerdictSigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n")
        for bad in ["", "whsec_", "whsec_!!!!", "whsec_c2hvcnQ="] {
            #expect(throws: VerdictSignatureError.self) { try VerdictSigningSecret(bad) }
        }
        #expect(Fixture.secret.description == "VerdictSigningSecret(<redacted>)")
        #expect(!String(reflecting: Fixture.secret).contains("MfKQ"))
        #expect(try VerdictSigningSecret(Fixture.secret.serialized) == Fixture.secret)
    }
}

@Suite("HTTPComplianceEngine: request building")
struct EngineRequestTests {
    @Test func signedVersionedRequestWithCorrelationAndTimeout() throws {
        let clock = TestClock()
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock, timeout: .seconds(7)),
            transport: StubTransport(status: 200))
        let request = Fixture.request(clock: clock)
        let (head, body) = try engine.prepare(request)
        #expect(head.method == .post)
        #expect(head.url == Fixture.endpoint)
        #expect(head.timeout == .seconds(7))
        #expect(head.headerFields["Content-Type"] == "application/json")
        #expect(head.headerFields["X-Correlation-Id"] == "evt-sub-req-8847291")
        #expect(head.headerFields["webhook-id"] == "msg_test1")
        let timestamp = try #require(head.headerFields["webhook-timestamp"])
        #expect(timestamp == String(Int64(clock.wallNow.timeIntervalSince1970)))
        let signature = try #require(head.headerFields["webhook-signature"])
        #expect(
            StandardWebhooksV1.verify(
                header: signature, id: "msg_test1", timestamp: Int64(timestamp)!,
                body: body, secrets: [Fixture.secret]))
        #expect(!head.headerFields.description.contains(signature))  // redacted in logs
        let sent = try VigilJSON.decode(ComplianceRequest.self, from: body)
        #expect(sent.schemaVersion == VigilSchema.currentVersion)
        #expect(sent.correlationId == request.correlationId)
        #expect(sent.recordingId == request.recordingId)
    }

    /// The request carries no raw PII: every key of the encoded JSON is from the fixed, PII-free schema,
    /// and every string value is an id, a URL, a date, an enum, a language tag or a pseudonymous token.
    @Test func requestJSONHasNoPIIFields() throws {
        let clock = TestClock()
        var request = Fixture.request(clock: clock)
        request.metadata?.tokens = ["caller": PseudonymousToken("tok_caller_8f3a9c")!]
        // A fixed id: a random one held a 9-digit run now and then, which the scanner reads as an SSN.
        request.metadata?.queueId = GenesysID("5e4d3c2b-1a0b-4cf7-a6b5-c4d3e2f1a0b9")!
        request.callbackUrl = URL(string: "https://vigil.example.com/callbacks/verdict")
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock),
            transport: StubTransport(status: 200))
        let (_, body) = try engine.prepare(request)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(
            Set(json.keys) == [
                "schemaVersion", "correlationId", "recordingId", "conversationId", "media",
                "metadata", "callbackUrl", "requestedAt"
            ])
        let metadata = try #require(json["metadata"] as? [String: Any])
        #expect(
            Set(metadata.keys).isSubset(of: [
                "channel", "direction", "mediaSubtype", "durationMs", "language",
                "divisionId", "queueId", "tokens"
            ]))
        #expect(Set((json["media"] as? [String: Any] ?? [:]).keys) == ["uri", "expiresAt", "format"])
        // No free text: the detectors find nothing in the whole body.
        #expect(DigitRunPIIScanner().scan(String(decoding: body, as: UTF8.self)).isEmpty)
    }

    @Test func mediaLinkExpiryIsClampedToThePlatformLifetime() throws {
        let clock = TestClock()
        let request = Fixture.request(clock: clock, expiresIn: 7_200)  // claims 2 h
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock),
            transport: StubTransport(status: 200))
        let (_, body) = try engine.prepare(request)
        let sent = try VigilJSON.decode(ComplianceRequest.self, from: body)
        #expect(abs(sent.media.expiresAt.timeIntervalSince(clock.wallNow) - 3_600) < 0.01)

        // A configured lower lifetime wins; a higher one is clamped to 60 min.
        let shorter = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock, maxLifetime: .seconds(900)),
            transport: StubTransport(status: 200))
        let (_, shortBody) = try shorter.prepare(request)
        #expect(
            abs(
                try VigilJSON.decode(ComplianceRequest.self, from: shortBody).media.expiresAt
                    .timeIntervalSince(clock.wallNow) - 900) < 0.01)
        #expect(Fixture.engineConfiguration(clock: clock, maxLifetime: .seconds(86_400)).maxMediaLinkLifetime == .seconds(3_600))
    }

    @Test func expiredOrInsecureMediaLinksAreRefusedBeforeSending() async throws {
        let clock = TestClock()
        let transport = StubTransport(status: 200, body: Fixture.verdictJSON())
        let engine = HTTPComplianceEngine(configuration: Fixture.engineConfiguration(clock: clock), transport: transport)
        for expiresIn in [-10.0, 0, 60] {  // expired, expiring now, within the 2-minute minimum
            await #expect { try await engine.evaluate(Fixture.request(clock: clock, expiresIn: expiresIn)) } throws: {
                ($0 as? ComplianceEngineError)?.code == .mediaLinkExpired
            }
        }
        await #expect { try await engine.evaluate(Fixture.request(clock: clock, mediaURL: "http://media.example.com/a.wav")) } throws: {
            ($0 as? ComplianceEngineError)?.code == .mediaLinkInsecure
        }
        await #expect { try await engine.evaluate(Fixture.request(clock: clock, mediaURL: "https://u:p@media.example.com/a.wav")) } throws: {
            ($0 as? ComplianceEngineError)?.code == .mediaLinkInsecure
        }
        #expect(transport.sent.isEmpty)
        #expect(EngineFailure.requeueDelay(for: ComplianceEngineError(code: .mediaLinkExpired, detail: "")) == .zero)
        #expect(
            FailureClass(ComplianceEngineError(code: .mediaLinkExpired, detail: "")) == .transient(suggestedDelay: .zero),
            "the error type, not its callers, says an expired link is asked for again at once")
        #expect(EngineFailure.requeueDelay(for: ComplianceEngineError(code: .mediaLinkInsecure, detail: "")) == nil)
        #expect(EngineFailure.requeueDelay(for: CancellationError()) == nil)
    }

    @Test func nonHTTPSEndpointIsAConfigurationError() {
        let clock = TestClock()
        var configuration = Fixture.engineConfiguration(clock: clock)
        configuration.endpoint = URL(string: "http://engine.example.com/v1")!
        let engine = HTTPComplianceEngine(configuration: configuration, transport: StubTransport(status: 200))
        #expect { try engine.prepare(Fixture.request(clock: clock)) } throws: {
            ($0 as? ComplianceEngineError)?.code == .invalidConfiguration
        }
        configuration.endpoint = URL(string: "http://127.0.0.1:8080/v1")!
        #expect(throws: Never.self) {
            try HTTPComplianceEngine(configuration: configuration, transport: StubTransport(status: 200)).prepare(Fixture.request(clock: clock))
        }
    }
}

@Suite("HTTPComplianceEngine: strict replies")
struct EngineReplyTests {
    func evaluate(_ transport: StubTransport, clock: TestClock = TestClock()) async throws -> EngineReply {
        let engine = HTTPComplianceEngine(configuration: Fixture.engineConfiguration(clock: clock), transport: transport)
        return try await engine.evaluate(Fixture.request(clock: clock))
    }

    func engineError(_ transport: StubTransport) async -> ComplianceEngineError? {
        do {
            _ = try await evaluate(transport)
            return nil
        } catch {
            return error as? ComplianceEngineError
        }
    }

    @Test func ok200WithVerdict() async throws {
        let reply = try await evaluate(StubTransport(status: 200, body: Fixture.verdictJSON()))
        #expect(reply == .verdict(Fixture.verdict()))
    }

    @Test func accepted202WithAndWithoutBody() async throws {
        #expect(try await evaluate(StubTransport(status: 202)) == .accepted(expectedBy: nil))
        let body = Array(#"{"correlationId":"evt-sub-req-8847291","expectedBy":"2026-05-01T10:05:00Z"}"#.utf8)
        let reply = try await evaluate(StubTransport(status: 202, body: body))
        #expect(reply == .accepted(expectedBy: try Date("2026-05-01T10:05:00Z", strategy: .iso8601)))
        let wrong = Array(#"{"correlationId":"someone-else"}"#.utf8)
        let error = await engineError(StubTransport(status: 202, body: wrong))
        #expect(error?.code == .malformedReply)
        #expect(error?.path == "correlationId")
    }

    @Test func rateLimitedAndServerErrorsAreRetryableWithRetryAfter() async {
        let limited = await engineError(StubTransport(status: 429, headers: ["Retry-After": "17"]))
        #expect(limited?.code == .rateLimited)
        #expect(limited?.retryAfter == .seconds(17))
        #expect(limited?.isRetryable == true)
        #expect(EngineFailure.requeueDelay(for: limited!) == .seconds(17))

        for status in [500, 502, 503, 504] {
            let error = await engineError(StubTransport(status: status, headers: ["Retry-After": "5"]))
            #expect(error?.code == .unavailable)
            #expect(error?.status == status)
            #expect(error?.retryAfter == .seconds(5))
            #expect(error?.isRetryable == true)
        }
        let noHeader = await engineError(StubTransport(status: 503))
        #expect(noHeader?.retryAfter == nil)
        #expect(EngineFailure.requeueDelay(for: noHeader!, fallback: .seconds(9)) == .seconds(9))
    }

    @Test func clientErrorsArePermanent() async {
        for status in [400, 401, 403, 404, 409, 422] {
            let error = await engineError(StubTransport(status: status))
            #expect(error?.code == .rejected)
            #expect(error?.isRetryable == false)
            #expect(EngineFailure.requeueDelay(for: error!) == nil)
        }
        for status in [201, 204, 301, 302] {
            #expect(await engineError(StubTransport(status: status))?.code == .unexpectedStatus)
        }
    }

    @Test func malformedVerdictNamesTheFieldPath() async {
        var json = String(decoding: Fixture.verdictJSON(), as: UTF8.self)
        json = json.replacingOccurrences(of: "0.94", with: "1.5")
        let range = await engineError(StubTransport(status: 200, body: Array(json.utf8)))
        #expect(range?.code == .malformedReply)
        #expect(range?.path == "confidenceScore")
        #expect(range?.description.contains("1.5") == false)

        let missing = await engineError(StubTransport(status: 200, body: Array(#"{"verdict":"COMPLIANT"}"#.utf8)))
        #expect(missing?.path == "recordingId")
        let notJSON = await engineError(StubTransport(status: 200, body: Array("<html>".utf8)))
        #expect(notJSON?.code == .malformedReply)
        #expect(notJSON?.path == "")
        let wrongType = await engineError(
            StubTransport(
                status: 200, body: Fixture.verdictJSON(),
                headers: ["Content-Type": "text/html"]))
        #expect(wrongType?.code == .malformedReply)
        #expect(ComplianceEngineError.countsAgainstEngine(range!))
        #expect(!ComplianceEngineError.countsAgainstEngine(ComplianceEngineError(code: .rejected, detail: "")))
    }

    @Test func oversizedReplyAndTransportFailures() async {
        let big = await engineError(StubTransport(status: 200, body: Array(repeating: 0x20, count: 70_000)))
        #expect(big?.code == .replyTooLarge)
        let timedOut = await engineError(
            StubTransport { request, _ in
                throw HTTPTransportError(code: .timedOut, request: request, detail: "no response")
            })
        #expect(timedOut?.code == .timedOut)
        #expect(timedOut?.isRetryable == true)
        let refused = await engineError(
            StubTransport { request, _ in
                throw HTTPTransportError(code: .connectionFailed, request: request, detail: "refused")
            })
        #expect(refused?.code == .connectionFailed)
    }
}
