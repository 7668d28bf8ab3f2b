/// The state of a ``CircuitBreaker``.
public enum CircuitBreakerState: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Normal operation: calls pass and their outcomes fill the sliding window.
    case closed
    /// Tripped: calls fail fast with ``CircuitBreakerOpenError`` until the wait in open state is over.
    case open
    /// Probing: a fixed number of trial calls pass; their outcomes decide between closed and open.
    case halfOpen
    /// Switched off by ``CircuitBreaker/disable()``: every call passes, nothing is recorded, the state
    /// never changes by itself.
    case disabled
    /// Held open by ``CircuitBreaker/forceOpen()``: every call is rejected, the state never changes by
    /// itself.
    case forcedOpen

    /// `closed`, `open`, `halfOpen`, `disabled` or `forcedOpen`.
    public var description: String { rawValue }
}

/// Something a ``CircuitBreaker`` reports through ``CircuitBreaker/events(bufferingNewest:)``.
public enum CircuitBreakerEvent: Sendable, Hashable {
    /// The state changed.
    case stateTransition(from: CircuitBreakerState, to: CircuitBreakerState)
    /// The failure rate (in percent) reached the threshold; a transition to `open` follows.
    case failureRateExceeded(Double)
    /// The slow-call rate (in percent) reached the threshold; a transition to `open` follows.
    case slowCallRateExceeded(Double)
    /// A call was rejected in this state (`open`, or `halfOpen` with every probe in flight).
    case notPermitted(CircuitBreakerState)
    /// ``CircuitBreaker/reset()`` was called.
    case reset
}

/// The settings of a ``CircuitBreaker``, named and defaulted as in resilience4j's
/// `CircuitBreakerConfig`.
public struct CircuitBreakerConfiguration: Sendable {
    /// Trip when at least this percentage of the buffered calls failed (`>=`). In `(0, 100]`.
    /// Default 50.
    public var failureRateThreshold: Double
    /// Trip when at least this percentage of the buffered calls were slow (`>=`). In `(0, 100]`.
    /// Default 100 (only when every call is slow).
    public var slowCallRateThreshold: Double
    /// A call that takes longer than this (strictly) is slow, whether it succeeded or failed.
    /// Default 60 s.
    public var slowCallDurationThreshold: Duration
    /// How many of the most recent call outcomes the count-based window keeps. Default 100.
    public var slidingWindowSize: Int
    /// How many outcomes must be buffered before the rates are evaluated at all. Clamped to
    /// ``slidingWindowSize`` (see ``effectiveMinimumNumberOfCalls``). Default 100.
    public var minimumNumberOfCalls: Int
    /// How long the breaker stays open before the next call is let through as a probe. Default 60 s.
    public var waitDurationInOpenState: Duration
    /// How many probe calls half-open admits; all of them must complete before it decides.
    /// Default 10.
    public var permittedCallsInHalfOpenState: Int
    /// Whether an error counts as a failure. Errors for which it returns `false` are ignored (neither
    /// success nor failure) — e.g. a 4xx validation error that says nothing about the engine's health.
    /// `CancellationError` is never counted, whatever this says. Default: every error counts.
    public var recordFailure: @Sendable (any Error) -> Bool

    /// Creates a configuration.
    ///
    /// - Precondition: thresholds in `(0, 100]`; window size, minimum calls and permitted probes at
    ///   least 1; durations not negative. A nonsensical breaker is a programming error.
    public init(
        failureRateThreshold: Double = 50,
        slowCallRateThreshold: Double = 100,
        slowCallDurationThreshold: Duration = .seconds(60),
        slidingWindowSize: Int = 100,
        minimumNumberOfCalls: Int = 100,
        waitDurationInOpenState: Duration = .seconds(60),
        permittedCallsInHalfOpenState: Int = 10,
        recordFailure: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) {
        precondition(failureRateThreshold > 0 && failureRateThreshold <= 100, "failureRateThreshold must be in (0, 100]")
        precondition(slowCallRateThreshold > 0 && slowCallRateThreshold <= 100, "slowCallRateThreshold must be in (0, 100]")
        precondition(slidingWindowSize >= 1, "slidingWindowSize must be at least 1")
        precondition(minimumNumberOfCalls >= 1, "minimumNumberOfCalls must be at least 1")
        precondition(permittedCallsInHalfOpenState >= 1, "permittedCallsInHalfOpenState must be at least 1")
        precondition(slowCallDurationThreshold >= .zero && waitDurationInOpenState >= .zero, "durations must not be negative")
        self.failureRateThreshold = failureRateThreshold
        self.slowCallRateThreshold = slowCallRateThreshold
        self.slowCallDurationThreshold = slowCallDurationThreshold
        self.slidingWindowSize = slidingWindowSize
        self.minimumNumberOfCalls = minimumNumberOfCalls
        self.waitDurationInOpenState = waitDurationInOpenState
        self.permittedCallsInHalfOpenState = permittedCallsInHalfOpenState
        self.recordFailure = recordFailure
    }

