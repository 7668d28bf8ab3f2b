import Foundation
import Testing
import VigilTesting

@testable import VigilCore

@Suite("Retry-After parsing")
struct RetryAfterTests {
    let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT

    @Test func deltaSeconds() {
        #expect(RetryAfter.parse("120", now: now) == .seconds(120))
        #expect(RetryAfter.parse(" 0 ", now: now) == .zero)
        #expect(RetryAfter.parse("-5", now: now) == nil)
        #expect(RetryAfter.parse("1.5", now: now) == nil)
        #expect(RetryAfter.parse("99999999999", now: now) == nil)
        #expect(RetryAfter.parse("", now: now) == nil)
    }

    /// The three HTTP-date forms, from RFC 9110 §5.6.7 (the same instant written three ways).
    @Test func httpDatesInAllThreeForms() {
        let later = now.addingTimeInterval(-30)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: later) == .seconds(30))
        #expect(RetryAfter.parse("Sunday, 06-Nov-94 08:49:37 GMT", now: later) == .seconds(30))
        #expect(RetryAfter.parse("Sun Nov  6 08:49:37 1994", now: later) == .seconds(30))
    }

    @Test func aPastDateMeansNoWait() {
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 GMT", now: now.addingTimeInterval(60)) == .zero)
    }

    @Test func malformedDatesAreIgnored() {
        #expect(RetryAfter.parse("Sun, 31 Feb 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 25:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.parse("Sun, 06 Foo 1994 08:49:37 GMT", now: now) == nil)
        #expect(RetryAfter.parse("Sun, 06 Nov 1994 08:49:37 PST", now: now) == nil)
        #expect(RetryAfter.parse("tomorrow", now: now) == nil)
    }

    @Test func leapDayIsValidOnlyInLeapYears() {
        let base = Date(timeIntervalSince1970: 0)
        #expect(RetryAfter.parseHTTPDate("Thu, 29 Feb 2024 00:00:00 GMT") != nil)
        #expect(RetryAfter.parseHTTPDate("Fri, 29 Feb 2023 00:00:00 GMT") == nil)
        #expect(RetryAfter.parseHTTPDate("Thu, 01 Jan 1970 00:00:10 GMT") == base.addingTimeInterval(10))
    }
}

@Suite("ExponentialBackoffPolicy")
struct ExponentialBackoffPolicyTests {
    @Test func fullJitterStaysWithinTheCappedCeiling() {
        let policy = ExponentialBackoffPolicy(
            base: .milliseconds(100), cap: .seconds(1), maxAttempts: 100,
            random: .seeded(7))
        #expect(policy.ceiling(afterAttempt: 1) == .milliseconds(100))
        #expect(policy.ceiling(afterAttempt: 2) == .milliseconds(200))
        #expect(policy.ceiling(afterAttempt: 4) == .milliseconds(800))
        #expect(policy.ceiling(afterAttempt: 5) == .seconds(1))
        #expect(policy.ceiling(afterAttempt: 80) == .seconds(1))
        var sawLow = false, sawHigh = false
        for attempt in 1..<60 {
            let delay = try! #require(policy.delay(afterAttempt: attempt, failure: RetryableFailure(.status(503))))
            #expect(delay >= .zero && delay < policy.ceiling(afterAttempt: attempt))
            if delay < policy.ceiling(afterAttempt: attempt) / 4 { sawLow = true }
            if delay > policy.ceiling(afterAttempt: attempt) * 3 / 4 { sawHigh = true }
        }
        #expect(sawLow && sawHigh, "full jitter spreads over the whole range, not half of it")
    }

    @Test func theRandomSourceDrivesTheDelay() {
        let top = ExponentialBackoffPolicy(base: .seconds(1), cap: .seconds(10), random: .constant(0.5))
        #expect(top.delay(afterAttempt: 2, failure: RetryableFailure(.timeout)) == .seconds(1))
        let zero = ExponentialBackoffPolicy(base: .seconds(1), random: .constant(0))
        #expect(zero.delay(afterAttempt: 3, failure: RetryableFailure(.connection)) == .zero)
    }

    @Test func stopsAfterMaxAttempts() {
        let policy = ExponentialBackoffPolicy(maxAttempts: 3, random: .constant(0.5))
        #expect(policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(502))) != nil)
        #expect(policy.delay(afterAttempt: 2, failure: RetryableFailure(.status(502))) != nil)
        #expect(policy.delay(afterAttempt: 3, failure: RetryableFailure(.status(502))) == nil)
    }

