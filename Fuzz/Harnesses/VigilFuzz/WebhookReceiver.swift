// The whole webhook receiver on a fuzzed body and fuzzed headers. The input is
// `selector, body, webhook-id, extra header lines` (fields split at 0xFF). With the selector's low bit
// set the harness signs the body itself (Standard Webhooks), so the decoder, minimiser, tokenizer and
// idempotency paths are reached; otherwise the fuzzed headers are all there is. Invariants:
// 1. A delivery that is not accepted (202) enqueues nothing; an accepted one enqueues exactly one job.
// 2. The same delivery again gets the same answer, or 200 `duplicate` after an acceptance, and never a
//    second job (claims of a rejected delivery were released; an accepted one is remembered).
// 3. Neither the job, the response (body, headers) nor its description hold a card number or SSN
//    written in the body or headers; a rejection's body holds no 6-digit run of the input.
import Foundation
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilRedaction
import VigilTesting

private let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
private let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [secret])
private let timestamp: Int64 = 1_780_000_000
private let wall: @Sendable () -> Date = { Date(timeIntervalSince1970: TimeInterval(timestamp)) }
private let tokenKey = try! TokenKey(Array(repeating: 7, count: 32))
private let include: [EventDataField] = [
    .recordingId, .conversationId, .mediaUri, .participants, .startTime, .endTime,
    .direction, .channel, .tags
]

func fuzzWebhookReceiver(_ buffer: UnsafeBufferPointer<UInt8>) {
    let input = FuzzInput(buffer)
    let fields = input.fields(3)
    let body = fields[0], id = String(decoding: fields[1], as: UTF8.self)
    var headers = HTTPFields()
    if input.selector & 1 == 1 {
        headers = signer.sign(body: body, id: id.isEmpty ? "msg_fuzz" : id, timestamp: timestamp)
    }
    for line in fields[2].split(separator: UInt8(ascii: "\n")) {
        let parts = line.split(separator: UInt8(ascii: ":"), maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else { continue }
        headers.append(name: String(decoding: parts[0], as: UTF8.self), value: String(decoding: parts[1], as: UTF8.self))
    }
    let secrets = plantedSecrets(in: input.bytes)
    let runs = digitRuns(in: input.bytes)
    let sentHeaders = headers

    blocking {
        let store = InMemoryIdempotencyStore(now: wall)
        let queue = InMemoryJobQueue<RecordingJob>(now: wall)
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [secret], now: wall)
        let receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: include),
            tokenizer: RedactionEventTokenizer(tokenKey: tokenKey),
            store: store, queue: queue, now: wall)
        let first = await receiver.receive(body: body, headers: sentHeaders)
        let afterFirst = await queue.pendingCount
        guard afterFirst == (first.status == 202 ? 1 : 0) else {
            violated("a \(first.status) answer left \(afterFirst) jobs queued")
        }
        check(first, secrets: secrets, runs: runs)

        let second = await receiver.receive(body: body, headers: sentHeaders)
        let afterSecond = await queue.pendingCount
        guard afterSecond == afterFirst else { violated("a repeated delivery changed the queue") }
        let expected = first.status == 202 ? 200 : first.status
        guard second.status == expected else {
            violated("a repeated delivery got \(second.status) after \(first.status)")
        }
        check(second, secrets: secrets, runs: runs)

        if afterFirst == 1, let job = try? await queue.lease(max: 1, for: .seconds(60)).first?.job {
            let encoded = String(decoding: (try? VigilJSON.encodeBytes(job)) ?? [], as: UTF8.self)
            checkNoSecrets(encoded, secrets, in: "the queued job")
        }
    }
}

private func check(_ response: WebhookResponse, secrets: [String], runs: [String]) {
    let body = String(decoding: response.body, as: UTF8.self)
    let headers = response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    for text in [body, headers, response.description, String(reflecting: response)] {
        checkNoSecrets(text, secrets, in: "the response")
    }
    if response.status >= 300 { checkNoDigits(body + headers, from: runs, in: "a rejection") }
}
