import Foundation
import Testing

@testable import VigilModels

@Suite("Seed schemas")
struct SeedSchemaTests {
    @Test func subscriptionRoundTripsToSemanticallyEqualJSON() throws {
        let data = try fixture("seed_subscription")
        let subscription = try VigilJSON.decode(EventSubscription.self, from: data)
        #expect(subscription.name == "ComplianceRecordingIngestion")
        #expect(subscription.summary == "Triggers external compliance validation for all completed interactions")
        #expect(subscription.event == .recordingAvailable)
        #expect(subscription.eventData.include.first == .recordingId)
        #expect(subscription.destination.authentication?.type == .oauth2)
        #expect(subscription.destination.authentication?.clientSecret?.value == "encrypted-client-secret-reference")
        #expect(
            subscription.retryPolicy
                == DeliveryRetryPolicy(
                    maxRetries: 3, backoffStrategy: .exponential,
                    initialDelayMs: 1000))
        #expect(try JSONValue(encoding: subscription) == JSONValue(parsing: data))
    }

    @Test func verdictDecodesExactlyAndRoundTrips() throws {
        let data = try fixture("seed_verdict")
        let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: data)
        #expect(
            verdict
                == ComplianceVerdict(
                    recordingId: try #require(GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")),
                    verdict: .violationDetected, violationType: .pciMidCapture, confidenceScore: 0.94,
                    timestampOffsetMs: 124_500, evidenceSnippet: "masked_audio_segment_uri",
                    recommendedAction: .routeToComplianceQueue,
                    correlationId: try #require(CorrelationID("evt-sub-req-8847291"))))
        #expect(!verdict.requiresHumanReview)
        #expect(try JSONValue(encoding: verdict) == JSONValue(parsing: data))
    }

    @Test func complianceRequestRoundTrips() throws {
        let request = ComplianceRequest(
            correlationId: .random(), recordingId: .random(), conversationId: .random(),
            media: MediaLink(
                uri: try #require(PresignedURL(string: "https://media.example/r.wav?sig=abc")),
                expiresAt: Date(timeIntervalSince1970: 1_777_630_000.123), format: .wav),
            metadata: ComplianceRequestMetadata(
                channel: .voice, direction: .inbound, mediaSubtype: .trunk,
                durationMs: 312_000, language: "en-US",
                tokens: ["caller": try #require(PseudonymousToken("tok_9f8e7d6c5b4a"))]),
            callbackUrl: URL(string: "https://vigil.example/callback"),
            requestedAt: Date(timeIntervalSince1970: 1_777_629_000))
        let data = try VigilJSON.encode(request)
        let decoded = try VigilJSON.decode(ComplianceRequest.self, from: data)
        // Dates travel with millisecond precision: re-encoding is stable, values agree to 1 ms.
        #expect(try VigilJSON.encode(decoded) == data)
        #expect(abs(decoded.media.expiresAt.timeIntervalSince(request.media.expiresAt)) < 0.001)
        var normalised = decoded
        normalised.media.expiresAt = request.media.expiresAt
        #expect(normalised == request)
        let json = try JSONValue(parsing: data)
        #expect(json["schemaVersion"] == "1.0")
        #expect(json["media"]?["expiresAt"] == "2026-05-01T10:06:40.123Z")
    }

    @Test func webhookEventDecodesAndDropsUnmodelledPII() throws {
        let json = """
            { "id": "dlv-000123", "event": "recording:recordingAvailable", "timestamp": "2026-05-01T10:05:20Z",
              "data": { "recordingId": "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11",
                        "conversationId": "2F7BF00A-0FC2-4D6A-9B56-92238191433E",
                        "mediaUri": "https://media.example/r.wav?sig=abc",
                        "participants": [ { "participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "purpose": "customer",
                                            "email": "jane@example.com", "externalCallerId": "+15551234567" } ],
                        "startTime": "2026-05-01T10:00:00.000Z", "endTime": "2026-05-01T10:05:12.000Z",
                        "direction": "INBOUND", "channel": "VOICE", "tags": [ { "key": "line", "value": "sales" } ] } }
            """
        let event = try VigilJSON.decode(RecordingWebhookEvent.self, from: json)
        #expect(event.event == .recordingAvailable)
        #expect(event.data.conversationId?.rawValue == "2f7bf00a-0fc2-4d6a-9b56-92238191433e")
        #expect(event.data.participants?.first?.purpose == .customer)
        let reencoded = String(decoding: try VigilJSON.encode(event), as: UTF8.self)
        #expect(!reencoded.contains("jane@example.com"))
        #expect(!reencoded.contains("+15551234567"))
    }

    @Test func recordingJobRoundTripsAndKeysIdempotency() throws {
        let conversation = try #require(GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e"))
        let job = RecordingJob(
            conversationId: conversation, kind: .conversationEnded, correlationId: .random(),
            receivedAt: Date(timeIntervalSince1970: 1_777_629_000),
            metadata: RecordingJobMetadata(
                source: .eventBridge, eventTimeMs: 1_649_237_504_949,
                mediaType: .voice))
        #expect(try VigilJSON.decode(RecordingJob.self, from: VigilJSON.encode(job)) == job)
        #expect(job.idempotencyKey == "conversation:2f7bf00a-0fc2-4d6a-9b56-92238191433e")
        var withRecording = job
        let recordingId = try #require(GenesysID("6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11"))
        withRecording.recordingId = recordingId
        #expect(withRecording.idempotencyKey == "recording:6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11")
    }

    @Test(arguments: [
        ("COMPLIANT", false), ("VIOLATION_DETECTED", false), ("INCONCLUSIVE", true), ("MAYBE_LATER", true)
    ])
    func verdictReviewRules(raw: String, review: Bool) {
        let verdict = Verdict(rawValue: raw)
        #expect(verdict.requiresHumanReview == review)
        #expect(verdict.isCompliant == (raw == "COMPLIANT"))
    }

    @Test func verdictContradictionsNeedReview() throws {
        var verdict = try VigilJSON.decode(ComplianceVerdict.self, from: verdictJSON)
        verdict.violationType = nil
        #expect(verdict.requiresHumanReview)
        verdict.violationType = .other("NEW_DETECTOR")
        #expect(verdict.requiresHumanReview)
        verdict.violationType = .pciCvvCapture
        verdict.recommendedAction = .humanReview
        #expect(verdict.requiresHumanReview)
        verdict.recommendedAction = nil
        verdict.verdict = .compliant
        #expect(verdict.requiresHumanReview)
        verdict.violationType = nil
        #expect(!verdict.requiresHumanReview)
    }
}
