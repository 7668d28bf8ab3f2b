import Foundation
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

/// Shared fixtures. Every time value comes from a `TestClock`; nothing sleeps.
enum Fixture {
    /// The Standard Webhooks reference secret (anchors B.1; `libraries/python/tests/test_webhooks.py`).
    static let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static var secret: VerdictSigningSecret { try! VerdictSigningSecret(secretText) }
    static var otherSecret: VerdictSigningSecret { try! VerdictSigningSecret(bytes: Array(repeating: 7, count: 32)) }

    static let recordingId = GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")!
    static let conversationId = GenesysID("2f7bf00a-0fc2-4d6a-9b56-92238191433e")!
    static let correlationId = CorrelationID("evt-sub-req-8847291")!
    static let endpoint = URL(string: "https://engine.example.com/v1/evaluate")!

    static func request(
        clock: TestClock, expiresIn: TimeInterval = 1_800, durationMs: Int64? = 312_000,
        recordingId: GenesysID = recordingId, correlationId: CorrelationID = correlationId,
        mediaURL: String = "https://media.example.com/rec.wav?X-Amz-Signature=abc"
    ) -> ComplianceRequest {
        let now = clock.wallNow
        return ComplianceRequest(
            correlationId: correlationId, recordingId: recordingId, conversationId: conversationId,
            media: MediaLink(
                uri: PresignedURL(string: mediaURL)!, expiresAt: now.addingTimeInterval(expiresIn),
                format: .wav),
            metadata: ComplianceRequestMetadata(
                channel: .voice, direction: .inbound, durationMs: durationMs,
                language: "en-US"),
            requestedAt: now)
    }

    static func verdict(
        recordingId: GenesysID = recordingId, correlationId: CorrelationID = correlationId,
        verdict: Verdict = .violationDetected, type: ViolationType? = .pciMidCapture,
        confidence: Double = 0.94, offset: Int64? = 124_500,
        evidence: String? = "https://evidence.example.com/segments/masked-7f3a",
        action: RecommendedAction? = .routeToComplianceQueue
    ) -> ComplianceVerdict {
        ComplianceVerdict(
            recordingId: recordingId, verdict: verdict, violationType: type, confidenceScore: confidence,
            timestampOffsetMs: offset, evidenceSnippet: evidence, recommendedAction: action,
            correlationId: correlationId)
    }

    static func verdictJSON(_ verdict: ComplianceVerdict = verdict()) -> [UInt8] {
        try! VigilJSON.encodeBytes(verdict)
    }

    static func engineConfiguration(
        clock: TestClock, timeout: Duration = .seconds(10),
        maxLifetime: Duration = .seconds(3_600)
    ) -> HTTPComplianceEngine.Configuration {
        HTTPComplianceEngine.Configuration(
            endpoint: endpoint, secret: secret, timeout: timeout,
            maxMediaLinkLifetime: maxLifetime, now: clock.wall,
            messageID: { "msg_test1" })
    }

    /// Signed callback headers for `body`.
    static func callbackHeaders(
        body: [UInt8], id: String = "msg_cb1", timestamp: Date,
        secret: VerdictSigningSecret = secret
    ) -> HTTPFields {
        let ts = Int64(timestamp.timeIntervalSince1970)
        return [
            "Webhook-Id": id,
            "Webhook-Timestamp": String(ts),
            "Webhook-Signature": StandardWebhooksV1.signature(id: id, timestamp: ts, body: body, secret: secret),
            "Content-Type": "application/json"
        ]
    }
}

/// Collects incidents.
final class IncidentLog: @unchecked Sendable {
    private let lock = NSLock()
    private var _items: [VerdictIncident] = []
    var items: [VerdictIncident] { lock.withLock { _items } }
    var codes: [String] { items.map(\.error.errorCode) }
    var record: @Sendable (VerdictIncident) -> Void { { [self] incident in lock.withLock { _items.append(incident) } } }
}
