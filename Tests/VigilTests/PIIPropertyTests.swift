import Foundation
import Testing
import Vigil
import VigilAnalysis
@_spi(VigilInternal) import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRedaction
import VigilRemediation
import VigilTesting
import VigilVerdict

// Issue 14, item 4: "PII never leaks, proven by property".
//
// `PIIPlanter` plants fresh card numbers (Visa, Mastercard, Amex; plain, spaced, dashed), SSNs, e-mail
// addresses and phone numbers (E.164 and national) in every field of every input shape — webhook bodies
// (seed webhook, Notification detail events, recording notifications, EventBridge), engine verdicts
// (immediate replies and signed callbacks), STA transcripts and the platform's error bodies (API and
// login) — and these properties assert that none of it reaches anything Vigil produces: a queued job,
// the HTTP response, an error (description, debugDescription, reflection, dump), an observer event (the
// log line and every associated value — the Service package's metric labels are built from those), the
// pipeline statistics and receiver counters, a dead letter, a request sent to the engine or the
// platform (annotations, tags, participant attributes, work items), or a finding.
//
// Everything runs on in-memory fakes and a `TestClock` that never moves: no retry policy waits (the
// platform client and the remediation executor get `NoRetryPolicy`), so each job runs to its end inside
// `CompliancePipeline.process` and each variant is checked on its own. Seeds are fixed.

private let seed: UInt64 = 0x5049_4914  // "PII", issue 14

// MARK: - Rendering: everything a log line, an alert or a support ticket could show

/// `description`, `String(reflecting:)` (`debugDescription` when there is one), the `dump` of the
/// mirror, and for an error its `localizedDescription`.
private func renderings(_ value: Any) -> String {
    var dumped = ""
    dump(value, to: &dumped)
    var text = String(describing: value) + "\n" + String(reflecting: value) + "\n" + dumped
    if let error = value as? any Error { text += "\n" + error.localizedDescription }
    return text
}

private func json(_ value: some Encodable) -> String {
    (try? VigilJSON.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "<unencodable>"
}

/// What one variant made come out, by sink.
private struct Outputs {
    private(set) var parts: [(sink: String, text: String)] = []

    mutating func add(_ sink: String, _ text: String) {
        if !text.isEmpty { parts.append((sink, text)) }
    }

    /// `"<value> in <sink>: …excerpt…"` for every planted value found in any sink.
    func leaks(of planted: [PIIPlanter.Planted]) -> [String] {
        let prepared = parts.map { ($0.sink, $0.text, PIIPlanter.SearchableText($0.text)) }
        var found: [String] = []
        for value in planted {
            if let match = prepared.first(where: { $0.2.holds(value) }) {
                found.append("\(value) in \(match.0): \(value.excerpt(in: match.1) ?? "")")
            }
        }
        return found
    }
}

private func expectNoLeak(
    _ outputs: Outputs, _ planted: [PIIPlanter.Planted], _ context: @autoclosure () -> String,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let leaks = outputs.leaks(of: planted)
    #expect(leaks.isEmpty, "\(context()) leaked:\n\(leaks.joined(separator: "\n"))", sourceLocation: sourceLocation)
}

/// A deterministic UUID for variant `index` (`salt` tells the ids of one variant apart).
private func seededID(_ index: Int, _ salt: UInt64) -> GenesysID {
    var random = SplitMix(seed: seed ^ (UInt64(index) &* 0x1000_0000_01B3) ^ (salt &* 0x9E37_79B9_7F4A_7C15))
    let a = random.next(), b = random.next()
    let text = String(
        format: "%08llx-%04llx-4%03llx-%04llx-%012llx", a >> 32, (a >> 16) & 0xFFFF, a & 0xFFF,
        0x8000 | ((b >> 48) & 0x3FFF), b & 0xFFFF_FFFF_FFFF)
    return GenesysID(text)!
}

// MARK: - Fakes that record what Vigil says

/// Renders every event the way a logging or metrics bridge could: its name, its description and
/// reflection, and every associated value of its kind (verdict, violation type, codes, reasons).
private final class RenderingObserver: ComplianceObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func record(_ event: PipelineEvent) {
        let line = event.name + "\n" + renderings(event) + renderings(event.kind)
        lock.withLock { lines.append(line) }
    }

    func drain() -> String {
        lock.withLock {
            defer { lines.removeAll() }
            return lines.joined(separator: "\n")
        }
    }
}

/// The simulated organisation behind a transport that records every request Vigil sends (method, URL,
/// headers but `Authorization`, body), and answers the requests a test scripts with a planted error.
private final class RecordingPlatform: HTTPTransport, @unchecked Sendable {
    struct Script {
        let matches: @Sendable (HTTPRequest) -> Bool
        let status: Int
        let headers: HTTPFields
        let body: [UInt8]
    }

    let base: SimulatedGenesysCloud
    private let lock = NSLock()
    private var sent: [String] = []
    private var script: Script?

    init(base: SimulatedGenesysCloud) { self.base = base }

    func answer(_ script: Script?) { lock.withLock { self.script = script } }

    func drain() -> String {
        lock.withLock {
            defer { sent.removeAll() }
            return sent.joined(separator: "\n")
        }
    }

    func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        let bytes = try await body?.collect(upTo: 1 << 24)
        let headers = request.headerFields.filter { $0.name.lowercased() != "authorization" }
            .map { "\($0.name): \($0.value)" }.joined(separator: "\n")
        let line =
            "\(request.method) \(request.url.absoluteString)\n\(headers)\n"
            + (bytes.map { String(decoding: $0, as: UTF8.self) } ?? "")
        let script: Script? = lock.withLock {
            sent.append(line)
            return self.script
        }
        if let script, script.matches(request) {
            return (HTTPResponse(status: script.status, headerFields: script.headers), HTTPBody(script.body))
        }
        return try await base.send(request, body: bytes.map { HTTPBody($0) })
    }
}

/// Finds a violation in every recording (after fetching its media), and records each request it gets.
private final class RecordingEngine: ComplianceEngine, @unchecked Sendable {
    private let lock = NSLock()
    private var requests: [String] = []

