import Foundation
import VigilCore
import VigilModels

/// A failed call to a compliance engine, or a request Vigil refused to send.
///
/// Carries the HTTP status, the request's correlation id, a `Retry-After` delay and — for a malformed
/// reply — the JSON field path; never the request or response body.
///
/// What the caller does with it:
/// - ``isRetryable`` `true` (``Code/rateLimited``, ``Code/unavailable``, ``Code/timedOut``,
///   ``Code/connectionFailed``): give the job back to the queue, after ``retryAfter`` when present.
/// - ``Code/mediaLinkExpired``: retryable too, with no wait (``suggestedRetryDelay`` `.zero`): the job,
///   tried again, re-fetches the recording (Genesys issues a new pre-signed URL on every `GET`) and
///   builds a new request.
/// - anything else is permanent for this request: dead-letter the job.
public struct ComplianceEngineError: VigilCodedError, Hashable {
    /// The kind of failure; new kinds are added as new static members.
    public struct Code: VigilErrorCode {
        private enum Base: String {
            case rateLimited, unavailable, rejected, unexpectedStatus, malformedReply, replyTooLarge
            case timedOut, connectionFailed, mediaLinkExpired, mediaLinkInsecure, invalidConfiguration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// `429 Too Many Requests`. Retryable, usually with ``ComplianceEngineError/retryAfter``.
        public static let rateLimited = Code(.rateLimited)
        /// `5xx`: the engine failed or is overloaded. Retryable.
        public static let unavailable = Code(.unavailable)
        /// `4xx` other than 429: the engine refuses this request. Permanent.
        public static let rejected = Code(.rejected)
        /// A status the contract does not define (1xx, 3xx, a 2xx other than 200/202). Permanent.
        public static let unexpectedStatus = Code(.unexpectedStatus)
        /// The reply body is not the verdict (or acceptance) JSON the contract defines; ``path`` names
        /// the field. Permanent, and counted against the engine's health.
        public static let malformedReply = Code(.malformedReply)
        /// The reply body is larger than the configured limit. Permanent.
        public static let replyTooLarge = Code(.replyTooLarge)
        /// No reply within the per-call timeout. Retryable.
        public static let timedOut = Code(.timedOut)
        /// The connection failed before a reply arrived. Retryable.
        public static let connectionFailed = Code(.connectionFailed)
        /// The request's media link has expired, or would expire before the engine could use it.
        /// Re-fetch the media URI and build a new request.
        public static let mediaLinkExpired = Code(.mediaLinkExpired)
        /// The media link is not `https`, or carries user credentials. Permanent.
        public static let mediaLinkInsecure = Code(.mediaLinkInsecure)
        /// The engine's configuration is unusable (e.g. a non-https endpoint). Permanent.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        /// `engine`: codes read `engine.<name>`, e.g. `engine.rateLimited`.
        public static let domain = "engine"
        /// The name within ``domain``, e.g. `rateLimited`.
        public var name: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The HTTP status, when a reply arrived.
    public let status: Int?
    /// The correlation id of the request.
    public let correlationId: CorrelationID?
    /// How long the engine asked us to wait (`Retry-After`), when it said.
    public let retryAfter: Duration?
    /// For ``Code/malformedReply``: the JSON path of the offending field (`confidenceScore`), empty for
    /// the document itself.
    public let path: String?
    /// A short explanation without any body content.
    public let detail: String

    /// Creates an error.
    public init(
        code: Code, status: Int? = nil, correlationId: CorrelationID? = nil, retryAfter: Duration? = nil,
        path: String? = nil, detail: String
    ) {
        self.code = code
        self.status = status
        self.correlationId = correlationId
        self.retryAfter = retryAfter
        self.path = path
        self.detail = detail
    }

    /// `true` for rate limiting, 5xx, timeouts, connection failures and an expired media link.
    public var isRetryable: Bool {
        code == .rateLimited || code == .unavailable || code == .timedOut || code == .connectionFailed
            || code == .mediaLinkExpired
    }

    /// ``retryAfter``; `.zero` for ``Code/mediaLinkExpired`` (a fresh link can be asked for at once).
    public var suggestedRetryDelay: Duration? { code == .mediaLinkExpired ? .zero : retryAfter }

    /// `engine.unavailable: HTTP 503 (correlation evt-1) retry after 30 seconds — <detail>`.
    public var description: String {
        var text = "\(code):"
        if let status { text += " HTTP \(status)" }
        if let correlationId { text += " (correlation \(correlationId))" }
        if let path { text += " at \(path.isEmpty ? "(root)" : path)" }
        if let retryAfter { text += " retry after \(retryAfter)" }
        return text + " — \(detail)"
    }

    /// Whether `error` says something about the engine's health, for
    /// `CircuitBreakerConfiguration/recordFailure`.
    ///
    /// Counts: rate limiting, 5xx, timeouts, connection failures, malformed replies and unexpected
    /// statuses (the engine is misbehaving). Does not count: a 4xx rejection of one request, a refused
    /// media link or a configuration error (our side), and — by the breaker's own rule — cancellation.
    /// Errors of other types count.
    public static let countsAgainstEngine: @Sendable (any Error) -> Bool = { error in
        guard let error = error as? ComplianceEngineError else { return true }
        switch error.code {
        case .rejected, .mediaLinkExpired, .mediaLinkInsecure, .invalidConfiguration: return false
        default: return true
        }
    }
}

/// What a worker should do with a job whose evaluation failed.
public enum EngineFailure {
    /// How long to wait before the job is tried again, or `nil` when it must not be retried
    /// (dead-letter it): ``FailureClass`` applied to an evaluation.
    ///
    /// - a transient failure: the delay its error suggests — a `CircuitBreakerOpenError`'s remaining
    ///   open time, a ``ComplianceEngineError/retryAfter``, `.zero` for
    ///   ``ComplianceEngineError/Code/mediaLinkExpired`` (re-fetch the media and try now) — else
    ///   `fallback`.
    /// - everything else (a rejected verdict, a 4xx, a malformed reply, a foreign error): `nil`.
    /// - cancellation: `nil` too; the caller, cancelled, gives the job back rather than asking.
    ///
    /// ```swift
    /// do {
    ///     let outcome = try await evaluator.evaluate(request)
    ///     …
    /// } catch {
    ///     if let delay = EngineFailure.requeueDelay(for: error) {
    ///         try await queue.retry(leased.token, after: delay, reason: "\(error)")   // the job is not lost
    ///     } else {
    ///         try await queue.retry(leased.token, after: .zero, reason: "permanent")  // dead-letters at max
    ///     }
    /// }
    /// ```
    public static func requeueDelay(for error: any Error, fallback: Duration = .seconds(30)) -> Duration? {
        guard case let .transient(suggested) = FailureClass(error) else { return nil }
        return suggested ?? fallback
    }
}
