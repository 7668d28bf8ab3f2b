import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("VerdictCallbackReceiver: spoofed, replayed and unexpected callbacks are rejected and reported")
struct CallbackReceiverTests {
    let clock = TestClock()
    let incidents = IncidentLog()
    let registry: PendingVerdictRegistry
    let receiver: VerdictCallbackReceiver

    init() async {
        registry = PendingVerdictRegistry(now: clock.wall)
        receiver = VerdictCallbackReceiver(
            configuration: .init(secrets: [Fixture.secret], now: clock.wall),
            registry: registry, policy: .default, onIncident: incidents.record)
        await registry.register(Fixture.request(clock: clock), expiresAt: clock.wallNow.addingTimeInterval(3_600))
    }

    func deliver(
        _ body: [UInt8], id: String = "msg_cb1", at timestamp: Date? = nil,
        secret: VerdictSigningSecret = Fixture.secret
    ) async throws(VerdictCallbackError) -> CallbackVerdict {
        try await receiver.receive(
            headers: Fixture.callbackHeaders(
                body: body, id: id, timestamp: timestamp ?? clock.wallNow,
                secret: secret), body: body)
    }

    func failure(
        _ body: [UInt8], id: String = "msg_cb1", at timestamp: Date? = nil,
        secret: VerdictSigningSecret = Fixture.secret
    ) async -> VerdictCallbackError? {
        do {
            _ = try await deliver(body, id: id, at: timestamp, secret: secret)
            return nil
        } catch {
            return error
        }
    }

    @Test func aGenuineCallbackIsHandedOverOnceWithItsDecision() async throws {
        let accepted = try await deliver(Fixture.verdictJSON())
        #expect(accepted.request.recordingId == Fixture.recordingId)
        #expect(accepted.decision?.action == .routeToComplianceQueue)
        #expect(accepted.deliveryId == "msg_cb1")
        var iterator = receiver.verdicts.makeAsyncIterator()
        #expect(await iterator.next() == accepted)
        #expect(await registry.entry(for: Fixture.recordingId) == nil)  // consumed
        #expect(incidents.items.isEmpty)
    }

