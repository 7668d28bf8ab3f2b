import Foundation
import VigilCore

/// A `Clock` whose time moves only when a test moves it, so code that waits never sleeps for real.
///
/// Code under test calls `sleep(until:)` as usual; the sleeper suspends until the test calls
/// ``advance(by:)`` (or ``advance(to:)``) past its deadline. ``wall`` gives a wall-clock `Date` that moves
/// in step, for code that persists timestamps (leases, expiries) and takes a `() -> Date`.
///
/// ```swift
/// let clock = TestClock()
/// async let result = retrying(policy: policy, clock: clock) { try await flaky() }
/// await clock.advance(by: .seconds(2))   // wakes the first backoff sleep
/// ```
public final class TestClock: Clock, @unchecked Sendable {
    /// An instant on a ``TestClock``: an offset from the clock's creation.
    public struct Instant: InstantProtocol, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// The time elapsed since the clock was created.
        public var offset: Duration

        /// Creates an instant at `offset` from the clock's origin.
        public init(offset: Duration) { self.offset = offset }

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        public var description: String { "TestClock.Instant(\(offset))" }
    }

    private struct Sleeper {
        let id: UInt64
        let deadline: Instant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private let lock = NSLock()
    private var current: Instant
    private var sleepers: [Sleeper] = []
    private var nextID: UInt64 = 0
    /// Sleeps whose task was cancelled before they registered as sleepers (see ``sleep(until:tolerance:)``).
    private var cancelledBeforeSuspending: Set<UInt64> = []
    private let origin: Date

    /// Creates a clock at offset zero whose ``wall`` time starts at `wallOrigin`.
    public init(wallOrigin: Date = Date(timeIntervalSince1970: 1_780_000_000)) {
        self.current = Instant(offset: .zero)
        self.origin = wallOrigin
    }

    public var now: Instant { lock.withLock { current } }

    public var minimumResolution: Duration { .nanoseconds(1) }

    /// The wall-clock date that corresponds to ``now``.
    public var wallNow: Date {
        let offset = now.offset
        let (seconds, attoseconds) = offset.components
        return origin.addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18)
    }

    /// A `() -> Date` that reads ``wallNow``, for APIs that take an injected wall clock.
    public var wall: @Sendable () -> Date { { [self] in self.wallNow } }

    /// How many tasks are currently suspended in ``sleep(until:tolerance:)``.
    public var sleeperCount: Int { lock.withLock { sleepers.count } }

    public func sleep(until deadline: Instant, tolerance: Duration? = nil) async throws {
        try Task.checkCancellation()
        let id: UInt64 = lock.withLock {
            nextID += 1
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome: Result<Void, CancellationError>? = lock.withLock {
                    // The cancellation handler ran before this sleeper was registered: it found
                    // nothing to wake and left the id here, so the sleep ends now instead of waiting
                    // for an advance that may never come.
                    if cancelledBeforeSuspending.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= current { return .success(()) }
                    sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let cancelled: Sleeper? = lock.withLock {
                guard let index = sleepers.firstIndex(where: { $0.id == id }) else {
                    cancelledBeforeSuspending.insert(id)
                    return nil
                }
                return sleepers.remove(at: index)
            }
            cancelled?.continuation.resume(throwing: CancellationError())
        }
        // A sleep that ended some other way (its deadline came, it was already due) after the handler
        // marked it leaves no trace behind.
        _ = lock.withLock { cancelledBeforeSuspending.remove(id) }
    }

    /// Moves time forward by `duration`, waking every sleeper whose deadline has been reached.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time to `instant` (never backwards), waking every sleeper whose deadline has been reached.
    public func advance(to instant: Instant) {
        let due: [Sleeper] = lock.withLock {
            if instant > current { current = instant }
            let ready = sleepers.filter { $0.deadline <= current }
            sleepers.removeAll { $0.deadline <= current }
            return ready
        }
        for sleeper in due.sorted(by: { $0.deadline < $1.deadline }) { sleeper.continuation.resume() }
    }

    /// Waits (yielding to other tasks, never sleeping for real) until at least `count` tasks are
    /// suspended on this clock, so a test can advance time only once the code under test is waiting.
    ///
    /// - Parameters:
    ///   - count: how many suspended sleepers to wait for.
    ///   - maxYields: how many times to yield before giving up.
    /// - Returns: `true` when the sleepers arrived, `false` when the yields ran out.
    @discardableResult
    public func waitForSleepers(_ count: Int = 1, maxYields: Int = 100_000) async -> Bool {
        for _ in 0..<maxYields {
            if sleeperCount >= count { return true }
            await Task.yield()
        }
        return sleeperCount >= count
    }

    /// The earliest deadline any suspended sleeper waits for, or `nil` when nobody sleeps.
    ///
    /// A driver that runs many workers on this clock waits until they are all suspended, then calls
    /// ``advanceToNextDeadline()`` — time jumps straight to the next thing that can happen.
    public var nextDeadline: Instant? { lock.withLock { sleepers.map(\.deadline).min() } }

    /// Advances time to ``nextDeadline`` (waking the sleepers due then); does nothing when nobody sleeps.
    ///
    /// - Returns: whether time moved.
    @discardableResult
    public func advanceToNextDeadline() -> Bool {
        guard let next = nextDeadline else { return false }
        advance(to: next)
        return true
    }

    /// Runs `task` to completion, advancing time to the next sleeper's deadline whenever something is
    /// waiting on this clock, and yielding otherwise.
    ///
    /// Unlike ``runUntilIdle(limit:maxYields:)``, this cannot stop early while the task is busy
    /// computing between two waits (on a loaded machine that can take many scheduler turns): it keeps
    /// driving until the task has finished. A task still waiting when `limit` of simulated time has
    /// passed is cancelled.
    ///
    /// - Returns: the task's value; rethrows its error.
    public func drive<T: Sendable>(_ task: Task<T, any Error>, limit: Duration = .seconds(86_400)) async throws -> T {
        let finished = Locked(false)
        let watcher = Task {
            _ = await task.result
            finished.withLock { $0 = true }
        }
        let end = now.advanced(by: limit)
        while !finished.withLock({ $0 }) {
            let next: Instant? = lock.withLock { sleepers.map(\.deadline).min() }
            if let next, next <= end {
                advance(to: next)
            } else if next != nil {
                task.cancel()  // past the limit: stop the task (its sleeps throw CancellationError)
            }
            await Task.yield()
        }
        _ = await watcher.value
        return try await task.value
    }

    /// Advances time, one sleeper deadline at a time, until no sleepers are waiting or `limit` passes.
    /// Useful to drive code whose number of waits a test does not want to spell out.
    ///
    /// It stops when no sleeper shows up within `maxYields` scheduler turns, which on a loaded machine
    /// can happen while the code under test is still busy between two waits; to wait for a task to
    /// finish, prefer ``drive(_:limit:)``.
    public func runUntilIdle(limit: Duration = .seconds(86_400), maxYields: Int = 1_000) async {
        let end = now.advanced(by: limit)
        while true {
            var found = false
            for _ in 0..<maxYields {
                if sleeperCount > 0 { found = true; break }
                await Task.yield()
            }
            guard found else { return }
            let next: Instant? = lock.withLock { sleepers.map(\.deadline).min() }
            guard let next, next <= end else { return }
            advance(to: next)
        }
    }
}
