import Foundation
import Testing
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilTesting

/// The webhook door against the shared ambiguity table: a correctly signed body that other parsers
/// would read differently is answered 400 with the strict reader's code and enqueues nothing; a body
/// that only spells the same thing differently is the same event.
@Suite("Webhook door: one reading of signed bytes")
struct AmbiguousBodyTests {
    static let otherId = "00000000-0000-4000-8000-000000000001"
    static let shapes: [(name: String, body: String, path: [String], member: String)] = [
        ("seed webhook", Bodies.seed(), ["data"], "recordingId"),
        ("recording notification", Bodies.recordingNotification(), ["eventBody"], "id"),
        ("EventBridge envelope", Bodies.eventBridge(), ["detail"], "topicName")
    ]

    private static let secret = "whsec_" + Base64.encode((0..<32).map { UInt8($0) })

    private struct Door {
        let wall = WallClock(seconds: 1_780_000_000)
        let queue: InMemoryJobQueue<RecordingJob>
        let receiver: WebhookReceiver
        let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [AmbiguousBodyTests.secret])

        init() {
            queue = InMemoryJobQueue<RecordingJob>(capacity: 1_000, now: wall.read)
            receiver = WebhookReceiver(
                verifier: try! WebhookVerifier(scheme: .standardWebhooks, secrets: [AmbiguousBodyTests.secret], now: wall.read),
                minimiser: EventMinimiser(include: [.recordingId]),
                tokenizer: KeyedEventTokenizer(key: Array(repeating: 7, count: 32))!,
                store: InMemoryIdempotencyStore(now: wall.read), queue: queue, now: wall.read)
        }

        func send(_ body: [UInt8], id: String) async -> WebhookResponse {
            await receiver.receive(
                body: body,
                headers: signer.sign(
                    body: body, id: id,
                    timestamp: Int64(wall.read().timeIntervalSince1970)))
        }

        func jobs() async throws -> [RecordingJob] {
            let count = await queue.pendingCount
            guard count > 0 else { return [] }
            return try await queue.lease(max: count, for: .seconds(60)).map(\.job)
        }
    }

    @Test(arguments: 0..<3)
    func ambiguousSignedBodiesAreRefusedAndEnqueueNothing(shape: Int) async throws {
        let (name, body, path, member) = Self.shapes[shape]
        let variants = AmbiguousJSON.refusals(of: body, at: path, member: member, alternative: "\"\(Self.otherId)\"")
        #expect(variants.count == 16, "\(name)")
        let door = Door()
        for (index, variant) in variants.enumerated() {
            let response = await door.send(variant.bytes, id: "msg_ambiguous\(index)")
            #expect(response.status == 400, "\(name): \(variant)")
            #expect(response.outcome == .rejected(code: "event.\(variant.code!)"), "\(name): \(variant)")
        }
        #expect(try await door.jobs().isEmpty, "\(name)")
    }

    @Test(arguments: 0..<3)
    func equivalentSpellingsAreTheSameEvent(shape: Int) async throws {
        let (name, body, _, member) = Self.shapes[shape]
        let reference = Door()
        let original = await reference.send(Array(body.utf8), id: "msg_original")
        let expected = try await reference.jobs()
        #expect(original.status == 202 && expected.count == 1, "\(name)")
        for (index, variant) in AmbiguousJSON.equivalents(of: body, member: member).enumerated() {
            let door = Door()
            let response = await door.send(variant.bytes, id: "msg_equivalent\(index)")
            #expect(response.status == original.status, "\(name): \(variant)")
            let jobs = try await door.jobs()
            #expect(jobs.map(\.recordingId) == expected.map(\.recordingId), "\(name): \(variant)")
            #expect(jobs.map(\.conversationId) == expected.map(\.conversationId), "\(name): \(variant)")
        }
    }
}