    func drain() -> String {
        lock.withLock {
            defer { requests.removeAll() }
            return requests.joined(separator: "\n")
        }
    }

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let text = json(request) + "\n" + renderings(request)
        lock.withLock { requests.append(text) }
        return .verdict(
            ComplianceVerdict(
                recordingId: request.recordingId, verdict: .violationDetected,
                violationType: .pciMidCapture, confidenceScore: 0.97, timestampOffsetMs: 12_000,
                evidenceSnippet: "DTMF card ************1111 at 12.0 s (external)",
                recommendedAction: .routeToComplianceQueue, correlationId: request.correlationId))
    }
}

/// An engine endpoint that answers every evaluation with the reply a test sets.
private final class EngineEndpoint: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var reply: (status: Int, body: [UInt8]) = (200, [])
    private var requests: [String] = []

    func answer(status: Int = 200, _ body: [UInt8]) { lock.withLock { reply = (status, body) } }

    func drain() -> String {
        lock.withLock {
            defer { requests.removeAll() }
            return requests.joined(separator: "\n")
        }
    }

    func send(_ request: HTTPRequest, body: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        let bytes = try await body?.collect(upTo: 1 << 20) ?? []
        let reply: (status: Int, body: [UInt8]) = lock.withLock {
            requests.append(String(decoding: bytes, as: UTF8.self))
            return self.reply
        }
        return (HTTPResponse(status: reply.status, headerFields: ["Content-Type": "application/json"]), HTTPBody(reply.body))
    }
}

/// Every field a subscription can include — the receiver's worst case: every personal field is kept
/// (as a token), none is dropped before tokenization.
private let everyField: [EventDataField] =
    [
        .recordingId, .conversationId, .mediaUri, .participants, .startTime, .endTime, .direction, .channel, .tags
    ]
    + [
        "ani", "dnis", "addressTo", "addressFrom", "callbackUserName", "callbackNumbers", "subject",
        "externalContactId", "externalOrganizationId", "wrapupNotes", "queueId", "divisionId", "userId",
        "participantId", "disconnectType", "wrapupCode", "fileState", "mediaType"
    ].map { EventDataField(rawValue: $0) }

/// A pipeline on the simulated organisation, in-memory stores and a `TestClock`, with nothing that
/// waits: each job is processed to its end by `drain`, and `collect` gathers what came out.
private final class LeakRig: @unchecked Sendable {
    let clock = TestClock()
    let cloud: SimulatedGenesysCloud
    let platform: RecordingPlatform
    let client: GenesysCloudClient
    let store: InMemoryIdempotencyStore
    let queue: InMemoryJobQueue<RecordingJob>
    let sink = InMemoryDeadLetterSink()
    let observer = RenderingObserver()
    let statistics = PipelineStatistics()
    let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [webhookSecret])
    let pipeline: CompliancePipeline
    private var lettersSeen = 0
    private var queueLettersSeen = 0

    init(
        tokenizer: any EventTokenizer = KeyedEventTokenizer(key: Array(repeating: 9, count: 32))!,
        engine: (SimulatedGenesysCloud, TestClock) -> any ComplianceEngine
    ) {
        let clock = self.clock
        cloud = SimulatedGenesysCloud(configuration: .init(seed: seed), clock: clock)
        platform = RecordingPlatform(base: cloud)
        client = GenesysCloudClient(
            region: cloud.region, credentials: cloud.credentials, transport: platform,
            configuration: GenesysClientConfiguration(retryPolicy: NoRetryPolicy()),
            clock: clock, now: clock.wall)
        store = InMemoryIdempotencyStore(now: clock.wall)
        queue = InMemoryJobQueue<RecordingJob>(capacity: 1_000_000, now: clock.wall)
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [webhookSecret], now: clock.wall)
        let receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: everyField), tokenizer: tokenizer,
            store: store, queue: queue, now: clock.wall)
        let executor = RemediationExecutor(actions: client, store: store, deadLetters: sink, clock: clock, now: clock.wall)
        pipeline = CompliancePipeline(
            receiver: receiver, client: client,
            evaluator: ComplianceEvaluator(engine: engine(cloud, clock), now: clock.wall), remediation: executor,
            routing: RemediationRouting(flow: try! .defaultFlow(worktypeId: worktypeId, reviewQueueId: reviewQueueId)),
            store: store, deadLetters: sink, observer: ComplianceObservers([observer, statistics]),
            clock: clock, now: clock.wall)
    }

    func deliver(_ body: [UInt8], id: String) async -> WebhookResponse {
        await pipeline.receive(body: body, headers: signer.sign(body: body, id: id, now: clock.wallNow))
    }

    /// Leases and processes every visible job (fan-out children included), recording each job.
    func drain(into outputs: inout Outputs) async {
        for _ in 0..<4 {
            let batch = (try? await queue.lease(max: 64, for: .seconds(900))) ?? []
            if batch.isEmpty { return }
            for leased in batch {
                outputs.add("queued job", json(leased.job) + "\n" + renderings(leased.job))
                await pipeline.process(leased)
            }
        }
    }

    /// Observer events, dead letters (sink and queue), platform requests, statistics and counters
    /// since the last call.
    func collect(into outputs: inout Outputs) async {
        outputs.add("observer event", observer.drain())
        let letters = await sink.letters
        for letter in letters[lettersSeen...] { outputs.add("dead letter", json(letter) + "\n" + renderings(letter)) }
        lettersSeen = letters.count
        let queueLetters = await queue.deadLetters()
        for letter in queueLetters[queueLettersSeen...] { outputs.add("queue dead letter", renderings(letter)) }
        queueLettersSeen = queueLetters.count
        outputs.add("platform request", platform.drain())
        outputs.add("statistics", renderings(statistics.snapshot))
        outputs.add("receiver counters", renderings(pipeline.receiver.counters))
    }

    var deadLetterCount: Int { get async { await sink.letters.count } }
}

private func rendered(_ response: WebhookResponse) -> String {
    String(decoding: response.body, as: UTF8.self) + "\n"
        + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n") + "\n" + renderings(response)
}

