/// A circuit breaker in the resilience4j mould: stop calling a dependency that is failing or slow,
/// fail fast while it recovers, then probe it carefully.
///
/// ## How it decides
///
/// - **Closed.** Every completed call's outcome — success, failure, slow success, slow failure — goes
///   into a count-based sliding window (a ring buffer of the last
///   ``CircuitBreakerConfiguration/slidingWindowSize`` outcomes). Once the window holds at least
///   ``CircuitBreakerConfiguration/effectiveMinimumNumberOfCalls`` outcomes, the breaker trips to
///   **open** when the failure rate is `>=` ``CircuitBreakerConfiguration/failureRateThreshold`` or the
///   slow-call rate is `>=` ``CircuitBreakerConfiguration/slowCallRateThreshold``. Below the minimum it
///   never trips, even if every call failed.
/// - **Open.** Calls are rejected with ``CircuitBreakerOpenError`` whose
///   ``CircuitBreakerOpenError/retryAfter`` is the rest of the wait, so a worker can give its job back
///   to the queue with that delay. There are no background timers: the first call after
///   ``CircuitBreakerConfiguration/waitDurationInOpenState`` moves the breaker to half-open.
/// - **Half-open.** A fresh window admits exactly
///   ``CircuitBreakerConfiguration/permittedCallsInHalfOpenState`` probes; further calls are rejected.
///   When all probes have completed, the same thresholds decide: exceeded → open again (a new wait),
///   otherwise → closed with an empty window.
/// - **Disabled** and **forced open** are set by ``disable()`` and ``forceOpen()`` and left only by
///   ``reset()`` (or the other method): no recording, no automatic transitions, and — as in
///   resilience4j — no events other than the transition into them.
///
/// Which errors count is up to ``CircuitBreakerConfiguration/recordFailure``; `CancellationError` never
/// counts. A call admitted in one state whose result arrives after the breaker has moved on (e.g. a
/// slow closed-state call that finishes during half-open) is not counted: each permit belongs to the
/// state period it was issued in.
///
/// All durations are measured on the injected `Clock`, so tests drive the breaker with a `TestClock`
/// and never sleep.
///
/// ```swift
/// let breaker = CircuitBreaker(name: "engine", configuration: .init(
///     failureRateThreshold: 50, slowCallRateThreshold: 80, slowCallDurationThreshold: .seconds(20),
///     slidingWindowSize: 20, minimumNumberOfCalls: 10, waitDurationInOpenState: .seconds(30),
///     permittedCallsInHalfOpenState: 3,
///     recordFailure: { error in (error as? EngineError)?.isRetryable ?? true }))
/// let reply = try await breaker.execute { try await engine.evaluate(request) }
/// ```
public actor CircuitBreaker<C: Clock> where C.Duration == Duration {
    /// The breaker's states.
    public typealias State = CircuitBreakerState
    /// The breaker's events.
    public typealias Event = CircuitBreakerEvent
    /// The breaker's settings.
    public typealias Configuration = CircuitBreakerConfiguration
    /// A snapshot of the sliding window.
    public typealias Metrics = CircuitBreakerMetrics

    /// Proof that ``acquirePermission()`` admitted a call, tying its outcome to the state period that
    /// admitted it. Pass it back to ``onSuccess(duration:permit:)`` or ``onError(duration:error:permit:)``.
    public struct Permit: Sendable, Hashable {
        let generation: UInt64
    }

    /// The breaker's name, used in errors (e.g. the engine it guards).
    public nonisolated let name: String
    /// The settings.
    public nonisolated let configuration: Configuration
    private let clock: C

    /// The current state. Reading it never changes it: an open breaker whose wait has passed still
    /// reports `open` until the next call moves it to `halfOpen`.
    public private(set) var state: State = .closed

    private var generation: UInt64 = 0
    private var window: OutcomeWindow
    private var openedAt: C.Instant?
    private var halfOpenPermitsIssued = 0
    private var notPermittedCalls = 0
    private var subscribers: [AsyncStream<Event>.Continuation] = []

    /// Creates a closed breaker.
    ///
    /// - Parameters:
    ///   - name: a label for errors and logs.
    ///   - configuration: thresholds and sizes.
    ///   - clock: where durations and the open-state wait are measured.
    public init(name: String = "circuit-breaker", configuration: Configuration = Configuration(), clock: C) {
        self.name = name
        self.configuration = configuration
        self.clock = clock
        self.window = OutcomeWindow(capacity: configuration.slidingWindowSize)
    }

    deinit {
        for subscriber in subscribers { subscriber.finish() }
    }

    /// The current window's counts and rates.
    public var metrics: Metrics {
        Metrics(
            bufferedCalls: window.count, failedCalls: window.failures, slowCalls: window.slows,
            notPermittedCalls: notPermittedCalls)
    }

    /// A new stream of this breaker's events, in the order they happen, from now on.
    ///
    /// Each call returns an independent subscription; it ends when the breaker is deallocated, and a
    /// subscriber that stops iterating is dropped. A slow reader keeps only the newest `limit` events.
    public func events(bufferingNewest limit: Int = 1_024) -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(limit))
        subscribers.append(continuation)
        return stream
    }

    // MARK: - Running calls

    /// Runs `operation` if the breaker admits it, measures it on the clock and records its outcome.
    ///
    /// - Throws: ``CircuitBreakerOpenError`` without running `operation` when the breaker rejects the
    ///   call; `CancellationError` when the task is already cancelled; otherwise whatever `operation`
    ///   throws, unchanged. An error thrown while the task is cancelled is not counted.
    public func execute<T: Sendable>(_ operation: @Sendable () async throws -> T) async throws -> T {
        try Task.checkCancellation()
        let permit = try acquirePermission()
        let start = clock.now
        do {
            let value = try await operation()
            onSuccess(duration: start.duration(to: clock.now), permit: permit)
            return value
        } catch {
            if Task.isCancelled {
                releasePermission(permit)
            } else {
                onError(duration: start.duration(to: clock.now), error: error, permit: permit)
            }
            throw error
        }
    }

    /// Asks to make one call, for callers that cannot wrap it in ``execute(_:)``.
    ///
    /// Every admitted call must be followed by exactly one of ``onSuccess(duration:permit:)``,
    /// ``onError(duration:error:permit:)`` or ``releasePermission(_:)`` — in half-open, an unfinished
    /// probe holds its slot.
    ///
    /// - Returns: a permit to pass to the outcome call.
    /// - Throws: ``CircuitBreakerOpenError`` when the call must not be made.
    @discardableResult
    public func acquirePermission() throws(CircuitBreakerOpenError) -> Permit {
        if state == .open, let openedAt {
            let reopenAt = openedAt.advanced(by: configuration.waitDurationInOpenState)
            let now = clock.now
            if now < reopenAt {
                notPermittedCalls += 1
                emit(.notPermitted(.open))
                throw CircuitBreakerOpenError(code: .open, breaker: name, retryAfter: now.duration(to: reopenAt))
            }
            transition(to: .halfOpen)
        }
        switch state {
        case .closed, .disabled:
            return Permit(generation: generation)
        case .halfOpen:
            guard halfOpenPermitsIssued < configuration.permittedCallsInHalfOpenState else {
                notPermittedCalls += 1
                emit(.notPermitted(.halfOpen))
                throw CircuitBreakerOpenError(
                    code: .halfOpenSaturated, breaker: name,
                    retryAfter: configuration.waitDurationInOpenState)
            }
            halfOpenPermitsIssued += 1
            return Permit(generation: generation)
        case .forcedOpen, .open:
            notPermittedCalls += 1
            throw CircuitBreakerOpenError(
                code: .forcedOpen, breaker: name,
                retryAfter: configuration.waitDurationInOpenState)
        }
    }

    /// Records a call that succeeded after `duration`.
    ///
    /// - Parameters:
    ///   - duration: how long the call took; longer than the slow-call threshold makes it slow.
    ///   - permit: the permit that admitted it; a permit from an earlier state period is ignored.
    ///     Without one, the outcome counts toward the current state.
    public func onSuccess(duration: Duration, permit: Permit? = nil) {
        record(failed: false, duration: duration, permit: permit)
    }

    /// Records a call that failed with `error` after `duration` — unless `error` is a
    /// `CancellationError` or ``CircuitBreakerConfiguration/recordFailure`` says it does not count, in
    /// which case the call's permit is simply released.
    public func onError(duration: Duration, error: any Error, permit: Permit? = nil) {
        if error is CancellationError || !configuration.recordFailure(error) {
            releasePermission(permit)
            return
        }
        record(failed: true, duration: duration, permit: permit)
    }

    /// Gives back a permit without recording an outcome (the call was cancelled or never made), so a
    /// half-open breaker can admit another probe in its place.
    public func releasePermission(_ permit: Permit? = nil) {
        guard state == .halfOpen, halfOpenPermitsIssued > 0 else { return }
        if let permit, permit.generation != generation { return }
        halfOpenPermitsIssued -= 1
    }

    // MARK: - Manual control

    /// Switches the breaker off: every call is admitted, nothing is recorded, no automatic transitions.
    public func disable() {
        guard state != .disabled else { return }
        transition(to: .disabled)
    }

    /// Holds the breaker open: every call is rejected until ``reset()`` or ``disable()``.
    public func forceOpen() {
        guard state != .forcedOpen else { return }
        transition(to: .forcedOpen)
    }

    /// Returns to closed with an empty window and cleared counters, from any state.
    public func reset() {
        if state != .closed {
            transition(to: .closed)
        } else {
            generation &+= 1
            window = OutcomeWindow(capacity: configuration.slidingWindowSize)
        }
        notPermittedCalls = 0
        emit(.reset)
    }

    // MARK: - Internals

    private func record(failed: Bool, duration: Duration, permit: Permit?) {
        if let permit, permit.generation != generation { return }
        let slow = duration > configuration.slowCallDurationThreshold
        switch state {
        case .closed:
            window.record(failed: failed, slow: slow)
            if window.count >= configuration.effectiveMinimumNumberOfCalls, tripIfExceeded() { return }
        case .halfOpen:
            window.record(failed: failed, slow: slow)
            if window.count >= configuration.permittedCallsInHalfOpenState, !tripIfExceeded() {
                transition(to: .closed)
            }
        case .open, .forcedOpen, .disabled:
            return
        }
    }

    /// Emits the exceeded-rate events and opens the breaker when a threshold is reached.
    private func tripIfExceeded() -> Bool {
        let metrics = self.metrics
        let failureExceeded = metrics.failureRate >= configuration.failureRateThreshold
        let slowExceeded = metrics.slowCallRate >= configuration.slowCallRateThreshold
        guard failureExceeded || slowExceeded else { return false }
        if failureExceeded { emit(.failureRateExceeded(metrics.failureRate)) }
        if slowExceeded { emit(.slowCallRateExceeded(metrics.slowCallRate)) }
        transition(to: .open)
        return true
    }

    private func transition(to newState: State) {
        let old = state
        state = newState
        generation &+= 1
        halfOpenPermitsIssued = 0
        switch newState {
        case .open:
            openedAt = clock.now  // keep the window that tripped, for metrics
        case .halfOpen:
            window = OutcomeWindow(capacity: configuration.permittedCallsInHalfOpenState)
        case .closed, .disabled, .forcedOpen:
            openedAt = nil
            window = OutcomeWindow(capacity: configuration.slidingWindowSize)
        }
        emit(.stateTransition(from: old, to: newState))
    }

    private func emit(_ event: Event) {
        subscribers.removeAll { subscriber in
            if case .terminated = subscriber.yield(event) { return true }
            return false
        }
    }
}

extension CircuitBreaker where C == ContinuousClock {
    /// Creates a closed breaker on the continuous clock.
    public init(name: String = "circuit-breaker", configuration: Configuration = Configuration()) {
        self.init(name: name, configuration: configuration, clock: ContinuousClock())
    }
}

/// A count-based sliding window: a ring buffer of the last `capacity` outcomes with running counts.
struct OutcomeWindow: Sendable {
    private struct Outcome: Sendable {
        var failed: Bool
        var slow: Bool
    }

    let capacity: Int
    private var ring: [Outcome] = []
    private var next = 0
    private(set) var failures = 0
    private(set) var slows = 0

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        ring.reserveCapacity(self.capacity)
    }

    var count: Int { ring.count }

    mutating func record(failed: Bool, slow: Bool) {
        let outcome = Outcome(failed: failed, slow: slow)
        if ring.count < capacity {
            ring.append(outcome)
        } else {
            let evicted = ring[next]
            if evicted.failed { failures -= 1 }
            if evicted.slow { slows -= 1 }
            ring[next] = outcome
        }
        next = (next + 1) % capacity
        if failed { failures += 1 }
        if slow { slows += 1 }
    }
}
