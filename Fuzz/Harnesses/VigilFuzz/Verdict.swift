// The two doors an engine's verdict comes through, on fuzzed bytes.
//
// engine-reply: `HTTPComplianceEngine` answering from a transport that returns the input (the selector
// picks the status and content type), then `VerdictValidator` on any verdict. Invariants:
// 1. Every failure is a `ComplianceEngineError` or `VerdictValidationError` whose renderings hold no
//    6-digit run of the body (an engine error body may carry anything).
// 2. A verdict that passes validation answers the request (same recording and correlation ids), has a
//    confidence in [0, 1], and its evidence holds no card number or SSN written in the body.
//
// verdict-callback: `VerdictCallbackReceiver` on a body the harness signs itself (so decoding and
// validation are reached) or, with the selector's low bit set, on the unsigned body. Invariants:
// 1. A rejected callback consumes nothing: the request is still awaited.
// 2. An accepted one is handed over once: the request is no longer awaited, the same delivery again
//    is refused, and its evidence holds no card number or SSN of the body.
// 3. No error or incident holds a card number or SSN of the body.
import Foundation
import VigilCore
import VigilEventSub
import VigilModels
import VigilVerdict

private let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
private let secret = try! VerdictSigningSecret(secretText)
// Callbacks are Standard Webhooks; the EventSub signer signs them the way an engine does.
private let callbackSigner = try! WebhookSigner(scheme: .standardWebhooks, secrets: [secretText])
let fuzzNow = Date(timeIntervalSince1970: 1_780_000_000)
private let wall: @Sendable () -> Date = { fuzzNow }
// Ids without digit runs, so a run found in an error can only have come from the input.
let fuzzRecordingId = GenesysID("abcdefab-cdef-4abc-8def-abcdefabcdef")!
let fuzzCorrelationId = CorrelationID("fuzz-correlation-id")!
let fuzzRequest = ComplianceRequest(
    correlationId: fuzzCorrelationId, recordingId: fuzzRecordingId, conversationId: GenesysID("fedcbafe-dcba-4fed-8cba-fedcbafedcba")!,
    media: MediaLink(
        uri: PresignedURL(string: "https://media.example.com/rec.wav?X-Amz-Signature=abc")!,
        expiresAt: fuzzNow.addingTimeInterval(1_800), format: .wav),
    metadata: ComplianceRequestMetadata(channel: .voice, direction: .inbound, durationMs: 312_000, language: "en-US"),
    requestedAt: fuzzNow)
private let statuses = [200, 200, 200, 202, 400, 404, 429, 500, 503, 204]

private struct ReplyTransport: HTTPTransport {
    let status: Int
    let contentType: String?
    let body: [UInt8]

    func send(_ request: HTTPRequest, body _: HTTPBody?) async throws -> (HTTPResponse, HTTPBody?) {
        var headers = HTTPFields()
        if let contentType { headers["Content-Type"] = contentType }
        return (HTTPResponse(status: status, headerFields: headers), HTTPBody(body))
    }
}

func fuzzEngineReply(_ buffer: UnsafeBufferPointer<UInt8>) {
    let input = FuzzInput(buffer)
    let body = Array(input.bytes.dropFirst())
    let status = statuses[Int(input.selector & 0x0F) % statuses.count]
    let contentType: String? = [nil, "application/json", "application/json; charset=utf-8", "text/plain"][Int(input.selector >> 6)]
    let runs = digitRuns(in: body), secrets = plantedSecrets(in: body)
    blocking {
        let engine = HTTPComplianceEngine(
            configuration: .init(
                endpoint: URL(string: "https://engine.example.com/v1/evaluate")!, secret: secret,
                now: wall, messageID: { "msg_fuzz" }),
            transport: ReplyTransport(status: status, contentType: contentType, body: body))
        let reply: EngineReply
        do {
            reply = try await engine.evaluate(fuzzRequest)
        } catch {
            for text in renderings(of: error) { checkNoDigits(text, from: runs, in: "an engine error") }
            return
        }
        guard case .verdict(let verdict) = reply else { return }
        do {
            let validated = try VerdictValidator().validate(verdict, for: fuzzRequest)
            guard validated.verdict.recordingId == fuzzRecordingId, validated.verdict.correlationId == fuzzCorrelationId else {
                violated("a verdict for another request passed validation")
            }
            if !(0...1).contains(validated.verdict.confidenceScore) {
                violated("a confidence outside [0, 1] passed validation")
            }
            checkNoSecrets(validated.verdict.evidenceSnippet ?? "", secrets, in: "validated evidence")
        } catch {
            for text in renderings(of: error) { checkNoSecrets(text, secrets, in: "a validation error") }
        }
    }
}

func fuzzVerdictCallback(_ buffer: UnsafeBufferPointer<UInt8>) {
    let input = FuzzInput(buffer)
    let body = Array(input.bytes.dropFirst())
    let signs = input.selector & 1 == 0
    let secrets = plantedSecrets(in: body)
    blocking {
        let registry = PendingVerdictRegistry(now: wall)
        let incidents = IncidentBox()
        let receiver = VerdictCallbackReceiver(
            configuration: .init(secrets: [secret], now: wall), registry: registry,
            policy: .default, onIncident: { incidents.add($0) })
        await registry.register(fuzzRequest, expiresAt: fuzzNow.addingTimeInterval(3_600))
        let timestamp = Int64(fuzzNow.timeIntervalSince1970)
        var headers: HTTPFields = ["Webhook-Id": "msg_fuzz", "Webhook-Timestamp": String(timestamp), "Content-Type": "application/json"]
        if signs {
            headers["Webhook-Signature"] = callbackSigner.signature(body: body, id: "msg_fuzz", timestamp: timestamp)
        }
        do {
            let accepted = try await receiver.receive(headers: headers, body: body)
            guard signs else { violated("an unsigned callback was accepted") }
            guard await registry.entry(for: fuzzRecordingId) == nil else { violated("an accepted callback left its request awaited") }
            checkNoSecrets(accepted.verdict.verdict.evidenceSnippet ?? "", secrets, in: "accepted evidence")
            if (try? await receiver.receive(headers: headers, body: body)) != nil {
                violated("the same callback was handed over twice")
            }
        } catch {
            guard await registry.entry(for: fuzzRecordingId) != nil else { violated("a rejected callback consumed its request") }
            for text in renderings(of: error) { checkNoSecrets(text, secrets, in: "a callback error") }
        }
        for incident in incidents.all {
            for text in [String(describing: incident), String(reflecting: incident)] + renderings(of: incident.error) {
                checkNoSecrets(text, secrets, in: "an incident")
            }
        }
    }
}

private final class IncidentBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [VerdictIncident] = []

    func add(_ incident: VerdictIncident) { lock.withLock { items.append(incident) } }
    var all: [VerdictIncident] { lock.withLock { items } }
}