    @Test func retryAfterOverridesUpToTheMaximum() {
        let policy = ExponentialBackoffPolicy(base: .milliseconds(10), maxRetryAfter: .seconds(60), random: .constant(0.5))
        #expect(policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(429), retryAfter: .seconds(42))) == .seconds(42))
        #expect(policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(429), retryAfter: .seconds(60))) == .seconds(60))
        #expect(
            policy.delay(afterAttempt: 1, failure: RetryableFailure(.status(429), retryAfter: .seconds(61))) == nil,
            "a longer server-requested wait goes back to the caller instead of holding a worker")
    }

    @Test func seededSourcesAreDeterministic() {
        let a = RandomSource.seeded(99), b = RandomSource.seeded(99), c = RandomSource.seeded(100)
        let sa = (0..<5).map { _ in a.next() }, sb = (0..<5).map { _ in b.next() }, sc = (0..<5).map { _ in c.next() }
        #expect(sa == sb)
        #expect(sa != sc)
        #expect(sa.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(RandomSource.constant(7).next() < 1)
        #expect(RandomSource.constant(-1).next() == 0)
    }
}

@Suite("RetryExecutor on a TestClock")
struct RetryExecutorTests {
    struct Transient: Error, Equatable { let n: Int }
    struct Permanent: Error {}

    static let classify: @Sendable (any Error) -> RetryableFailure? = { error in
        error is Transient ? RetryableFailure(.status(503)) : nil
    }

    @Test func retriesTransientFailuresWaitingOnTheInjectedClock() async throws {
        let clock = TestClock()
        let attempts = Locked(0)
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(base: .seconds(1), random: .constant(0.5)), clock: clock)
        let task = Task {
            try await executor.run(classify: Self.classify) { attempt -> String in
                attempts.withLock { $0 += 1 }
                if attempt < 3 { throw Transient(n: attempt) }
                return "ok after \(attempt)"
            }
        }
        #expect(await clock.waitForSleepers(1))
        #expect(attempts.withLock { $0 } == 1)
        clock.advance(by: .milliseconds(499))
        #expect(attempts.withLock { $0 } == 1, "still waiting: first delay is 0.5 × 1 s")
        clock.advance(by: .milliseconds(1))
        #expect(await clock.waitForSleepers(1))
        #expect(attempts.withLock { $0 } == 2)
        clock.advance(by: .seconds(1))  // second delay: 0.5 × 2 s
        #expect(try await task.value == "ok after 3")
        #expect(clock.now.offset == .milliseconds(1500))
    }

    @Test func permanentFailuresAreNotRetried() async throws {
        let attempts = Locked(0)
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(), clock: TestClock())
        await #expect(throws: Permanent.self) {
            try await executor.run(classify: Self.classify) { _ -> Int in
                attempts.withLock { $0 += 1 }
                throw Permanent()
            }
        }
        #expect(attempts.withLock { $0 } == 1)
    }

    @Test func rethrowsTheLastErrorWhenAttemptsRunOut() async throws {
        let clock = TestClock()
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(maxAttempts: 3, random: .constant(0)), clock: clock)
        let error = await #expect(throws: Transient.self) {
            try await executor.run(classify: Self.classify) { attempt -> Int in throw Transient(n: attempt) }
        }
        #expect(error == Transient(n: 3))
    }

    @Test func theOverallDeadlineStopsRetrying() async throws {
        let clock = TestClock()
        let attempts = Locked(0)
        let policy = ExponentialBackoffPolicy(base: .seconds(4), maxAttempts: 100, random: .constant(0.5))
        let executor = RetryExecutor(policy: policy, clock: clock, deadline: .seconds(5))
        let task = Task {
            try await executor.run(classify: Self.classify) { attempt -> Int in
                attempts.withLock { $0 += 1 }
                throw Transient(n: attempt)
            }
        }
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(2))  // attempt 2 at t=2; the next wait (4 s) would end at 6 s > 5 s
        await #expect(throws: Transient.self) { _ = try await task.value }
        #expect(attempts.withLock { $0 } == 2)
    }

    @Test func retryAfterFromTheFailureIsHonoured() async throws {
        let clock = TestClock()
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(base: .milliseconds(1)), clock: clock)
        let task = Task {
            try await executor.run(classify: { _ in RetryableFailure(.status(429), retryAfter: .seconds(30)) }) { attempt -> Int in
                if attempt == 1 { throw Transient(n: 1) }
                return attempt
            }
        }
        #expect(await clock.waitForSleepers(1))
        clock.advance(by: .seconds(29))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        #expect(try await task.value == 2)
    }

    @Test func cancellationWhileWaitingStopsPromptly() async throws {
        let clock = TestClock()
        let executor = RetryExecutor(policy: ExponentialBackoffPolicy(base: .seconds(60)), clock: clock)
        let task = Task {
            try await executor.run(classify: Self.classify) { attempt -> Int in throw Transient(n: attempt) }
        }
        #expect(await clock.waitForSleepers(1))
        task.cancel()
        await #expect(throws: CancellationError.self) { _ = try await task.value }
    }

    @Test func theObserverSeesEveryRetry() async throws {
        let log = Locked<[(Int, Duration)]>([])
        let clock = TestClock()
        let executor = RetryExecutor(
            policy: ExponentialBackoffPolicy(base: .seconds(1), random: .constant(0.5)),
            clock: clock
        ) { attempt, _, delay in
            log.withLock { $0.append((attempt, delay)) }
        }
        let task = Task {
            try await executor.run(classify: Self.classify) { attempt -> Int in
                if attempt < 3 { throw Transient(n: attempt) }
                return attempt
            }
        }
        await clock.runUntilIdle()
        #expect(try await task.value == 3)
        let entries = log.withLock { $0 }
        #expect(entries.map(\.0) == [1, 2])
        #expect(entries.map(\.1) == [.milliseconds(500), .seconds(1)])
    }
}