    @Test func badSignatureIsRejected() async {
        let body = Fixture.verdictJSON()
        #expect(await failure(body, secret: Fixture.otherSecret)?.code == .badSignature)
        // Signed for one body, delivered with another (a tampered verdict).
        var headers = Fixture.callbackHeaders(body: body, timestamp: clock.wallNow)
        let tampered = Fixture.verdictJSON(Fixture.verdict(verdict: .compliant, type: nil, confidence: 0.99, action: RecommendedAction.none))
        await #expect { try await receiver.receive(headers: headers, body: tampered) } throws: {
            ($0 as? VerdictCallbackError)?.code == .badSignature && ($0 as? VerdictCallbackError)?.httpStatus == 401
        }
        headers["webhook-signature"] = "v1,not-base64!"
        await #expect { try await receiver.receive(headers: headers, body: body) } throws: {
            ($0 as? VerdictCallbackError)?.code == .badSignature
        }
        #expect(incidents.codes == ["callback.badSignature", "callback.badSignature", "callback.badSignature"])
        #expect(await registry.entry(for: Fixture.recordingId) != nil)  // still awaiting the genuine one
    }

    @Test func replayedCallbackIsRejected() async throws {
        let body = Fixture.verdictJSON()
        _ = try await deliver(body)
        await registry.register(Fixture.request(clock: clock), expiresAt: clock.wallNow.addingTimeInterval(3_600))
        clock.advance(by: .seconds(200))  // still inside the window
        let replay = await failure(body)  // same webhook-id, re-signed with a fresh timestamp
        #expect(replay?.code == .replayed)
        #expect(replay?.httpStatus == 409)
    }

    @Test func timestampWindowIsEnforcedBothWays() async throws {
        let body = Fixture.verdictJSON()
        #expect(await failure(body, at: clock.wallNow.addingTimeInterval(-301))?.code == .timestampTooOld)
        #expect(await failure(body, at: clock.wallNow.addingTimeInterval(301))?.code == .timestampTooNew)
        #expect(try await deliver(body, at: clock.wallNow.addingTimeInterval(-300)).deliveryId == "msg_cb1")
    }

    @Test func callbackForARecordingNotAwaitingAVerdictIsRejectedAndReported() async {
        let stranger = GenesysID.random()
        let error = await failure(Fixture.verdictJSON(Fixture.verdict(recordingId: stranger)))
        #expect(error?.code == .notAwaiting)
        #expect(error?.recordingId == stranger)
        #expect(incidents.items.first?.recordingId == stranger)
        #expect(incidents.items.first?.source == .callback)
    }

    @Test func aSecondVerdictForTheSameRecordingIsRejected() async throws {
        _ = try await deliver(Fixture.verdictJSON())
        #expect(await failure(Fixture.verdictJSON(), id: "msg_cb2")?.code == .notAwaiting)
    }

    @Test func expiredPendingRequestIsNotAwaited() async {
        clock.advance(by: .seconds(3_601))
        #expect(await failure(Fixture.verdictJSON())?.code == .notAwaiting)
    }

    @Test func wrongCorrelationIdIsRejectedByValidation() async {
        let error = await failure(Fixture.verdictJSON(Fixture.verdict(correlationId: CorrelationID("evt-other")!)))
        #expect(error?.code == .rejectedVerdict)
        #expect(error?.validation?.code == .correlationMismatch)
        #expect(error?.httpStatus == 422)
        #expect(await registry.entry(for: Fixture.recordingId) != nil)
    }

    @Test func malformedBodyNamesThePath() async {
        var json = String(decoding: Fixture.verdictJSON(), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"recordingId\":\"a1b2", with: "\"recordingId\":\"zzzz")
        let error = await failure(Array(json.utf8))
        #expect(error?.code == .malformedBody)
        #expect(error?.path == "recordingId")
    }

    @Test func missingAndInvalidHeaders() async {
        let body = Fixture.verdictJSON()
        await #expect { try await receiver.receive(headers: ["webhook-id": "msg_1"], body: body) } throws: {
            ($0 as? VerdictCallbackError)?.code == .missingHeaders
        }
        var headers = Fixture.callbackHeaders(body: body, timestamp: clock.wallNow)
        headers["webhook-timestamp"] = "1.5e9"
        await #expect { try await receiver.receive(headers: headers, body: body) } throws: {
            ($0 as? VerdictCallbackError)?.code == .invalidHeaders
        }
        #expect(await failure(body, id: "msg.with.dots")?.code == .invalidHeaders)
        await #expect { try await receiver.receive(headers: headers, body: Array(repeating: 0x20, count: 70_000)) } throws: {
            ($0 as? VerdictCallbackError)?.code == .bodyTooLarge
        }
    }

    @Test func aFailingHandlerRestoresStateSoTheEngineRetryIsAccepted() async throws {
        let fail = Locked(false)
        fail.withLock { $0 = true }
        let receiver = VerdictCallbackReceiver(
            configuration: .init(secrets: [Fixture.secret], now: clock.wall), registry: registry,
            onVerdict: { _ in if fail.withLock({ $0 }) { throw CancellationError() } })
        let body = Fixture.verdictJSON()
        let headers = Fixture.callbackHeaders(body: body, timestamp: clock.wallNow)
        await #expect { try await receiver.receive(headers: headers, body: body) } throws: {
            ($0 as? VerdictCallbackError)?.code == .handlerFailed && ($0 as? VerdictCallbackError)?.httpStatus == 503
        }
        fail.withLock { $0 = false }
        let accepted = try await receiver.receive(headers: headers, body: body)  // the engine's retry, same id
        #expect(accepted.deliveryId == "msg_cb1")
    }

    @Test func registryConsumesOnlyTheMatchingCorrelation() async {
        #expect(await registry.remove(Fixture.recordingId, correlationId: CorrelationID("evt-other")!) == nil)
        #expect(await registry.count == 1)
        #expect(await registry.remove(Fixture.recordingId, correlationId: Fixture.correlationId) != nil)
        #expect(await registry.count == 0)
    }
}