// MARK: - Input shapes

/// The webhook bodies Vigil accepts, each with every field its decoder reads (and some it ignores).
/// Shapes follow shared/reference/genesys-cloud-api.md §2 and the fixtures of VigilModelsTests and
/// VigilEventSubTests.
enum WebhookShape: String, CaseIterable, CustomStringConvertible, Sendable {
    case seedWebhook, customerEnd, userEnd, afterCallWork, wrapup, recordingNotification, eventBridge

    var description: String { rawValue }

    func document(conversation c: GenesysID, recording r: GenesysID, index i: Int) -> String {
        switch self {
        case .seedWebhook:
            return #"""
                {"id": "3f0c9a1e-delivery-\#(i)", "event": "recording:recordingAvailable", "timestamp": "2026-05-01T10:05:20.000Z",
                 "correlationId": "evt-sub-req-\#(i)",
                 "data": {"recordingId": "\#(r)", "conversationId": "\#(c)",
                          "mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/x.wav?X-Amz-Signature=ab12",
                          "participants": [{"participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "purpose": "customer"},
                                           {"participantId": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", "purpose": "agent",
                                            "userId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"}],
                          "startTime": "2026-05-01T10:00:00.000Z", "endTime": "2026-05-01T10:05:00.000Z",
                          "direction": "INBOUND", "channel": "VOICE",
                          "tags": [{"key": "queue", "value": "billing"}, {"key": "note", "value": "asked about a late fee"}]}}
                """#
        case .customerEnd:
            return Self.notification(
                c, "customer.end",
                Self.fields(c) + #"""
                    , "disconnectType": "CLIENT", "externalOrganizationId": "a1b2c3d4-0000-4000-8000-00000000000a",
                     "externalContactId": "e4c2a1b0-9d8e-4f7a-b6c5-d4e3f2a1b0c9", "interactingDurationMs": 60000}
                    """#)
        case .userEnd:
            return Self.notification(
                c, "user.end",
                Self.fields(c) + #"""
                    , "disconnectType": "PEER", "userId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                     "queueId": "9f3a4b5c-6d7e-4f8a-8b1c-2d3e4f5a6b7c", "interactingDurationMs": 60000, "heldDurationMs": 0}
                    """#)
        case .afterCallWork, .wrapup:
            return Self.notification(
                c, self == .afterCallWork ? "acw" : "wrapup",
                Self.fields(c) + #"""
                    , "userId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "queueId": "9f3a4b5c-6d7e-4f8a-8b1c-2d3e4f5a6b7c",
                     "wrapupCode": "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e", "wrapupNotes": "customer asked for a refund",
                     "wrapupDurationMs": 4000}
                    """#)
        case .recordingNotification:
            return #"""
                {"topicName": "v2.users.1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d.conversations.\#(c).recordings", "version": "2",
                 "eventBody": {"id": "\#(r)", "conversationId": "\#(c)", "fileState": "AVAILABLE",
                               "mediaUris": [{"channelId": "0", "mediaUri": "https://prod-use1-recordings.s3.amazonaws.com/a.wav?X-Amz-Signature=ab12",
                                              "waveUri": "https://prod-use1-recordings.s3.amazonaws.com/a.wave?X-Amz-Signature=cd34",
                                              "waveformData": []}],
                               "estimatedTranscodeTimeMs": 0, "actualTranscodeTimeMs": 900},
                 "metadata": {"CorrelationId": "0c9e8d7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f"}, "timestamp": "2022-04-06T09:30:45.013Z"}
                """#
        case .eventBridge:
            return #"""
                {"version": "0", "id": "58fb5dac-2d0e-4f1b-8c3a-6e7d9f0a1b2c", "detail-type": "v2.detail.events.conversation.{id}.customer.end",
                 "source": "aws.partner/genesys.com/cloud/32aa07aa-5c4b-4e2d-9f1a-8b7c6d5e4f30/test-event-bus",
                 "account": "123456789012", "time": "2022-06-14T16:12:11.000Z", "region": "us-east-1", "resources": ["arn:aws:events:bus"],
                 "detail": \#(WebhookShape.customerEnd.document(conversation: c, recording: r, index: i))}
                """#
        }
    }

    /// The detail-event fields every conversation end event carries, the personal ones included.
    private static func fields(_ c: GenesysID) -> String {
        #"""
        {"eventTime": 1649237504949, "conversationId": "\#(c)", "participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f",
         "sessionId": "c03d300e-7b8a-4c55-a1f2-5e9d0b6c4f21", "mediaType": "VOICE", "provider": "Edge", "direction": "INBOUND",
         "ani": "tel:+14155550123", "dnis": "tel:+18005550199", "addressTo": "sip:support@example.com",
         "addressFrom": "sip:caller@example.org", "callbackUserName": "Pat Doe", "callbackNumbers": ["+14155550100", "+14155550101"],
         "callbackScheduledTime": 1649237600000, "subject": "Billing question", "messageType": "sms",
         "conversationExternalContactIds": ["e4c2a1b0-9d8e-4f7a-b6c5-d4e3f2a1b0c9"],
         "conversationExternalOrganizationIds": ["a1b2c3d4-0000-4000-8000-00000000000a"],
         "divisionId": "32aa07aa-5c4b-4e2d-9f1a-8b7c6d5e4f30", "utilizationLabel": "standard"
        """#
    }

    private static func notification(_ c: GenesysID, _ suffix: String, _ body: String) -> String {
        #"""
        {"topicName": "v2.detail.events.conversation.\#(c).\#(suffix)", "version": "2", "eventBody": \#(body),
         "metadata": {"CorrelationId": "7272d362-23b2-4c14-9d40-dc7b7683153a"}, "timestamp": "2022-04-06T09:30:45.013Z"}
        """#
    }
}

/// The seed's verdict shape (shared/seed, `seed_verdict.json`), for the request the job makes.
private func verdictDocument(recording: GenesysID, correlation: String) -> String {
    #"""
    {"recordingId": "\#(recording)", "verdict": "VIOLATION_DETECTED", "violationType": "PCI_MID_CAPTURE",
     "confidenceScore": 0.94, "timestampOffsetMs": 12000, "evidenceSnippet": "DTMF card ************1111 at 12.0 s (external)",
     "recommendedAction": "ROUTE_TO_COMPLIANCE_QUEUE", "correlationId": "\#(correlation)"}
    """#
}

/// A Speech & Text Analytics transcript (the VigilModelsTests fixture's shape) whose phrases already
/// make findings: no recording notice, a card number asked for, a prohibited phrase.
private let transcriptDocument = #"""
    {"organizationId": "32aa07aa-5c4b-4e2d-9f1a-8b7c6d5e4f30", "conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e",
     "communicationId": "c03d300e-7b8a-4c55-a1f2-5e9d0b6c4f21", "mediaType": "call", "conversationStartTime": 1714557600000,
     "startTime": 1714557601000, "duration": {"milliseconds": 312000},
     "participants": [{"participantPurpose": "external", "ani": "+15551234567", "dnis": "+15557654321",
                       "startTimeMs": 1714557601000, "endTimeMs": 1714557913000},
                      {"participantPurpose": "internal", "userId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                       "queueId": "9f3a4b5c-6d7e-4f8a-8b1c-2d3e4f5a6b7c"}],
     "transcripts": [{"transcriptId": "5a6b7c8d-9e0f-4a1b-8c3d-4e5f6a7b8c9d", "language": "en-US",
       "programId": "6b7c8d9e-0f1a-4b2c-8d4e-5f6a7b8c9d0e", "engineId": "genesys", "startTime": 1714557601000,
       "phrases": [
         {"phraseIndex": 0, "participantPurpose": "internal", "text": "Thank you for calling Example Bank, how can I help?",
          "offset": {"milliseconds": 1200}, "duration": {"milliseconds": 2500}, "confidence": 0.93},
         {"phraseIndex": 1, "participantPurpose": "external", "text": "I'd like to pay my balance by card.",
          "decoratedText": "I'd like to pay my balance by card.", "offset": {"milliseconds": 6100}, "duration": {"milliseconds": 2500}},
         {"phraseIndex": 2, "participantPurpose": "internal", "text": "Go ahead with the long number on the front of the card.",
          "offset": {"milliseconds": 9800}, "duration": {"milliseconds": 2500}, "confidence": 0.9},
         {"phraseIndex": 3, "participantPurpose": "external", "text": "sure it is", "offset": {"milliseconds": 14200},
          "duration": {"milliseconds": 1800}, "startTimeMs": 1714557615200,
          "words": [{"word": "sure", "confidence": 0.98, "startTimeMs": 1714557615200, "duration": {"milliseconds": 300}},
                    {"word": "it", "startTimeMs": 1714557615600, "duration": {"milliseconds": 200}},
                    {"word": "is", "startTimeMs": 1714557615900, "duration": {"milliseconds": 200}}]},
         {"phraseIndex": 4, "participantPurpose": "internal", "text": "Thanks. And with this plan you get guaranteed approval.",
          "offset": {"milliseconds": 31000}, "duration": {"milliseconds": 2500}, "alternatives": [{"text": "guaranteed approval"}]}],
       "analytics": {"sentiment": [{"participant": "external", "phraseIndex": 1, "sentiment": -1}],
                     "topics": [{"participant": "external", "topicName": "Payment", "topicPhrase": "card number",
                                 "transcriptPhrase": "pay my balance by card", "confidence": 0.9}]}}],
     "uri": "s3://transcripts/2f7bf00a/c03d300e.json"}
    """#

/// A Genesys `ErrorBody` with every field (reference §4), as the API sends with 4xx/5xx.
private let errorBodyDocument = #"""
    {"message": "Unable to update conversation 2f7bf00a-0fc2-4d6a-9b56-92238191433e: attribute value rejected",
     "code": "bad.request", "status": 400, "entityId": "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11", "entityName": "recording",
     "messageWithParams": "Unable to update {entity}: {reason}",
     "messageParams": {"entity": "conversation", "reason": "attribute value rejected"},
     "contextId": "7272d362-23b2-4c14-9d40-dc7b7683153a",
     "details": [{"errorCode": "invalid.value", "fieldName": "attributes.compliance_status",
                  "entityId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "entityName": "participant"}],
     "errors": [{"message": "nested failure for the participant", "code": "invalid.value", "status": 400,
                 "contextId": "0c9e8d7f-6a5b-4c3d-8e1f-0a9b8c7d6e5f", "details": [], "errors": []}],
     "limit": {"key": "requests.volume.max", "namespace": "platform.api", "value": 300}}
    """#

/// The login host's OAuth error body (RFC 6749 `error_description` and Genesys' `description`).
private let oauthErrorDocument = #"""
    {"error": "invalid_client", "description": "client authentication failed for client sim-client",
     "error_description": "Client authentication failed"}
    """#

// MARK: - Webhooks

@Suite("PII never leaks: every field of every input shape, planted and followed to every output")
struct PIIPropertyTests {
    static let webhookVariants = 150

    /// Webhook bodies, signed so they pass verification: each variant is decoded on its own, delivered
    /// through `CompliancePipeline.receive`, and its job (fan-out children included) processed to the
    /// end against a recording that exists, by an engine that flags it — so tokens, ids and metadata
    /// travel as far as they can: engine request, annotation, tag, attributes, work item.
    @Test(arguments: WebhookShape.allCases)
    func webhookBodiesLeakNothing(shape: WebhookShape) async throws {
        let engines = [RecordingEngine(), RecordingEngine()]
        let rigs = [
            LeakRig(engine: { _, _ in engines[0] }),
            LeakRig(
                tokenizer: RedactionEventTokenizer(tokenKey: try TokenKey(Array(repeating: 9, count: 32))),
                engine: { _, _ in engines[1] })
        ]
        var generator = PIIGenerator(seed: seed ^ 0xF00D)
        var statuses: [Int: Int] = [:]
        for index in 0..<Self.webhookVariants {
            let rig = rigs[index % 2], engine = engines[index % 2]
            let conversation = seededID(index, 1), recording = seededID(index, 2)
            let planter = try PIIPlanter(json: shape.document(conversation: conversation, recording: recording, index: index))
            let variant = try #require(planter.variant(index, seed: seed))
            await rig.cloud.addRecording(conversationId: conversation, recordingId: recording)
            var planted = variant.planted
            // The delivery id header is the sender's too.
            let deliveryId = plantedValue(index, every: 7, into: &planted, generator: &generator) ?? "msg_\(index)"

            var outputs = Outputs()
            do {
                outputs.add("decoded event", renderings(try EventDecoder().decode(variant.bytes)))
            } catch {
                outputs.add("decode error", renderings(error))
            }
            let response = await rig.deliver(variant.bytes, id: deliveryId)
            statuses[response.status, default: 0] += 1
            outputs.add("HTTP response", rendered(response))
            await rig.drain(into: &outputs)
            outputs.add("engine request", engine.drain())
            await rig.collect(into: &outputs)
            expectNoLeak(outputs, planted, "\(shape) \(variant)")
        }
        // The property must have reached past the decoder: accepted jobs, ignored events and refusals.
        #expect(statuses[202, default: 0] >= Self.webhookVariants / 3, "\(shape): \(statuses)")
        #expect(statuses[400, default: 0] > 0, "\(shape): \(statuses)")
    }

    // MARK: - Engine verdicts

    static let verdictVariants = 280

    /// An engine reply (`200` + verdict JSON over `HTTPComplianceEngine`; also `202` + acceptance and
    /// 4xx/5xx with a body) with PII in every field: refused with an error that holds none (malformed
    /// reply, or rejected by the validator — an unknown `verdict`, `violationType` or
    /// `recommendedAction` must be label-shaped), or accepted without any planted value reaching an
    /// observer event, the statistics, a dead letter or a remediation payload.
    ///
    /// Deliberately allowed: `evidenceSnippet` may be accepted with an e-mail address or phone number in
    /// it (the validator refuses only unmasked card numbers and SSNs there, as documented). It stays in
    /// the verdict — stored with the recording's idempotency record so a retry need not call the engine
    /// again — and no sink here can see it: templates cannot quote it and events never carry it.
    @Test func engineVerdictsLeakNothing() async throws {
        let endpoint = EngineEndpoint()
        let rig = LeakRig { _, clock in
            HTTPComplianceEngine(
                configuration: .init(
                    endpoint: URL(string: "https://engine.vigil.test/v1/evaluate")!,
                    secret: try! VerdictSigningSecret(bytes: Array(repeating: 5, count: 32)),
                    now: clock.wall),
                transport: endpoint)
        }
        var outcomes: [String: Int] = [:]
        for index in 0..<Self.verdictVariants {
            let conversation = seededID(index, 3), recording = seededID(index, 4)
            let correlation = "pii-verdict-\(index)"
            // Mostly `200` + verdict; every tenth reply a `202` acceptance, every tenth a 4xx/5xx with a body.
            let status = index % 10 == 9 ? 202 : index % 10 == 8 ? [400, 422, 429, 500, 503][index / 10 % 5] : 200
            let document =
                status == 202
                ? #"{"correlationId": "\#(correlation)", "expectedBy": "2026-05-01T10:10:00.000Z", "note": "queued for analysis"}"#
                : verdictDocument(recording: recording, correlation: correlation)
            let planter = try PIIPlanter(json: document)
            let variant = try #require(planter.variant(index, seed: seed ^ 0xBEEF))
            await rig.cloud.addRecording(conversationId: conversation, recordingId: recording)
            try await rig.queue.enqueue(
                RecordingJob(
                    conversationId: conversation, recordingId: recording, kind: .recordingAvailable,
                    correlationId: CorrelationID(correlation)!, receivedAt: rig.clock.wallNow),
                notBefore: nil)
            endpoint.answer(status: status, variant.bytes)

            var outputs = Outputs()
            do {
                if status == 200 { _ = try VigilJSON.decode(ComplianceVerdict.self, from: variant.bytes) }
            } catch {
                outputs.add("verdict decode error", renderings(error))
            }
            let before = rig.statistics.snapshot
            await rig.drain(into: &outputs)
            outputs.add("engine request", endpoint.drain())
            await rig.collect(into: &outputs)
            expectNoLeak(outputs, variant.planted, "verdict \(variant)")
            let after = rig.statistics.snapshot
            let outcome =
                status != 200
                ? "other"
                : after.flagged > before.flagged
                    ? "flagged"
                    : after.validationRejected > before.validationRejected
                        ? "rejected"
                        : after.engineFailures.values.reduce(0, +) > before.engineFailures.values.reduce(0, +) ? "malformed" : "other"
            outcomes[outcome, default: 0] += 1
        }
        #expect(outcomes["flagged", default: 0] > 20, "\(outcomes)")
        #expect(outcomes["rejected", default: 0] > 20, "\(outcomes)")
        #expect(outcomes["malformed", default: 0] > 20, "\(outcomes)")
    }

    static let callbackVariants = 140

    /// The same verdicts arriving later through a signed callback (`VerdictCallbackReceiver`), some for
    /// a recording nothing awaits and some under a planted `webhook-id`: the callback error (what the
    /// host answers the engine with and logs), or — accepted — the remediation
    /// `CompliancePipeline.remediate` runs, its report, events and payloads.
    @Test func verdictCallbacksLeakNothing() async throws {
        let rig = LeakRig { _, _ in RecordingEngine() }
        let key = Array(repeating: UInt8(6), count: 32)
        let registry = PendingVerdictRegistry(now: rig.clock.wall)
        let receiver = VerdictCallbackReceiver(
            configuration: .init(
                secrets: [try VerdictSigningSecret(bytes: key)],
                now: rig.clock.wall),
            registry: registry, policy: .default)
        var generator = PIIGenerator(seed: seed ^ 0xCA12)
        var accepted = 0, refused = 0
        for index in 0..<Self.callbackVariants {
            let conversation = seededID(index, 5), recording = seededID(index, 6)
            let correlation = CorrelationID("pii-callback-\(index)")!
            await rig.cloud.addRecording(conversationId: conversation, recordingId: recording)
            let request = ComplianceRequest(
                correlationId: correlation, recordingId: recording, conversationId: conversation,
                media: MediaLink(
                    uri: PresignedURL(string: "https://media.sim.vigil.test/media/\(recording)?sig=1")!,
                    expiresAt: rig.clock.wallNow.addingTimeInterval(3_600), format: .wav),
                requestedAt: rig.clock.wallNow)
            if index % 6 != 5 {
                // Else nothing awaits it: refused before validation, with the ids the callback claims.
                await registry.register(request, expiresAt: rig.clock.wallNow.addingTimeInterval(3_600))
            }
            let planter = try PIIPlanter(json: verdictDocument(recording: recording, correlation: correlation.rawValue))
            let variant = try #require(planter.variant(index, seed: seed ^ 0xCA11))
            var planted = variant.planted
            // The engine's own webhook-id.
            let id = plantedValue(index, every: 7, into: &planted, generator: &generator) ?? "cb_\(index)"
            let timestamp = Int64(rig.clock.wallNow.timeIntervalSince1970)
            let headers: HTTPFields = [
                "webhook-id": id, "webhook-timestamp": String(timestamp),
                "webhook-signature": StandardWebhooks.signature(
                    id: id, timestamp: timestamp, body: variant.bytes,
                    keyed: HMACSHA256(key: key))
            ]

            var outputs = Outputs()
            do {
                let callback = try await receiver.receive(headers: headers, body: variant.bytes)
                accepted += 1
                do {
                    let report = try await rig.pipeline.remediate(
                        callback.verdict, for: callback.request,
                        decision: callback.decision)
                    outputs.add("remediation report", report.map(renderings) ?? "")
                } catch {
                    outputs.add("remediation error", renderings(error))
                }
            } catch {
                refused += 1
                outputs.add("callback error", renderings(error) + "\nHTTP \(error.httpStatus)")
            }
            await rig.collect(into: &outputs)
            expectNoLeak(outputs, planted, "callback \(variant) id \(id)")
        }
        #expect(accepted > 10 && refused > 10, "accepted \(accepted), refused \(refused)")
    }

    // MARK: - Transcripts

    static let transcriptVariants = 420
    static let transcriptPipelineVariants = 90

    /// STA transcripts with PII in every field, phrase text included: the decode error, or the
    /// findings (`description`, `evidence`, `participant`, reflection) — which carry offsets and
    /// masked values only — and `ContentAnalyzer`'s error for a document it cannot read.
    @Test func transcriptsLeakNothing() async throws {
        let planter = try PIIPlanter(json: transcriptDocument)
        var findings = 0, refused = 0
        for variant in planter.variants(count: Self.transcriptVariants, seed: seed ^ 0x57A) {
            var outputs = Outputs()
            do {
                let document = try VigilJSON.decode(STATranscriptDocument.self, from: variant.bytes)
                let found = TranscriptAnalyzer().findings(in: document)
                findings += found.count
                for finding in found {
                    outputs.add("finding", renderings(finding) + "\n" + finding.evidence + "\n" + finding.participant)
                }
            } catch {
                refused += 1
                outputs.add("transcript decode error", renderings(error))
            }
            var analyzer = ContentAnalyzer()
            do {
                _ = try analyzer.consume(variant.bytes)
                let found = try analyzer.finish()
                outputs.add("content analyzer finding", found.map(renderings).joined(separator: "\n"))
            } catch {
                outputs.add("content analyzer error", renderings(error))
            }
            expectNoLeak(outputs, variant.planted, "transcript \(variant)")
        }
        #expect(findings > Self.transcriptVariants, "findings \(findings)")
        #expect(refused > 0, "refused \(refused)")
    }

    /// The same transcripts as a recording's media, analysed by `ReferenceComplianceEngine` inside the
    /// pipeline: its verdict (evidence included) and whatever remediation follows.
    @Test func transcriptsThroughTheReferenceEngineLeakNothing() async throws {
        let rig = LeakRig { cloud, _ in ReferenceComplianceEngine(transport: cloud) }
        let planter = try PIIPlanter(json: transcriptDocument)
        var flagged = 0
        for variant in planter.variants(count: Self.transcriptPipelineVariants, seed: seed ^ 0x57B) {
            let conversation = seededID(variant.index, 7), recording = seededID(variant.index, 8)
            await rig.cloud.addRecording(
                conversationId: conversation, recordingId: recording, media: .bytes(variant.bytes),
                contentType: "application/json")
            try await rig.queue.enqueue(
                RecordingJob(
                    conversationId: conversation, recordingId: recording,
                    kind: .recordingAvailable,
                    correlationId: CorrelationID("pii-transcript-\(variant.index)")!,
                    receivedAt: rig.clock.wallNow), notBefore: nil)
            var outputs = Outputs()
            let before = rig.statistics.snapshot.flagged
            await rig.drain(into: &outputs)
            await rig.collect(into: &outputs)
            if rig.statistics.snapshot.flagged > before { flagged += 1 }
            expectNoLeak(outputs, variant.planted, "transcript media \(variant)")
        }
        #expect(flagged > Self.transcriptPipelineVariants / 2, "flagged \(flagged)")
    }

    // MARK: - Platform error bodies

    static let platformErrorVariants = 300
    static let loginErrorVariants = 100
    static let pipelinePlatformErrorVariants = 120

    /// The platform answering 4xx/5xx with an `ErrorBody` holding PII in every field (and in the
    /// `ININ-Correlation-Id` header): the `GenesysAPIError` the client throws carries none of it.
    @Test func platformErrorBodiesLeakNothing() async throws {
        let clock = TestClock()
        let cloud = SimulatedGenesysCloud(configuration: .init(seed: seed), clock: clock)
        let platform = RecordingPlatform(base: cloud)
        let client = GenesysCloudClient(
            region: cloud.region, credentials: cloud.credentials, transport: platform,
            configuration: GenesysClientConfiguration(retryPolicy: NoRetryPolicy()),
            clock: clock, now: clock.wall)
        let (conversation, recording) = await cloud.addRecording()
        let statuses = [400, 401, 403, 404, 409, 415, 422, 429, 500, 501, 502, 503, 504, 418]
        let planter = try PIIPlanter(json: errorBodyDocument)
        var generator = PIIGenerator(seed: seed ^ 0xE44)
        for variant in planter.variants(count: Self.platformErrorVariants, seed: seed ^ 0xE45) {
            let status = statuses[variant.index % statuses.count]
            var planted = variant.planted
            var headers: HTTPFields = ["Content-Type": "application/json"]
            headers["ININ-Correlation-Id"] = plantedValue(variant.index + 2, every: 3, into: &planted, generator: &generator)
            platform.answer(
                .init(
                    matches: { $0.url.host?.hasPrefix("api.") == true }, status: status, headers: headers,
                    body: variant.bytes))
            var outputs = Outputs()
            let call = variant.index / statuses.count % 5
            do {
                switch call {
                case 0: _ = try await client.recording(conversationId: conversation, recordingId: recording)
                case 1: _ = try await client.listRecordings(conversationId: conversation, maxWait: .zero)
                case 2: try await client.setExternalTag("compliance-flag", conversationId: conversation)
                case 3:
                    _ = try await client.createAnnotation(
                        Annotation(
                            name: "Compliance: PCI_MID_CAPTURE", type: "bookmark",
                            location: 12_000),
                        conversationId: conversation, recordingId: recording)
                default:
                    _ = try await client.createWorkitem(
                        WorkitemCreate(
                            name: "Compliance review", typeId: worktypeId,
                            queueId: reviewQueueId))
                }
                Issue.record("HTTP \(status) did not fail call \(call)")
            } catch {
                outputs.add("platform error", renderings(error))
            }
            _ = platform.drain()
            expectNoLeak(outputs, planted, "HTTP \(status) call \(call) \(variant)")
        }
    }

    /// The login host refusing a token with an OAuth error body holding PII in every field.
    @Test func loginErrorBodiesLeakNothing() async throws {
        let statuses = [400, 401, 403, 429, 500, 503, 418]
        let planter = try PIIPlanter(json: oauthErrorDocument)
        var generator = PIIGenerator(seed: seed ^ 0x10B)
        for variant in planter.variants(count: Self.loginErrorVariants, seed: seed ^ 0x10A) {
            let clock = TestClock()
            let cloud = SimulatedGenesysCloud(configuration: .init(seed: seed), clock: clock)
            let platform = RecordingPlatform(base: cloud)
            let status = statuses[variant.index % statuses.count]
            var planted = variant.planted
            var headers: HTTPFields = ["Content-Type": "application/json"]
            headers["ININ-Correlation-Id"] = plantedValue(variant.index + 2, every: 3, into: &planted, generator: &generator)
            platform.answer(
                .init(
                    matches: { $0.url.path.hasSuffix("/oauth/token") }, status: status,
                    headers: headers, body: variant.bytes))
            let client = GenesysCloudClient(
                region: cloud.region, credentials: cloud.credentials, transport: platform,
                configuration: GenesysClientConfiguration(retryPolicy: NoRetryPolicy()),
                clock: clock, now: clock.wall)
            var outputs = Outputs()
            do {
                try await client.authenticate()
                Issue.record("HTTP \(status) from the login host did not fail")
            } catch {
                outputs.add("login error", renderings(error))
            }
            expectNoLeak(outputs, planted, "login HTTP \(status) \(variant)")
        }
    }

    /// Planted error bodies met inside the pipeline — the recording's `GET`, or a remediation call —
    /// reach neither the dead letter (whose reason is the error's description) nor an observer event.
    @Test func platformErrorsInsideThePipelineLeakNothing() async throws {
        let engine = RecordingEngine()
        let rig = LeakRig { _, _ in engine }
        // Permanent failures, so the recording is dead-lettered with the platform's error as its reason.
        let targets: [(name: String, method: HTTPMethod, path: String, statuses: [Int])] = [
            ("recording", .get, "/recordings/", [400, 403, 410, 501]),
            ("annotation", .post, "/annotations", [400, 403, 409, 422]),
            ("external tag", .put, "/tags", [400, 403, 422]),
            ("participant attributes", .patch, "/participants/", [400, 403, 409]),
            ("work item", .post, "/taskmanagement/workitems", [400, 403, 415, 422])
        ]
        let planter = try PIIPlanter(json: errorBodyDocument)
        var before = await rig.deadLetterCount
        var deadLettered = 0
        for variant in planter.variants(count: Self.pipelinePlatformErrorVariants, seed: seed ^ 0xE46) {
            let target = targets[variant.index % targets.count]
            let status = target.statuses[variant.index / targets.count % target.statuses.count]
            let conversation = seededID(variant.index, 9), recording = seededID(variant.index, 10)
            await rig.cloud.addRecording(conversationId: conversation, recordingId: recording)
            let method = target.method, path = target.path
            rig.platform.answer(
                .init(
                    matches: {
                        $0.method == method && $0.url.path.contains(path)
                            && !$0.url.path.hasSuffix("/query")
                    },
                    status: status, headers: ["Content-Type": "application/json"], body: variant.bytes))
            try await rig.queue.enqueue(
                RecordingJob(
                    conversationId: conversation, recordingId: recording, kind: .recordingAvailable,
                    correlationId: CorrelationID("pii-platform-\(variant.index)")!,
                    receivedAt: rig.clock.wallNow), notBefore: nil)
            var outputs = Outputs()
            await rig.drain(into: &outputs)
            rig.platform.answer(nil)
            await rig.collect(into: &outputs)
            _ = engine.drain()
            let after = await rig.deadLetterCount
            if after > before { deadLettered += 1 }
            before = after
            expectNoLeak(outputs, variant.planted, "\(target.name) HTTP \(status) \(variant)")
        }
        #expect(deadLettered > Self.pipelinePlatformErrorVariants / 2, "dead-lettered \(deadLettered)")
    }
}

// MARK: - The planter itself

@Suite("PIIPlanter: fresh valid PII in every field, found in every spelling")
struct PIIPlanterTests {
    @Test func generatedCardNumbersAreLuhnValidFreshAndOfTheirIssuer() {
        var generator = PIIGenerator(seed: 1)
        var seen = Set<String>()
        for _ in 0..<300 {
            for kind in [PIIPlanter.Kind.visa, .mastercard, .amex] {
                let card = generator.next(kind)
                let digits = card.digits.compactMap(\.wholeNumberValue)
                #expect(PIIGenerator.isLuhnValid(digits), "\(card)")
                #expect(RedactionPIIScanner().scan(card.text) == [.pan], "\(card) is a card number to VigilRedaction")
                switch kind {
                case .visa: #expect(digits.count == 16 && digits[0] == 4, "\(card)")
                case .amex: #expect(digits.count == 15 && [34, 37].contains(digits[0] * 10 + digits[1]), "\(card)")
                default:
                    let prefix = digits.prefix(4).reduce(0) { $0 * 10 + $1 }
                    #expect(digits.count == 16 && ((5100...5599).contains(prefix) || (2221...2720).contains(prefix)), "\(card)")
                }
                seen.insert(card.digits)
            }
        }
        #expect(seen.count == 900, "fresh numbers, not the well-known test cards")
        #expect(PIIGenerator.luhnCheckDigit(for: [4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]) == 1)
    }

    @Test func otherKindsHaveTheirShape() {
        var generator = PIIGenerator(seed: 2)
        for _ in 0..<200 {
            let ssn = generator.next(.ssn)
            let area = Int(ssn.digits.prefix(3))!
            #expect(ssn.digits.count == 9 && area != 0 && area != 666 && area < 900, "\(ssn)")
            #expect(RedactionPIIScanner().scan(ssn.text) == [.ssn] || !ssn.text.contains("-"), "\(ssn)")
            let email = generator.next(.email)
            #expect(email.text.contains("@") && email.needles.count == 2, "\(email)")
            let e164 = generator.next(.phoneE164)
            #expect(e164.text.hasPrefix("+1") && e164.text.count == 12 && e164.digits.count == 10, "\(e164)")
            let national = generator.next(.phoneNANP)
            #expect(national.digits.count == 10 && !national.text.hasPrefix("+"), "\(national)")
        }
    }

    @Test func everyVariantIsValidJSONHoldingWhatItPlanted() throws {
        for document in [
            WebhookShape.seedWebhook.document(conversation: seededID(0, 1), recording: seededID(0, 2), index: 0),
            WebhookShape.eventBridge.document(conversation: seededID(0, 1), recording: seededID(0, 2), index: 0),
            verdictDocument(recording: seededID(0, 2), correlation: "c-1"), transcriptDocument, errorBodyDocument
        ] {
            let planter = try PIIPlanter(json: document)
            let count = planter.sites.count * 5
            var placements = Set<PIIPlanter.Placement>()
            var planted = Set<String>()
            for variant in planter.variants(count: count, seed: 3) {
                try StrictJSON.validate(variant.bytes)
                // The detector finds each planted value in the variant itself: the property can fail.
                #expect(variant.leaks(in: variant.text).count == variant.planted.count, "\(variant)")
                #expect(variant.leaks(in: String(decoding: planter.document, as: UTF8.self)).isEmpty, "\(variant)")
                placements.insert(variant.placement)
                for site in variant.sites { planted.insert(site.description) }
            }
            #expect(placements == Set(PIIPlanter.Placement.allCases))
            #expect(planted == Set(planter.sites.map(\.description)), "every site planted")
        }
    }

    @Test func variantsAreDeterministic() throws {
        let planter = try PIIPlanter(json: errorBodyDocument)
        #expect(planter.variants(count: 40, seed: 9).map(\.bytes) == planter.variants(count: 40, seed: 9).map(\.bytes))
        #expect(planter.variants(count: 40, seed: 9).map(\.bytes) != planter.variants(count: 40, seed: 10).map(\.bytes))
    }

    @Test func aPlantedValueIsFoundInEverySpellingButNotMasked() {
        let card = PIIPlanter.Planted(
            kind: .visa, text: "4539 5787 6362 1486", digits: "4539578763621486",
            needles: ["4539 5787 6362 1486"])
        for text in ["x 4539578763621486 y", "4539-5787-6362-1486", "card:4539.5787.6362.1486!", "(4539) 5787 6362/1486"] {
            #expect(card.occurs(in: text), "\(text)")
        }
        for text in ["************1486", "4539 57** **** 1486", "453957876362148", "4539a578763621486"] {
            #expect(!card.occurs(in: text), "\(text)")
        }
        let phone = PIIPlanter.Planted(kind: .phoneE164, text: "+14155550123", digits: "4155550123", needles: ["+14155550123"])
        #expect(phone.occurs(in: "call (415) 555-0123") && phone.occurs(in: "tel:1-415-555-0123") && !phone.occurs(in: "***-***-0123"))
        let email = PIIPlanter.Planted(
            kind: .email, text: "avery.q7k2m9@example.com", digits: "",
            needles: ["avery.q7k2m9@example.com", "avery.q7k2m9"])
        #expect(email.occurs(in: "to AVERY.Q7K2M9%40example.com") && !email.occurs(in: "avery@example.com"))
        #expect(email.excerpt(in: "… sent to avery.q7k2m9@example.com today", radius: 4) == "… to avery.q7k2m9@example.com tod…")
    }
}

/// For every `every`th index (the last of each run of `every`), a planted value for a header the sender
/// controls (recorded in `planted`); else `nil`.
private func plantedValue(
    _ index: Int, every: Int, into planted: inout [PIIPlanter.Planted],
    generator: inout PIIGenerator
) -> String? {
    guard index % every == every - 1 else { return nil }
    let value = generator.any()
    planted.append(value)
    return value.text
}