@Suite("TestClock.drive")
struct TestClockDriveTests {
    @Test func drivesATaskThatComputesBetweenWaits() async throws {
        let clock = TestClock()
        let task = Task { () throws -> Int in
            var total = 0
            for round in 1...5 {
                // Busy for many scheduler turns between waits: runUntilIdle could give up here.
                for _ in 0..<2_000 { await Task.yield() }
                try await clock.sleep(until: clock.now.advanced(by: .seconds(round)), tolerance: nil)
                total += round
            }
            return total
        }
        #expect(try await clock.drive(task) == 15)
        #expect(clock.now.offset == .seconds(15))
    }

    @Test func aTaskStillWaitingPastTheLimitIsCancelled() async throws {
        let clock = TestClock()
        let task = Task { () throws -> Int in
            try await clock.sleep(until: clock.now.advanced(by: .seconds(100)), tolerance: nil)
            return 1
        }
        await #expect(throws: CancellationError.self) { _ = try await clock.drive(task, limit: .seconds(10)) }
    }
}

@Suite("TestClock.sleep and cancellation")
struct TestClockCancellationTests {
    /// A sleep whose task is cancelled at any moment — before the sleep registers, while it does, or
    /// once it waits — ends with `CancellationError` without anyone advancing the clock. (A
    /// cancellation that landed before registration used to leave a sleeper that only an advance could
    /// wake: the pipeline tests' workers then never stopped.)
    @Test func aSleepCancelledAtAnyMomentEndsWithoutAnAdvance() async throws {
        let clock = TestClock()
        let finished = Locked(0)
        let rounds = 2_000
        var tasks: [Task<Void, Never>] = []
        for round in 0..<rounds {
            let task = Task.detached {
                for _ in 0..<(round % 3) { await Task.yield() }
                do {
                    try await clock.sleep(until: clock.now.advanced(by: .seconds(3_600)), tolerance: nil)
                } catch {}
                finished.withLock { $0 += 1 }
            }
            if round % 2 == 0 { await Task.yield() }
            task.cancel()
            tasks.append(task)
        }
        // Real time, because the failure is a sleep nobody wakes: give them 20 s, then look.
        let started = ContinuousClock.now
        while finished.withLock({ $0 }) < rounds, ContinuousClock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(1))
        }
        let stuck = rounds - finished.withLock { $0 }
        #expect(stuck == 0, "\(stuck) cancelled sleeps were still waiting for an advance")
        #expect(clock.sleeperCount == 0)
        clock.advance(by: .seconds(7_200))  // let any stuck one go, so the test ends either way
        for task in tasks { await task.value }
    }
}
