import Foundation
import Testing
import VigilCore
import VigilIdempotency
import VigilTesting

@testable import VigilAudioHook

/// Vectors: purecloudlabs/audiohook-reference-implementation (MIT),
/// `app/audiohook/test/httpsignature/signature-verifier.test.ts`, recomputed in
/// `../shared/reference/peers-and-test-material.md` §3.2.
@Suite("AudioHook upgrade signatures")
struct AudioHookSignatureTests {
    // AudioHook doc example 1.
    static let apiKey = "SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh"
    static let clientSecret = "TXlTdXBlclNlY3JldEtleVRlbGxOby0xITJAMyM0JDU="
    static let organizationId = "d7934305-0972-4844-938e-9060eef73d05"
    static let sessionId = "30b0e395-84d3-4570-ac13-9a62d8f514c0"
    static let correlationId = "e160e428-53e2-487c-977d-96989bf5c99d"
    static let created = 1_641_013_200
    static let exampleHeaders: [(name: String, value: String)] = [
        ("Host", "audiohook.example.com"),
        ("Audiohook-Organization-Id", organizationId),
        ("Audiohook-Session-Id", sessionId),
        ("Audiohook-Correlation-Id", correlationId),
        ("X-API-KEY", apiKey),
        (
            "Signature-Input",
            "sig1=(\"@request-target\" \"@authority\" \"audiohook-organization-id\" \"audiohook-session-id\" \"audiohook-correlation-id\" \"x-api-key\");keyid=\"SGVsbG8sIEkgYW0gdGhlIEFQSSBrZXkh\";nonce=\"VGhpc0lzQVVuaXF1ZU5vbmNl\";alg=\"hmac-sha256\";created=1641013200;expires=3282026430"
        ),
        ("Signature", "sig1=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:")
    ]
    static let target = "/api/v1/voicebiometrics/ws"

    let clock = TestClock(wallOrigin: Date(timeIntervalSince1970: Double(created + 2)))

    func verifier(store: (any IdempotencyStore)? = nil, secrets: [String: String] = [apiKey: clientSecret]) throws -> AudioHookSignatureVerifier {
        try AudioHookSignatureVerifier(clientSecrets: secrets, store: store ?? InMemoryIdempotencyStore(now: clock.wall), now: clock.wall)
    }

    func code(
        _ verifier: AudioHookSignatureVerifier, _ headers: [(name: String, value: String)],
        target: String = target
    ) async -> AudioHookError.Code? {
        do {
            _ = try await verifier.verify(AudioHookUpgradeRequest(target: target, headers: headers))
            return nil
        } catch {
            for secret in [Self.clientSecret, Self.apiKey, "NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=", "VGhpc0lzQVVuaXF1ZU5vbmNl"] {
                #expect(!error.description.contains(secret), "an error must not carry a secret, key, signature or nonce")
            }
            return error.code
        }
    }

    func replacing(_ name: String, with value: String?) -> [(name: String, value: String)] {
        Self.exampleHeaders.compactMap { header in
            header.name.lowercased() == name.lowercased() ? value.map { (header.name, $0) } : header
        }
    }

    @Test("draft-ietf-httpbis-message-signatures-11 B.2.5: the signature base and HMAC")
    func draftVector() throws {
        let key = try Base64.decode("uzvJfB4u3N0Jy4T7NZ75MDVcr8zSTInedJtkgcu46YW4XByzNJjxBdtjUkdJPBtbmHhIDi6pcl8jsasjlTMtDQ==")
        let input = try SignatureInput(parsing: "sig1=(\"date\" \"@authority\" \"content-type\");created=1618884473;keyid=\"test-shared-secret\"")
        let base = AudioHookSignatureVerifier.signatureBase(
            components: [("date", "Tue, 20 Apr 2021 02:07:55 GMT"), ("@authority", "example.com"), ("content-type", "application/json")],
            parameters: input.serializedParameters)
        #expect(Base64.encode(AudioHookSignatureVerifier.mac(key: key, base: base)) == "pxcQw6G3AjtMBQjwo8XzkZf/bws5LelbaMk5rGIGtE8=")
    }

