import Foundation
import Testing
import VigilCore
import VigilTesting

@Suite("CircuitBreaker on a TestClock")
struct CircuitBreakerTests {
    struct EngineDown: Error {}
    struct BadRequest: Error {}

    typealias Breaker = CircuitBreaker<TestClock>

    static func config(
        window: Int = 10, minimum: Int = 10, failure: Double = 50, slow: Double = 100,
        slowAfter: Duration = .seconds(5), wait: Duration = .seconds(30), probes: Int = 3,
        recordFailure: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) -> CircuitBreakerConfiguration {
        CircuitBreakerConfiguration(
            failureRateThreshold: failure, slowCallRateThreshold: slow,
            slowCallDurationThreshold: slowAfter, slidingWindowSize: window,
            minimumNumberOfCalls: minimum, waitDurationInOpenState: wait,
            permittedCallsInHalfOpenState: probes, recordFailure: recordFailure)
    }

    /// Runs instant calls with the given outcomes (`true` = success) and returns how many ran.
    @discardableResult
    static func script(_ breaker: Breaker, _ outcomes: [Bool]) async -> Int {
        var ran = 0
        for ok in outcomes {
            do {
                try await breaker.execute {
                    if !ok { throw EngineDown() }
                }
                ran += 1
            } catch is EngineDown {
                ran += 1
            } catch {}
        }
        return ran
    }

    static func trip(_ breaker: Breaker, calls: Int = 10) async {
        await script(breaker, Array(repeating: false, count: calls))
    }

    /// Starts a call that takes `duration` on `clock`, then fails or succeeds.
    static func slowCall(
        _ breaker: Breaker, clock: TestClock, duration: Duration,
        fails: Bool = false
    ) -> Task<Void, any Error> {
        Task {
            try await breaker.execute {
                try await clock.sleep(for: duration)
                if fails { throw EngineDown() }
            }
        }
    }

    @Test func staysClosedBelowTheMinimumEvenIfEveryCallFails() async {
        let breaker = Breaker(configuration: Self.config(window: 10, minimum: 5), clock: TestClock())
        await Self.script(breaker, [false, false, false, false])
        #expect(await breaker.state == .closed)
        #expect(await breaker.metrics.bufferedCalls == 4)
        #expect(await breaker.metrics.failureRate == 100)
        await Self.script(breaker, [false])
        #expect(await breaker.state == .open)
    }

    @Test func tripsAtExactlyTheThresholdAndNotOneCallBelow() async {
        let below = Breaker(configuration: Self.config(window: 100, minimum: 100, failure: 30), clock: TestClock())
        await Self.script(below, Array(repeating: true, count: 71) + Array(repeating: false, count: 29))
        #expect(await below.metrics.failureRate == 29)
        #expect(await below.state == .closed)

        let at = Breaker(configuration: Self.config(window: 100, minimum: 100, failure: 30), clock: TestClock())
        await Self.script(at, Array(repeating: true, count: 70) + Array(repeating: false, count: 30))
        #expect(await at.metrics.failureRate == 30)
        #expect(await at.state == .open, "resilience4j trips at >=, not >")
    }

    @Test func theWindowSlidesOldOutcomesOut() async {
        let breaker = Breaker(configuration: Self.config(window: 4, minimum: 4, failure: 50), clock: TestClock())
        await Self.script(breaker, [false, true, true, true])  // 25 %
        #expect(await breaker.state == .closed)
        await Self.script(breaker, [true])  // the failure slides out: 0 %
        #expect(await breaker.metrics.failedCalls == 0)
        await Self.script(breaker, [false])  // 25 %
        #expect(await breaker.state == .closed)
        await Self.script(breaker, [false])  // T T F F → 50 %
        #expect(await breaker.state == .open)
        #expect(await breaker.metrics.bufferedCalls == 4)
    }

    @Test func theMinimumIsClampedToTheWindowSize() async {
        let config = Self.config(window: 5, minimum: 100)
        #expect(config.effectiveMinimumNumberOfCalls == 5)
        let breaker = Breaker(configuration: config, clock: TestClock())
        await Self.trip(breaker, calls: 5)
        #expect(await breaker.state == .open)
    }

    @Test func aSlowEngineTripsViaTheSlowCallRateAlthoughEveryCallSucceeds() async throws {
        let clock = TestClock()
        let breaker = Breaker(
            configuration: Self.config(window: 4, minimum: 4, slow: 75, slowAfter: .seconds(2)),
            clock: clock)
        let events = await breaker.events()
        // Exactly at the threshold is not slow; over it is.
        let atThreshold = Self.slowCall(breaker, clock: clock, duration: .seconds(2))
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(2))
        try await atThreshold.value
        #expect(await breaker.metrics.slowCalls == 0)

