/// Runs an operation, retrying transient failures according to a ``RetryPolicy``.
///
/// Every wait goes through the injected `Clock`, so tests drive time instead of sleeping. The executor
///
/// - asks `classify` whether an error is transient (returns a ``RetryableFailure``) or final (`nil`);
/// - asks the policy for the delay; stops when it says `nil`;
/// - stops when the next attempt would start after the overall `deadline`;
/// - checks for cancellation before every attempt and while waiting;
/// - rethrows the last error unchanged when it stops, so the caller sees the real failure.
///
/// ```swift
/// let executor = RetryExecutor(policy: ExponentialBackoffPolicy(), clock: ContinuousClock(), deadline: .seconds(30))
/// let recording = try await executor.run(classify: GenesysAPIError.retryableFailure) { attempt in
///     try await client.getRecording(...)
/// }
/// ```
public struct RetryExecutor<C: Clock>: Sendable where C.Duration == Duration {
    /// Called before each wait: the attempt that failed, why, and how long the executor will wait.
    public typealias RetryObserver = @Sendable (_ attempt: Int, _ failure: RetryableFailure, _ delay: Duration) -> Void

    /// The retry policy.
    public let policy: any RetryPolicy
    /// The clock all waits use.
    public let clock: C
    /// The longest the whole run may take, measured from the first attempt; `nil` for no limit.
    public let deadline: Duration?
    private let observer: RetryObserver?

    /// Creates an executor.
    public init(policy: any RetryPolicy, clock: C, deadline: Duration? = nil, onRetry: RetryObserver? = nil) {
        self.policy = policy
        self.clock = clock
        self.deadline = deadline
        self.observer = onRetry
    }

    /// Runs `operation` until it succeeds, fails permanently, or retries run out.
    ///
    /// - Parameters:
    ///   - classify: maps an error to a transient failure, or `nil` when it must not be retried.
    ///     `CancellationError` is never retried.
    ///   - operation: the work; receives the attempt number, starting at 1.
    public func run<T: Sendable>(
        classify: @Sendable (any Error) -> RetryableFailure?,
        operation: @Sendable (_ attempt: Int) async throws -> T
    ) async throws -> T {
        let start = clock.now
        var attempt = 0
        while true {
            try Task.checkCancellation()
            attempt += 1
            do {
                return try await operation(attempt)
            } catch is CancellationError {
                throw CancellationError()
            } catch {
                guard let failure = classify(error),
                    let delay = policy.delay(afterAttempt: attempt, failure: failure)
                else { throw error }
                if let deadline {
                    let elapsed = start.duration(to: clock.now)
                    if elapsed + delay > deadline { throw error }
                }
                observer?(attempt, failure, delay)
                if delay > .zero {
                    try await clock.sleep(until: clock.now.advanced(by: delay), tolerance: nil)
                }
            }
        }
    }
}