    @Test("AudioHook doc example 1 verifies, in any header order and case")
    func audioHookExample() async throws {
        let verified = try await verifier().verify(AudioHookUpgradeRequest(target: Self.target, headers: Self.exampleHeaders))
        #expect(
            verified
                == VerifiedAudioHookUpgrade(
                    organizationId: Self.organizationId, sessionId: Self.sessionId,
                    correlationId: Self.correlationId, apiKey: Self.apiKey,
                    created: Date(timeIntervalSince1970: Double(Self.created))))
        let shuffled = Self.exampleHeaders.reversed().map { (name: $0.name.uppercased(), value: $0.value) }
        #expect(await code(try verifier(), shuffled) == nil)
        let lower = Self.exampleHeaders.map { (name: $0.name.lowercased(), value: " \($0.value) ") }
        #expect(await code(try verifier(), lower) == nil)
    }

    @Test("Every refusal has its code")
    func refusals() async throws {
        let v = try verifier()
        #expect(await code(v, []) == .missingSignature)
        #expect(await code(v, replacing("Signature", with: nil)) == .missingSignature)
        #expect(await code(v, replacing("Audiohook-Session-Id", with: nil)) == .missingSignature)
        #expect(
            await code(
                v,
                replacing(
                    "Signature-Input", with: "sig1=(\"@request-target\" \"@authority\");keyid=\"\(Self.apiKey)\";nonce=\"n\";created=1641013200"))
                == .malformedSignature)
        #expect(await code(v, replacing("Signature-Input", with: "sig1=\"@request-target\"")) == .malformedSignature)
        #expect(await code(v, replacing("Signature-Input", with: "sig1=(\"@request-target\";created=x")) == .malformedSignature)
        #expect(await code(v, replacing("Signature", with: "sig1=:not base64!:")) == .malformedSignature)
        #expect(await code(v, replacing("Signature", with: "sig2=:NZBwyBHRRyRoeLqy1IzOa9VYBuI8TgMFt2GRDkDuJh4=:")) == .malformedSignature)
        let input = Self.exampleHeaders.first { $0.name == "Signature-Input" }!.value
        #expect(
            await code(v, replacing("Signature-Input", with: input.replacingOccurrences(of: "alg=\"hmac-sha256\"", with: "alg=\"rsa-pss-sha512\"")))
                == .malformedSignature)
        #expect(await code(try verifier(secrets: ["another-key": Self.clientSecret]), Self.exampleHeaders) == .unknownKey)
        #expect(await code(v, replacing("X-API-KEY", with: "another-key")) == .signatureMismatch)
        #expect(await code(v, replacing("Audiohook-Organization-Id", with: "11111111-2222-4333-8444-555555555555")) == .signatureMismatch)
        #expect(await code(v, replacing("Audiohook-Session-Id", with: "11111111-2222-4333-8444-555555555555")) == .signatureMismatch)
        #expect(await code(v, replacing("Host", with: "evil.example.com")) == .signatureMismatch)
        #expect(await code(v, Self.exampleHeaders, target: "/api/v1/other") == .signatureMismatch)
        // Hardening: repeated identity headers, oversized headers and parameters.
        #expect(await code(v, Self.exampleHeaders + [("audiohook-session-id", Self.sessionId)]) == .malformedSignature)
        #expect(await code(v, Self.exampleHeaders + [("X-Api-Key", Self.apiKey)]) == .malformedSignature)
        #expect(await code(v, replacing("Signature", with: "sig1=:" + String(repeating: "A", count: 9000) + ":")) == .malformedSignature)
        let longNonce = input.replacingOccurrences(of: "VGhpc0lzQVVuaXF1ZU5vbmNl", with: String(repeating: "n", count: 201))
        #expect(await code(v, replacing("Signature-Input", with: longNonce)) == .malformedSignature)
        let spacedKey = input.replacingOccurrences(of: "keyid=\"\(Self.apiKey)\"", with: "keyid=\"a key\"")
        #expect(await code(v, replacing("Signature-Input", with: spacedKey)) == .malformedSignature)
    }

    @Test("Age, skew, expiry and replay")
    func timeAndReplay() async throws {
        let store = InMemoryIdempotencyStore(now: clock.wall)
        let v = try verifier(store: store)
        #expect(await code(v, Self.exampleHeaders) == nil)
        #expect(await code(v, Self.exampleHeaders) == .replayedNonce)  // the same request again
        clock.advance(by: .seconds(9))  // created + 11 s
        #expect(await code(try verifier(), Self.exampleHeaders) == .signatureTooOld)
        let early = TestClock(wallOrigin: Date(timeIntervalSince1970: Double(Self.created - 6)))
        let futureVerifier = try AudioHookSignatureVerifier(
            clientSecrets: [Self.apiKey: Self.clientSecret],
            store: InMemoryIdempotencyStore(now: early.wall), now: early.wall)
        #expect(await code(futureVerifier, Self.exampleHeaders) == .signatureFromTheFuture)
        // A signature made now whose expires has passed (expiresAfter negative relative to now).
        let signer = try AudioHookRequestSigner(apiKey: Self.apiKey, clientSecret: Self.clientSecret)
        let now = clock.wall()
        let expired = signer.headers(
            target: Self.target, authority: "audiohook.example.com", organizationId: Self.organizationId,
            sessionId: Self.sessionId, correlationId: Self.correlationId, nonce: "n-expired",
            created: now.addingTimeInterval(-3), expiresAfter: .seconds(1))
        #expect(await code(try verifier(), expired) == .signatureExpired)
    }

    @Test("A failing nonce store is a retryable refusal")
    func failingStore() async throws {
        struct Down: IdempotencyStore {
            func claim(_ key: String, fingerprint: String, lease: Duration) async throws -> ClaimResult {
                throw IdempotencyError(code: .storageFailure, detail: "down")
            }
            func complete(_ key: String, token: LeaseToken, outcome: StoredOutcome, retain: Duration) async throws {}
            func release(_ key: String, token: LeaseToken) async throws {}
        }
        let verifier = try verifier(store: Down())
        do {
            _ = try await verifier.verify(AudioHookUpgradeRequest(target: Self.target, headers: Self.exampleHeaders))
            Issue.record("must fail")
        } catch {
            #expect(error.code == .replayCheckFailed)
            #expect(error.isRetryable)
        }
    }

    @Test("Signer → verifier round trips, each nonce once")
    func roundTrips() async throws {
        let signer = try AudioHookRequestSigner(apiKey: "key-\(UUID())", clientSecret: Base64.encode((0..<32).map { _ in UInt8.random(in: 0...255) }))
        let store = InMemoryIdempotencyStore(now: clock.wall)
        let secret = try Base64.encode(#require(signerSecret(signer)))
        let v = try AudioHookSignatureVerifier(clientSecrets: [signer.apiKey: secret], store: store, now: clock.wall)
        for index in 0..<5 {
            let headers = signer.headers(
                target: "/audiohook/ws?n=\(index)", authority: "Vigil.Example:8443",
                organizationId: Self.organizationId, sessionId: UUID().uuidString.lowercased(),
                correlationId: "c-\(index)", nonce: "nonce-\(index)", created: clock.wall())
            #expect(await code(v, headers, target: "/audiohook/ws?n=\(index)") == nil)
            #expect(await code(v, headers, target: "/audiohook/ws?n=\(index)") == .replayedNonce)
        }
    }

    /// Found by the audiohook-signature fuzz harness: the signer signed a value with trailing
    /// whitespace, which the verifier (like any HTTP stack, RFC 9110 §5.5) reads trimmed.
    @Test("The signer signs the field values as a receiver reads them: trimmed")
    func signerTrimsValues() async throws {
        let signer = try AudioHookRequestSigner(apiKey: Self.apiKey, clientSecret: Self.clientSecret)
        let headers = signer.headers(
            target: Self.target, authority: " audiohook.example.com ", organizationId: Self.organizationId,
            sessionId: "e160e428-53e2-487c-977d-96989bf5c99d ", correlationId: "\tc-1",
            nonce: "nonce-trim", created: clock.wall())
        #expect(await code(try verifier(), headers) == nil)
    }

    private func signerSecret(_ signer: AudioHookRequestSigner) -> [UInt8]? {
        Mirror(reflecting: signer).children.first { $0.label == "key" }?.value as? [UInt8]
    }

    @Test("A secret that is not base64 is refused at configuration")
    func badSecret() {
        #expect(throws: AudioHookError.self) {
            _ = try AudioHookSignatureVerifier(clientSecrets: ["k": "%%%"], store: InMemoryIdempotencyStore())
        }
    }
}
