import Foundation

/// Why an attempt failed, as far as a ``RetryPolicy`` needs to know.
public struct RetryableFailure: Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure.
    public enum Kind: Sendable, Hashable {
        /// The server answered with this HTTP status (429, 502, 503, 504…).
        case status(Int)
        /// No response arrived within the timeout.
        case timeout
        /// The connection failed before a response arrived.
        case connection
        /// Any other transient condition the caller chose to retry (e.g. media not ready yet).
        case other(String)
    }

    /// The kind of failure.
    public var kind: Kind
    /// The wait the server asked for (`Retry-After`), already parsed, if any.
    public var retryAfter: Duration?

    /// Creates a failure description.
    public init(_ kind: Kind, retryAfter: Duration? = nil) {
        self.kind = kind
        self.retryAfter = retryAfter
    }

    /// A short description, e.g. `status 503 (Retry-After 2 s)`.
    public var description: String {
        let base: String
        switch kind {
        case .status(let code): base = "status \(code)"
        case .timeout: base = "timeout"
        case .connection: base = "connection failure"
        case .other(let reason): base = reason
        }
        guard let retryAfter else { return base }
        return "\(base) (Retry-After \(retryAfter))"
    }
}

/// Decides whether, and after how long, a failed attempt is tried again.
///
/// Policies are pure: they compute a delay and never sleep. The waiting happens in
/// ``RetryExecutor``, on an injected `Clock`, so a test can drive time.
public protocol RetryPolicy: Sendable {
    /// The delay before the next attempt, or `nil` to stop retrying.
    ///
    /// - Parameters:
    ///   - attempt: how many attempts have been made so far (1 after the first failure).
    ///   - failure: why the last attempt failed.
    func delay(afterAttempt attempt: Int, failure: RetryableFailure) -> Duration?
}

/// Capped exponential backoff with full jitter, honouring `Retry-After`.
///
/// The delay after attempt `n` is `uniform(0, min(cap, base · 2^(n-1)))` — "Full Jitter" from AWS's
/// *Exponential Backoff And Jitter* (the formula of its simulator, `aws-arch-backoff-simulator`). Spreading
/// retries over the whole interval avoids the synchronised retry waves that plain exponential backoff
/// causes when many workers fail at once.
///
/// When the server sends `Retry-After`, that value replaces the computed delay — the server knows its
/// own load — as long as it is at most ``maxRetryAfter``. A longer requested wait stops in-process
/// retrying (`nil`): holding a worker for minutes is worse than returning the job to the queue with the
/// server's delay, which the caller can read from the failure. (Genesys Cloud's Go SDK likewise refuses
/// to wait for a `Retry-After` over 180 s.)
public struct ExponentialBackoffPolicy: RetryPolicy {
    /// The first retry's upper bound. Default 250 ms.
    public var base: Duration
    /// The largest upper bound any retry uses. Default 20 s.
    public var cap: Duration
    /// Total attempts, the first included. Default 5.
    public var maxAttempts: Int
    /// The longest server-requested wait honoured in-process. Default 180 s.
    public var maxRetryAfter: Duration
    /// Where the jitter comes from.
    public var random: RandomSource

    /// Creates a policy.
    public init(
        base: Duration = .milliseconds(250), cap: Duration = .seconds(20), maxAttempts: Int = 5,
        maxRetryAfter: Duration = .seconds(180), random: RandomSource = .system
    ) {
        self.base = base
        self.cap = cap
        self.maxAttempts = maxAttempts
        self.maxRetryAfter = maxRetryAfter
        self.random = random
    }

    /// The upper bound of the jitter range after attempt `n`: `min(cap, base · 2^(n-1))`.
    public func ceiling(afterAttempt attempt: Int) -> Duration {
        let exponent = Double(max(0, min(attempt - 1, 62)))
        let scaled = base.seconds * pow(2, exponent)
        guard scaled < cap.seconds else { return cap }
        return .nanoseconds(Int64(min(scaled * 1e9, 9.2e18)))
    }

    /// See ``RetryPolicy/delay(afterAttempt:failure:)``.
    public func delay(afterAttempt attempt: Int, failure: RetryableFailure) -> Duration? {
        guard attempt >= 1, attempt < maxAttempts else { return nil }
        if let requested = failure.retryAfter {
            return requested <= maxRetryAfter ? max(requested, .zero) : nil
        }
        let ceiling = ceiling(afterAttempt: attempt)
        let nanos = Double(ceiling.components.seconds) * 1e9 + Double(ceiling.components.attoseconds) / 1e9
        return .nanoseconds(Int64(nanos * random.next()))
    }
}

/// A policy that never retries.
public struct NoRetryPolicy: RetryPolicy {
    /// Creates the policy.
    public init() {}
    /// Always `nil`.
    public func delay(afterAttempt attempt: Int, failure: RetryableFailure) -> Duration? { nil }
}

extension RetryPolicy where Self == ExponentialBackoffPolicy {
    /// Capped full-jitter exponential backoff with the default settings.
    public static var exponentialBackoff: ExponentialBackoffPolicy { ExponentialBackoffPolicy() }
}

extension RetryPolicy where Self == NoRetryPolicy {
    /// Never retry.
    public static var never: NoRetryPolicy { NoRetryPolicy() }
}
