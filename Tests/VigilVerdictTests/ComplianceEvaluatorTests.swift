import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("ComplianceEvaluator: engine → validator → policy")
struct ComplianceEvaluatorTests {
    let clock = TestClock()

    @Test func anImmediateVerdictIsValidatedAndDecided() async throws {
        let engine = ScriptedComplianceEngine { _ in .verdict(Fixture.verdict()) }
        let outcome = try await ComplianceEvaluator(engine: engine, now: clock.wall).evaluate(Fixture.request(clock: clock))
        guard case let .decided(validated, decision) = outcome else {
            Issue.record("expected a decision")
            return
        }
        #expect(validated.verdict == Fixture.verdict())
        #expect(decision.action == .routeToComplianceQueue)
        #expect(decision.ruleId == "pci-high")
    }

    @Test func aSpoofedImmediateVerdictIsRejectedAndReported() async {
        let incidents = IncidentLog()
        let engine = ScriptedComplianceEngine { _ in .verdict(Fixture.verdict(recordingId: .random(), verdict: .compliant, type: nil)) }
        let evaluator = ComplianceEvaluator(engine: engine, now: clock.wall, onIncident: incidents.record)
        await #expect { try await evaluator.evaluate(Fixture.request(clock: clock)) } throws: {
            ($0 as? VerdictValidationError)?.code == .recordingMismatch
        }
        #expect(incidents.codes == ["verdict.recordingMismatch"])
        #expect(incidents.items.first?.source == .reply)
        #expect(incidents.items.first?.recordingId == Fixture.recordingId)
        #expect(
            EngineFailure.requeueDelay(
                for: VerdictValidationError(
                    code: .recordingMismatch, field: "recordingId", recordingId: Fixture.recordingId,
                    correlationId: Fixture.correlationId, reportedRecordingId: .random(),
                    reportedCorrelationId: Fixture.correlationId, detail: "")) == nil)
    }

    @Test func anAcceptedRequestIsRegisteredBeforeTheCallAndAwaited() async throws {
        let registry = PendingVerdictRegistry(now: clock.wall)
        let sawRegistration = Locked(false)
        let engine = ScriptedComplianceEngine { request in
            // A fast engine may call back before evaluate returns: the request must already be pending.
            let registered = await registry.entry(for: request.recordingId) != nil
            sawRegistration.withLock { $0 = registered }
            return .accepted(expectedBy: nil)
        }
        let evaluator = ComplianceEvaluator(
            engine: engine, pending: registry, pendingTimeout: .seconds(600),
            now: clock.wall)
        let outcome = try await evaluator.evaluate(Fixture.request(clock: clock))
        #expect(sawRegistration.withLock { $0 })
        #expect(outcome == .pending(expectedBy: nil, awaitedUntil: clock.wallNow.addingTimeInterval(600)))
        #expect(await registry.entry(for: Fixture.recordingId) != nil)
        clock.advance(by: .seconds(601))
        #expect(await registry.entry(for: Fixture.recordingId) == nil)
    }

    @Test func expectedByExtendsTheWait() async throws {
        let registry = PendingVerdictRegistry(now: clock.wall)
        let later = clock.wallNow.addingTimeInterval(7_200)
        let evaluator = ComplianceEvaluator(
            engine: ScriptedComplianceEngine { _ in .accepted(expectedBy: later) }, pending: registry,
            now: clock.wall)
        let outcome = try await evaluator.evaluate(Fixture.request(clock: clock))
        #expect(outcome == .pending(expectedBy: later, awaitedUntil: later.addingTimeInterval(300)))
        #expect(await registry.entry(for: Fixture.recordingId)?.expiresAt == later.addingTimeInterval(300))
    }

    @Test func failedOrImmediateEvaluationsLeaveNothingPending() async {
        let registry = PendingVerdictRegistry(now: clock.wall)
        let failing = ComplianceEvaluator(
            engine: ScriptedComplianceEngine { _ in throw ComplianceEngineError(code: .unavailable, detail: "") },
            pending: registry, now: clock.wall)
        _ = try? await failing.evaluate(Fixture.request(clock: clock))
        #expect(await registry.count == 0)
        let immediate = ComplianceEvaluator(
            engine: ScriptedComplianceEngine { _ in .verdict(Fixture.verdict()) }, pending: registry,
            now: clock.wall)
        _ = try? await immediate.evaluate(Fixture.request(clock: clock))
        #expect(await registry.count == 0)
    }

    /// The whole asynchronous path: HTTP 202, then a signed callback over the same secret.
    @Test func endToEndAcceptedThenCallback() async throws {
        let registry = PendingVerdictRegistry(now: clock.wall)
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock),
            transport: StubTransport(status: 202))
        let evaluator = ComplianceEvaluator(engine: engine, pending: registry, now: clock.wall)
        let receiver = VerdictCallbackReceiver(
            configuration: .init(secrets: [Fixture.secret], now: clock.wall),
            registry: registry, policy: .default)
        guard case .pending = try await evaluator.evaluate(Fixture.request(clock: clock)) else {
            Issue.record("expected pending")
            return
        }
        clock.advance(by: .seconds(42))
        let body = Fixture.verdictJSON()
        let accepted = try await receiver.receive(
            headers: Fixture.callbackHeaders(body: body, timestamp: clock.wallNow),
            body: HTTPBody(body))
        #expect(accepted.decision?.ruleId == "pci-high")
    }
}
