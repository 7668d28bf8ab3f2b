import Foundation
import VigilCore

/// What the host's HTTP route returns: a status, a small JSON body and headers.
///
/// | Outcome | Status | Body `status` |
/// |---|---|---|
/// | accepted: a job was enqueued | 202 | `accepted` |
/// | duplicate: this delivery or event was already accepted | 200 | `duplicate` (with the cached acknowledgement) |
/// | ignored: a well-formed event Vigil does not act on | 200 | `ignored` |
/// | conflict: the event's key already has a job, for different content | 200 | `conflict` |
/// | malformed body | 400 | `rejected` |
/// | bad, missing or stale signature; replayed id with other content | 401 | `rejected` |
/// | body too large | 413 | `rejected` |
/// | queue refused, store failed, or the same event is in flight | 503 + `Retry-After` | `retry` |
///
/// 2xx answers are final (the sender must not retry); 503 asks for a retry, and Vigil has released its
/// claims so that the retry is processed. Bodies carry codes and Vigil-made ids only — never anything
/// from the request.
public struct WebhookResponse: Sendable, Hashable, CustomStringConvertible {
    /// The outcome, for the host's own logging and metrics.
    public enum Outcome: Sendable, Hashable, CustomStringConvertible {
        /// A job was enqueued.
        case accepted
        /// Already accepted earlier; nothing was enqueued.
        case duplicate
        /// Well-formed but not actionable (unknown type or topic); acknowledged and counted.
        case ignored
        /// The key already has a job for different content; acknowledged, counted, nothing enqueued.
        case conflict
        /// Refused, with the stable error code (`webhook.noMatchingSignature`, `event.nestingTooDeep`…).
        case rejected(code: String)
        /// Not processed now; the sender should retry (code: `queue.rejected`, `idempotency.storageFailure`,
        /// `ingest.inProgress`…).
        case retryLater(code: String)

        /// A short label, e.g. `rejected(webhook.timestampTooOld)`.
        public var description: String {
            switch self {
            case .accepted: "accepted"
            case .duplicate: "duplicate"
            case .ignored: "ignored"
            case .conflict: "conflict"
            case let .rejected(code): "rejected(\(code))"
            case let .retryLater(code): "retryLater(\(code))"
            }
        }
    }

    /// The HTTP status to return.
    public let status: Int
    /// Response headers (`Content-Type`, and `Retry-After` on 503).
    public let headers: HTTPFields
    /// The JSON body.
    public let body: [UInt8]
    /// What happened.
    public let outcome: Outcome

    init(status: Int, outcome: Outcome, fields: [(String, String)], retryAfter: Int? = nil) {
        self.status = status
        self.outcome = outcome
        var json = "{"
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { json += "," }
            json += "\"\(key)\":\"\(value)\""
        }
        json += "}"
        body = Array(json.utf8)
        var headers: HTTPFields = ["Content-Type": "application/json"]
        if let retryAfter { headers["Retry-After"] = String(retryAfter) }
        self.headers = headers
    }

    /// `WebhookResponse(202 accepted)`.
    public var description: String { "WebhookResponse(\(status) \(outcome))" }
}
