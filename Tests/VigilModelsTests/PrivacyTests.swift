import Foundation
import Testing

@testable import VigilModels

/// Errors and descriptions never carry offending values, secrets or PII.
@Suite("No values, secrets or PII in output")
struct PrivacyTests {
    static let pan = "4111111111111111"

    /// Every way a host might log an error.
    func renderings(_ error: ModelDecodingError) -> [String] {
        var dumped = ""
        dump(error, to: &dumped)
        return [
            error.description, error.debugDescription, error.path, error.reason, "\(error)",
            String(reflecting: error), dumped, error.localizedDescription
        ]
    }

    @Test(arguments: [
        #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"COMPLIANT","confidenceScore":"4111111111111111","correlationId":"c-1"}"#,
        #"{"recordingId":"4111111111111111","verdict":"COMPLIANT","confidenceScore":0.5,"correlationId":"c-1"}"#,
        #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"COMPLIANT","confidenceScore":4111111111111111,"correlationId":"c-1"}"#,
        #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"COMPLIANT","confidenceScore":0.5,"timestampOffsetMs":4111111111111111.5,"correlationId":"c-1"}"#,
        #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"COMPLIANT","confidenceScore":0.5,"correlationId":"4111 1111 1111 1111"}"#,
        #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":4111111111111111,"confidenceScore":0.5,"correlationId":"c-1"}"#,
        #"{"recordingId":"4111111111111111"#
    ])
    func verdictErrorsNeverEchoTheValue(json: String) {
        guard let error = decodeFailure(ComplianceVerdict.self, json) else { return }
        for text in renderings(error) {
            #expect(!text.contains(Self.pan), "leaked in: \(text)")
            #expect(!text.contains("4111 1111"), "leaked in: \(text)")
        }
    }

    @Test func wrongTypeWithPANNamesOnlyFieldAndType() throws {
        let json =
            #"{"recordingId":"a1b2c3d4-e5f6-7890-abcd-ef1234567890","verdict":"COMPLIANT","confidenceScore":"4111111111111111","correlationId":"c-1"}"#
        let error = try #require(decodeFailure(ComplianceVerdict.self, json))
        #expect(error == ModelDecodingError(code: .wrongType, path: "confidenceScore", reason: "expected number"))
    }

    /// A dictionary's keys are input: an error under one names it by the strict reader's rule, on the
    /// tape decoder and on the Foundation reference alike (found by the analysis-policy fuzz harness).
    @Test func dictionaryKeysThatCouldHoldDigitsAreNotNamed() throws {
        let json = #"{"4111111111111111":"x"}"#
        let tape = try #require(decodeFailure([String: Int].self, json))
        var reference: ModelDecodingError?
        do { _ = try VigilJSON.decodeWithFoundation([String: Int].self, from: Data(json.utf8)) } catch { reference = error }
        for error in [tape, try #require(reference)] {
            #expect(error.code == .wrongType)
            #expect(error.path == "<name>")
            #expect(!error.description.contains("4111"))
        }
        #expect(decodeFailure([String: Int].self, #"{"ok":"x"}"#)?.path == "ok")
    }

    @Test func closedEnumAndTokenErrorsNeverEchoTheValue() throws {
        let enumJSON = try mutate(fixture("seed_subscription")) { object in
            var retry = object["retryPolicy"] as! [String: Any]
            retry["backoffStrategy"] = Self.pan
            object["retryPolicy"] = retry
        }
        let enumError = try #require(decodeFailure(EventSubscription.self, enumJSON))
        #expect(enumError.code == .unknownEnumValue)
        #expect(enumError.reason == "expected one of: exponential, linear, fixed")
        let tokenError = try #require(decodeFailure(RecordingJobMetadata.self, "{\"tokens\":{\"card\":\"\(Self.pan)\"}}"))
        for error in [enumError, tokenError] {
            for text in renderings(error) { #expect(!text.contains(Self.pan)) }
        }
    }

    func allRenderings(_ value: some Any) -> [String] {
        var dumped = ""
        dump(value, to: &dumped)
        return [String(describing: value), String(reflecting: value), "\(value)", dumped]
    }

    @Test func subscriptionNeverShowsSecretOrHeaderValues() throws {
        let subscription = try VigilJSON.decode(EventSubscription.self, from: fixture("seed_subscription"))
        let texts =
            allRenderings(subscription) + allRenderings(subscription.destination)
            + allRenderings(subscription.destination.authentication!)
            + allRenderings(subscription.destination.authentication!.clientSecret!)
        for text in texts {
            #expect(!text.contains("encrypted-client-secret-reference"), "leaked in: \(text)")
            #expect(!text.contains("recording-pipeline"), "header value leaked in: \(text)")
        }
        #expect(subscription.description.contains("ComplianceRecordingIngestion"))
        #expect(subscription.description.contains("X-Genesys-Event-Source"))
        #expect(subscription.description.contains("https://compliance-engine.internal/api/v1/ingest/recording"))
        var keyed = subscription.destination
        keyed.url = try #require(URL(string: "https://fn.example/api/hook?code=s3cr3tKey"))
        for text in allRenderings(keyed) { #expect(!text.contains("s3cr3tKey"), "leaked in: \(text)") }
        // The secret is still encoded on the wire (it is a reference to an encrypted secret).
        #expect(
            String(decoding: try VigilJSON.encode(subscription), as: UTF8.self)
                .contains("encrypted-client-secret-reference"))
    }

    @Test func tokensURLsAndPIINeverPrinted() throws {
        let token = try VigilJSON.decode(OAuthTokenResponse.self, from: fixture("oauth_token"))
        for text in allRenderings(token) {
            #expect(!text.contains("dGhpcy1pcy1hLWZha2UtdG9rZW4"), "leaked in: \(text)")
        }
        let recording = try VigilJSON.decode(Recording.self, from: fixture("recording_200"))
        for text in allRenderings(recording) + allRenderings(recording.mediaUris!) {
            #expect(!text.contains("X-Amz-Signature"), "leaked in: \(text)")
        }
        let event = try VigilJSON.decode(
            UserEndEvent.self,
            from: """
                {"eventTime":1,"conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e","ani":"tel:+15551234567",
                 "dnis":"tel:+15557654321","callbackNumbers":["+15550001111"],"callbackUserName":"Jane Doe"}
                """)
        for text in allRenderings(event) {
            for secret in ["5551234567", "5557654321", "5550001111", "Jane Doe"] {
                #expect(!text.contains(secret), "leaked in: \(text)")
            }
        }
        let document = try VigilJSON.decode(STATranscriptDocument.self, from: fixture("sta_transcript"))
        for text in [
            document.description, document.allPhrases[0].description,
            document.allPhrases[0].words![0].description
        ] {
            #expect(!text.contains("card number"))
        }
        for text in allRenderings(document.participants!) { #expect(!text.contains("5551234567")) }
        let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: verdictJSON)
        #expect(!verdict.description.contains("masked_audio_segment_uri"))
        #expect(verdict.description.contains("PCI_MID_CAPTURE"))
    }
}