    /// ``minimumNumberOfCalls`` clamped to ``slidingWindowSize``, as resilience4j does for a
    /// count-based window (a window of 10 can never hold 100 calls).
    public var effectiveMinimumNumberOfCalls: Int { min(minimumNumberOfCalls, slidingWindowSize) }
}

/// A snapshot of a ``CircuitBreaker``'s sliding window.
public struct CircuitBreakerMetrics: Sendable, Hashable {
    /// Outcomes currently in the window (at most its size).
    public var bufferedCalls: Int
    /// Of those, how many failed (slow or not).
    public var failedCalls: Int
    /// Of those, how many were slow (failed or not).
    public var slowCalls: Int
    /// Calls rejected since the breaker was created or last reset.
    public var notPermittedCalls: Int

    /// Creates a snapshot.
    public init(bufferedCalls: Int, failedCalls: Int, slowCalls: Int, notPermittedCalls: Int) {
        self.bufferedCalls = bufferedCalls
        self.failedCalls = failedCalls
        self.slowCalls = slowCalls
        self.notPermittedCalls = notPermittedCalls
    }

    /// Failed calls as a percentage of buffered calls; 0 when the window is empty.
    public var failureRate: Double { Self.percent(failedCalls, of: bufferedCalls) }

    /// Slow calls as a percentage of buffered calls; 0 when the window is empty.
    public var slowCallRate: Double { Self.percent(slowCalls, of: bufferedCalls) }

    static func percent(_ part: Int, of whole: Int) -> Double {
        // Multiply first so that exact thresholds (3 of 10 = 30 %) compare exactly.
        whole == 0 ? 0 : Double(part * 100) / Double(whole)
    }
}

/// Thrown when a ``CircuitBreaker`` rejects a call without running it.
///
/// It is retryable by design: the engine is unhealthy, not the job. A worker gives the job back to its
/// ``JobQueue`` with ``retryAfter`` as the delay instead of dropping or hammering it:
///
/// ```swift
/// do {
///     reply = try await breaker.execute { try await engine.evaluate(request) }
/// } catch let open as CircuitBreakerOpenError {
///     try await queue.retry(leased.token, after: open.retryAfter, reason: open.errorCode)
///     return
/// }
/// ```
public struct CircuitBreakerOpenError: VigilCodedError, Hashable {
    /// Why the call was rejected; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case open, forcedOpen, halfOpenSaturated
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The breaker tripped and its wait in open state has not passed yet.
        public static let open = Code(.open)
        /// The breaker was forced open by an operator.
        public static let forcedOpen = Code(.forcedOpen)
        /// The breaker is half-open and every permitted probe is already in flight.
        public static let halfOpenSaturated = Code(.halfOpenSaturated)

        /// `circuitBreaker`: codes read `circuitBreaker.<name>`, e.g. `circuitBreaker.open`.
        public static let domain = "circuitBreaker"
        /// The name within ``domain``, e.g. `open`.
        public var name: String { base.rawValue }
    }

    /// Why the call was rejected.
    public let code: Code
    /// The breaker's name (e.g. the engine it guards).
    public let breaker: String
    /// How long until the breaker will next admit a call: exact when open (the rest of the wait);
    /// for half-open with all probes busy and for forced-open — where no time is known — the
    /// configured wait in open state, a conservative estimate.
    public let retryAfter: Duration

    /// Creates an error.
    public init(code: Code, breaker: String, retryAfter: Duration) {
        self.code = code
        self.breaker = breaker
        self.retryAfter = retryAfter
    }

    /// Always `true`: try again after ``retryAfter``.
    public var isRetryable: Bool { true }

    /// ``retryAfter``: until the breaker lets a trial call through.
    public var suggestedRetryDelay: Duration? { retryAfter }

    /// `circuitBreaker.open: breaker 'engine' rejected the call; retry after 20.0 seconds`.
    public var description: String { "\(code): breaker '\(breaker)' rejected the call; retry after \(retryAfter)" }
}
