import Foundation
import Testing
import VigilCore
import VigilModels
import VigilTesting

@testable import VigilVerdict

@Suite("Circuit breaker around the engine (TestClock, no sleeping)")
struct BreakerIntegrationTests {
    static func breaker(
        clock: TestClock, window: Int = 4, slowAfter: Duration = .seconds(20),
        slowRate: Double = 50, wait: Duration = .seconds(30), probes: Int = 2
    ) -> CircuitBreaker<TestClock> {
        CircuitBreaker(
            name: "engine",
            configuration: .init(
                failureRateThreshold: 50, slowCallRateThreshold: slowRate, slowCallDurationThreshold: slowAfter,
                slidingWindowSize: window, minimumNumberOfCalls: window, waitDurationInOpenState: wait,
                permittedCallsInHalfOpenState: probes, recordFailure: ComplianceEngineError.countsAgainstEngine),
            clock: clock)
    }

    @Test func openBreakerFailsFastWithRetryAfterAndTheJobIsRequeued() async throws {
        let clock = TestClock()
        let breaker = Self.breaker(clock: clock)
        let transport = StubTransport(status: 503, headers: ["Retry-After": "3"])
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock), transport: transport,
            breaker: breaker)
        let request = Fixture.request(clock: clock)
        for _ in 0..<4 {
            await #expect { try await engine.evaluate(request) } throws: { ($0 as? ComplianceEngineError)?.code == .unavailable }
        }
        #expect(await breaker.state == .open)
        #expect(transport.sent.count == 4)

        clock.advance(by: .seconds(12))
        do {
            _ = try await engine.evaluate(request)
            Issue.record("an open breaker must not call the engine")
        } catch let error as CircuitBreakerOpenError {
            #expect(error.code == .open)
            #expect(error.retryAfter == .seconds(18))
            #expect(error.isRetryable)
            #expect(EngineFailure.requeueDelay(for: error) == .seconds(18))
        }
        #expect(transport.sent.count == 4)  // failed fast: nothing sent

        // The job is not lost: a worker gives it back to the queue with that delay and it runs later.
        let queue = InMemoryJobQueue<String>(now: clock.wall)
        try await queue.enqueue("recording-job", notBefore: nil)
        let leased = try #require(try await queue.lease(max: 1, for: .seconds(60)).first)
        do {
            _ = try await engine.evaluate(request)
        } catch {
            let delay = try #require(EngineFailure.requeueDelay(for: error))
            try await queue.retry(leased.token, after: delay, reason: "\(error)")
        }
        #expect(try await queue.lease(max: 1, for: .seconds(60)).isEmpty)  // not yet due
        clock.advance(by: .seconds(18))
        let again = try await queue.lease(max: 1, for: .seconds(60))
        #expect(again.map(\.job) == ["recording-job"])
    }

    @Test func clientErrorsDoNotTripTheBreaker() async {
        let clock = TestClock()
        let breaker = Self.breaker(clock: clock)
        let engine = HTTPComplianceEngine(
            configuration: Fixture.engineConfiguration(clock: clock),
            transport: StubTransport(status: 400), breaker: breaker)
        for _ in 0..<8 { _ = try? await engine.evaluate(Fixture.request(clock: clock)) }
        #expect(await breaker.state == .closed)
        #expect(await breaker.metrics.bufferedCalls == 0)
    }

    @Test func aSlowEngineTripsTheBreaker() async throws {
        let clock = TestClock()
        let breaker = Self.breaker(clock: clock, slowAfter: .seconds(20), slowRate: 50)
        let slow = ScriptedComplianceEngine { request in
            try await clock.sleep(for: .seconds(25))  // inference latency over the threshold, on the TestClock
            return .verdict(Fixture.verdict(recordingId: request.recordingId, correlationId: request.correlationId))
        }
        let engine = CircuitBreakingComplianceEngine(base: slow, breaker: breaker)
        let request = Fixture.request(clock: clock)
        for _ in 0..<4 {
            let call = Task { try await engine.evaluate(request) }
            #expect(await clock.waitForSleepers(1))
            clock.advance(by: .seconds(25))
            _ = try await call.value  // each slow call succeeds…
        }
        #expect(await breaker.state == .open)  // …but the slow-call rate trips the breaker
        await #expect(throws: CircuitBreakerOpenError.self) { try await engine.evaluate(request) }
    }

    @Test func halfOpenProbesCloseTheBreaker() async throws {
        let clock = TestClock()
        let breaker = Self.breaker(clock: clock, wait: .seconds(30), probes: 2)
        let healthy = Locked(false)
        let engine = CircuitBreakingComplianceEngine(
            base: ScriptedComplianceEngine { request in
                guard healthy.withLock({ $0 }) else { throw ComplianceEngineError(code: .unavailable, status: 503, detail: "down") }
                return .verdict(Fixture.verdict(recordingId: request.recordingId, correlationId: request.correlationId))
            }, breaker: breaker)
        let request = Fixture.request(clock: clock)
        for _ in 0..<4 { _ = try? await engine.evaluate(request) }
        #expect(await breaker.state == .open)

        healthy.withLock { $0 = true }
        clock.advance(by: .seconds(30))
        _ = try await engine.evaluate(request)  // probe 1 (moves to half-open)
        #expect(await breaker.state == .halfOpen)
        _ = try await engine.evaluate(request)  // probe 2
        #expect(await breaker.state == .closed)
        let evaluator = ComplianceEvaluator(engine: engine)
        guard case .decided = try await evaluator.evaluate(request) else {
            Issue.record("a closed breaker passes calls again")
            return
        }
    }

    @Test func failedProbesReopenTheBreaker() async throws {
        let clock = TestClock()
        let breaker = Self.breaker(clock: clock, wait: .seconds(30), probes: 2)
        let engine = CircuitBreakingComplianceEngine(
            base: ScriptedComplianceEngine { _ in
                throw ComplianceEngineError(code: .timedOut, detail: "slow")
            }, breaker: breaker)
        let request = Fixture.request(clock: clock)
        for _ in 0..<4 { _ = try? await engine.evaluate(request) }
        clock.advance(by: .seconds(30))
        for _ in 0..<2 { _ = try? await engine.evaluate(request) }
        #expect(await breaker.state == .open)
        do {
            _ = try await engine.evaluate(request)
        } catch let error as CircuitBreakerOpenError {
            #expect(error.retryAfter == .seconds(30))
        }
    }
}
