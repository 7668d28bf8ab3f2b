// The ingest payloads, in one place: the ~1 KiB signed seed-style events the EventSub benchmarks send
// through `WebhookReceiver`, and that `IngestPeer payloads` writes out for the Python peer
// (`Benchmarks/peer-ingest`), so the Swift receiver and the peer always read the same bytes.
import Foundation
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilTesting

/// The Standard Webhooks secret every payload is signed with.
public let ingestSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
/// The signing time (and the receivers' wall clock).
public let ingestTimestamp: Int64 = 1_780_000_000
/// A wall clock frozen at ``ingestTimestamp``.
public let ingestWall: @Sendable () -> Date = { Date(timeIntervalSince1970: TimeInterval(ingestTimestamp)) }

/// The `n`th recording id.
public func ingestUUID(_ n: Int) -> String {
    String(format: "a1b2c3d4-e5f6-4890-abcd-%012x", n)
}

/// A realistic ~1 KiB event: all eight seed `eventData.include` fields, three participants, four tags.
public func ingestEvent(_ n: Int) -> [UInt8] {
    Array(
        """
        {"id":"msg_2Q6Ap3MFz1b4YkUvX9rT\(n)","event":"recording:recordingAvailable",\
        "timestamp":"2026-05-01T10:05:20.118Z","correlationId":"evt-sub-req-8847291",\
        "data":{"recordingId":"\(ingestUUID(n))",\
        "conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e",\
        "mediaUri":"https://media.usw2.pure.cloud/recordings/a1b2c3d4-e5f6-7890-abcd-ef1234567890/audio.wav?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-Signature=0f3c9a7e5b1d2c4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e",\
        "participants":[{"participantId":"9fb2ca78-4f7e-4a52-9a66-0d3f3f2b1c11","purpose":"customer"},\
        {"participantId":"c03d300e-1b2c-4d5e-8f90-a1b2c3d4e5f6","purpose":"agent","userId":"7d3e1c2b-9a8f-4e6d-b5c4-a3b2c1d0e9f8"},\
        {"participantId":"5e4d3c2b-1a09-48f7-a6b5-c4d3e2f1a0b9","purpose":"ivr"}],\
        "startTime":"2026-05-01T10:00:00.000Z","endTime":"2026-05-01T10:05:12.000Z",\
        "direction":"INBOUND","channel":"VOICE",\
        "tags":[{"key":"queue","value":"payments"},{"key":"language","value":"en-US"},\
        {"key":"campaign","value":"renewals-2026"},{"key":"site","value":"emea-dub"}]}}
        """.utf8)
}

/// One signed delivery.
public struct SignedDelivery: Sendable {
    /// The body.
    public let body: [UInt8]
    /// `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    public let headers: HTTPFields
    /// The delivery id.
    public let id: String
}

/// `count` distinct signed events, signed at `timestamp`.
public func ingestPool(count: Int = 1_000, timestamp: Int64 = ingestTimestamp) -> [SignedDelivery] {
    let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [ingestSecret])
    return (0..<count).map { n in
        let body = ingestEvent(n)
        return SignedDelivery(
            body: body, headers: signer.sign(body: body, id: "msg_\(n)", timestamp: timestamp),
            id: "msg_\(n)")
    }
}

/// A receiver as a host would configure it for the seed subscription, on in-memory store and queue.
public func makeIngestReceiver() -> WebhookReceiver {
    let subscription: [EventDataField] = [
        .recordingId, .mediaUri, .participants, .startTime, .endTime, .direction,
        .channel, .tags
    ]
    return WebhookReceiver(
        verifier: try! WebhookVerifier(scheme: .standardWebhooks, secrets: [ingestSecret], now: ingestWall),
        minimiser: EventMinimiser(include: subscription),
        tokenizer: KeyedEventTokenizer(key: Array(repeating: 7, count: 32))!,
        store: InMemoryIdempotencyStore(now: ingestWall),
        queue: InMemoryJobQueue<RecordingJob>(capacity: 10_000_000, now: ingestWall),
        now: ingestWall)
}
