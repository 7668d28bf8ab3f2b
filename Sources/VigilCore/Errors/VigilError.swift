/// The common shape of every error Vigil throws.
///
/// Each module's error is an extensible struct (new cases are new `static` members, never a breaking
/// change) over a private enum, with a stable machine-readable ``errorCode`` for metrics labels, alerts
/// and tests. Descriptions carry context — a status, a field path, a correlation id — and never raw
/// PII, secrets or request bodies.
public protocol VigilError: Error, Sendable, CustomStringConvertible {
    /// A stable identifier of the failure kind, e.g. `"http.timedOut"`. Safe as a metric label.
    var errorCode: String { get }

    /// Whether repeating the same operation later may succeed (a timeout, a 503, a busy lock) as
    /// opposed to a permanent failure (bad input, a rejected signature, a 404).
    var isRetryable: Bool { get }

    /// How long the failing side asked to be left alone before the next try (a `Retry-After`, an open
    /// breaker's remaining time), when it said. Default `nil`.
    var suggestedRetryDelay: Duration? { get }
}

extension VigilError {
    /// No delay suggested.
    public var suggestedRetryDelay: Duration? { nil }
}

/// What a failed piece of work means for the job it belongs to — the **one** rule above the HTTP
/// client.
///
/// Vigil repeats work at exactly two layers: `GenesysCloudClient` repeats one API call (its own,
/// narrower per-call rule: which statuses, and whether a create may be sent again), and the job queue
/// redelivers a job. Everything between — the remediation executor, the pipeline, the verdict
/// callback — runs each piece of work once and classifies its failure with this type: a transient
/// failure gives the job back to the queue, a permanent one is dead-lettered, cancellation is passed
/// on as cancellation.
///
/// ```swift
/// switch FailureClass(error) {
/// case .cancelled: throw CancellationError()
/// case let .transient(delay): try await queue.retry(token, after: delay ?? backoff, reason: code)
/// case .permanent: try await sink.deadLetter(letter)
/// }
/// ```
public enum FailureClass: Sendable, Hashable {
    /// The task was cancelled (or the error is a `CancellationError`): stop and give the work back.
    case cancelled
    /// A ``VigilError`` whose ``VigilError/isRetryable`` is `true`: the job is tried again later, after
    /// the delay the failing side suggested when it did.
    case transient(suggestedDelay: Duration?)
    /// Anything else — a permanent ``VigilError``, or an error of a foreign type, which Vigil cannot
    /// judge and so never retries blindly.
    case permanent

    /// Classifies `error`.
    public init(_ error: any Error) {
        if error is CancellationError || Task.isCancelled {
            self = .cancelled
        } else if let error = error as? any VigilError, error.isRetryable {
            self = .transient(suggestedDelay: error.suggestedRetryDelay)
        } else {
            self = .permanent
        }
    }
}