        let calls = (0..<3).map { _ in Self.slowCall(breaker, clock: clock, duration: .seconds(3)) }
        #expect(await clock.waitForSleepers(3))
        clock.advance(by: .seconds(3))
        for call in calls { try await call.value }
        #expect(await breaker.state == .open)
        let metrics = await breaker.metrics
        #expect(metrics.failureRate == 0)
        #expect(metrics.slowCallRate == 75)
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .slowCallRateExceeded(75))
        #expect(await iterator.next() == .stateTransition(from: .closed, to: .open))
    }

    @Test func slowFailuresCountAsBothFailedAndSlow() async throws {
        let breaker = Breaker(configuration: Self.config(window: 10, minimum: 10, slowAfter: .seconds(1)), clock: TestClock())
        try await breaker.acquirePermission()
        await breaker.onError(duration: .seconds(2), error: EngineDown())
        try await breaker.acquirePermission()
        await breaker.onSuccess(duration: .milliseconds(500))
        let metrics = await breaker.metrics
        #expect(metrics.bufferedCalls == 2)
        #expect(metrics.failedCalls == 1)
        #expect(metrics.slowCalls == 1)
        #expect(metrics.slowCallRate == 50)
    }

    @Test func openFailsFastWithTheRestOfTheWaitAsRetryAfter() async throws {
        let clock = TestClock()
        let breaker = Breaker(name: "engine", configuration: Self.config(wait: .seconds(30)), clock: clock)
        await Self.trip(breaker)
        clock.advance(by: .seconds(10))
        let ran = Locked(0)
        let error = await #expect(throws: CircuitBreakerOpenError.self) {
            try await breaker.execute { ran.withLock { $0 += 1 } }
        }
        #expect(ran.withLock { $0 } == 0, "an open breaker must not run the operation")
        #expect(error?.code == .open)
        #expect(error?.retryAfter == .seconds(20))
        #expect(error?.isRetryable == true)
        #expect(error?.breaker == "engine")
        #expect(error?.errorCode == "circuitBreaker.open")
        #expect(await breaker.metrics.notPermittedCalls == 1)
        clock.advance(by: .milliseconds(19_999))
        let later = await #expect(throws: CircuitBreakerOpenError.self) { try await breaker.acquirePermission() }
        #expect(later?.retryAfter == .milliseconds(1))
        #expect(await breaker.state == .open, "no timers: the state changes only on a call")
    }

    @Test func halfOpenAdmitsExactlyTheProbesThenClosesWhenAllSucceed() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(wait: .seconds(30), probes: 3), clock: clock)
        await Self.trip(breaker)
        clock.advance(by: .seconds(30))
        let probes = (0..<3).map { _ in Self.slowCall(breaker, clock: clock, duration: .seconds(1)) }
        #expect(await clock.waitForSleepers(3))
        #expect(await breaker.state == .halfOpen)
        let rejected = await #expect(throws: CircuitBreakerOpenError.self) { try await breaker.execute { 1 } }
        #expect(rejected?.code == .halfOpenSaturated)
        #expect(rejected?.retryAfter == .seconds(30))
        clock.advance(by: .milliseconds(500))
        #expect(await breaker.state == .halfOpen)
        clock.advance(by: .milliseconds(500))
        for probe in probes { try await probe.value }
        #expect(await breaker.state == .closed)
        #expect(await breaker.metrics.bufferedCalls == 0, "closing starts a fresh window")
    }

    @Test func halfOpenWaitsForEveryProbeThenReopensWhenFailuresReachTheThreshold() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(failure: 50, wait: .seconds(30), probes: 2), clock: clock)
        await Self.trip(breaker)
        clock.advance(by: .seconds(30))
        await Self.script(breaker, [false])
        #expect(await breaker.state == .halfOpen, "one of two probes done: no decision yet")
        await Self.script(breaker, [true])
        #expect(await breaker.state == .open, "1 of 2 probes failed: 50 % >= 50 %")
        let error = await #expect(throws: CircuitBreakerOpenError.self) { try await breaker.acquirePermission() }
        #expect(error?.retryAfter == .seconds(30), "a new full wait starts")
    }

    @Test func forcedOpenAlwaysRejectsUntilReset() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(wait: .seconds(30)), clock: clock)
        let events = await breaker.events()
        await breaker.forceOpen()
        for _ in 0..<3 {
            clock.advance(by: .seconds(3_600))
            let error = await #expect(throws: CircuitBreakerOpenError.self) { try await breaker.execute { 1 } }
            #expect(error?.code == .forcedOpen)
        }
        #expect(await breaker.state == .forcedOpen)
        await breaker.reset()
        #expect(await breaker.state == .closed)
        #expect(try await breaker.execute { 42 } == 42)
        var iterator = events.makeAsyncIterator()
        #expect(await iterator.next() == .stateTransition(from: .closed, to: .forcedOpen))
        #expect(
            await iterator.next() == .stateTransition(from: .forcedOpen, to: .closed),
            "no notPermitted events while forced open")
        #expect(await iterator.next() == .reset)
    }

    @Test func disabledAlwaysPermitsAndNeverTransitions() async {
        let breaker = Breaker(configuration: Self.config(window: 5, minimum: 5), clock: TestClock())
        await breaker.disable()
        let ran = await Self.script(breaker, Array(repeating: false, count: 50))
        #expect(ran == 50)
        #expect(await breaker.state == .disabled)
        #expect(await breaker.metrics.bufferedCalls == 0)
        await breaker.reset()
        await Self.trip(breaker, calls: 5)
        #expect(await breaker.state == .open)
    }

    @Test func eventsAreEmittedInOrder() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(window: 4, minimum: 4, wait: .seconds(10), probes: 1), clock: clock)
        let events = await breaker.events()
        await Self.script(breaker, [true, false, false, false])  // 75 %
        _ = try? await breaker.acquirePermission()  // rejected
        clock.advance(by: .seconds(10))
        await Self.script(breaker, [true])  // the probe closes it
        await breaker.reset()
        let expected: [CircuitBreakerEvent] = [
            .failureRateExceeded(75),
            .stateTransition(from: .closed, to: .open),
            .notPermitted(.open),
            .stateTransition(from: .open, to: .halfOpen),
            .stateTransition(from: .halfOpen, to: .closed),
            .reset
        ]
        var seen: [CircuitBreakerEvent] = []
        for await event in events {
            seen.append(event)
            if seen.count == expected.count { break }
        }
        #expect(seen == expected)
    }

    @Test func ignoredErrorsDoNotCountAndFreeTheirProbeSlot() async throws {
        let clock = TestClock()
        let breaker = Breaker(
            configuration: Self.config(
                window: 5, minimum: 5, wait: .seconds(10), probes: 1,
                recordFailure: { !($0 is BadRequest) }), clock: clock)
        for _ in 0..<20 {
            await #expect(throws: BadRequest.self) { try await breaker.execute { throw BadRequest() } }
        }
        #expect(await breaker.state == .closed)
        #expect(await breaker.metrics.bufferedCalls == 0)
        await Self.trip(breaker, calls: 5)
        clock.advance(by: .seconds(10))
        await #expect(throws: BadRequest.self) { try await breaker.execute { throw BadRequest() } }
        #expect(await breaker.state == .halfOpen)
        #expect(try await breaker.execute { "probe" } == "probe", "the ignored probe gave its slot back")
        #expect(await breaker.state == .closed)
    }

    @Test func cancellationNeverCounts() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(window: 3, minimum: 3), clock: clock)
        for _ in 0..<10 {
            await #expect(throws: CancellationError.self) { try await breaker.execute { throw CancellationError() } }
        }
        await breaker.onError(duration: .seconds(1), error: CancellationError())
        // A call whose task is cancelled while it waits on the engine.
        let call = Self.slowCall(breaker, clock: clock, duration: .seconds(60), fails: true)
        #expect(await clock.waitForSleepers(1))
        call.cancel()
        await #expect(throws: CancellationError.self) { try await call.value }
        // A call that fails with some other error after its task was cancelled.
        await #expect(throws: EngineDown.self) {
            try await breaker.execute {
                withUnsafeCurrentTask { $0?.cancel() }
                throw EngineDown()
            }
        }
        #expect(await breaker.metrics.bufferedCalls == 0)
        #expect(await breaker.state == .closed)
    }

    @Test func aCallAdmittedBeforeATransitionDoesNotCountAfterIt() async throws {
        let clock = TestClock()
        let breaker = Breaker(configuration: Self.config(window: 3, minimum: 3, wait: .seconds(10), probes: 1), clock: clock)
        let straggler = Self.slowCall(breaker, clock: clock, duration: .seconds(20), fails: true)
        #expect(await clock.waitForSleepers(1))
        await Self.trip(breaker, calls: 3)
        clock.advance(by: .seconds(10))
        let probe = try await breaker.acquirePermission()  // half-open, the single probe slot
        clock.advance(by: .seconds(10))  // the straggler now fails
        await #expect(throws: EngineDown.self) { try await straggler.value }
        #expect(await breaker.state == .halfOpen, "a closed-state call's failure is not a probe result")
        await breaker.onSuccess(duration: .milliseconds(5), permit: probe)
        #expect(await breaker.state == .closed)
    }

    @Test func theContinuousClockInitialiserWorks() async throws {
        let breaker = CircuitBreaker(name: "engine")
        #expect(try await breaker.execute { 7 } == 7)
        #expect(breaker.configuration.failureRateThreshold == 50)
        #expect(breaker.configuration.permittedCallsInHalfOpenState == 10)
    }
}
