import Foundation

/// The unit of work on the `JobQueue`: "check the recording(s) of this conversation".
///
/// It carries **only identifiers and minimised, tokenized metadata** — jobs are persisted (SQLite,
/// PostgreSQL, SQS…) and often logged, so nothing in here may be personal data. Contact details from
/// the triggering event never enter a job; if a per-person value is needed later, it travels as a
/// ``PseudonymousToken``.
public struct RecordingJob: Codable, Sendable, Hashable {
    /// The conversation.
    public var conversationId: GenesysID
    /// The recording, when the event named one (seed webhooks); `nil` means "all recordings of the
    /// conversation" (conversation-end events).
    public var recordingId: GenesysID?
    /// What triggered the job.
    public var kind: RecordingJobKind
    /// Correlation id for every log line, request and remediation of this job.
    public var correlationId: CorrelationID
    /// When the receiver accepted the event (wall clock).
    public var receivedAt: Date
    /// Minimised context.
    public var metadata: RecordingJobMetadata?

    /// Creates a job.
    public init(
        conversationId: GenesysID, recordingId: GenesysID? = nil, kind: RecordingJobKind,
        correlationId: CorrelationID, receivedAt: Date, metadata: RecordingJobMetadata? = nil
    ) {
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.kind = kind
        self.correlationId = correlationId
        self.receivedAt = receivedAt
        self.metadata = metadata
    }

    /// The idempotency key: `recording:<id>` when the recording is known, else `conversation:<id>`.
    public var idempotencyKey: String {
        if let recordingId { return "recording:\(recordingId)" }
        return "conversation:\(conversationId)"
    }
}

/// What triggered a ``RecordingJob``.
///
/// **Open**: jobs outlive deployments (a queue may hold jobs written by a newer version during a rolling
/// upgrade); an unknown kind is decoded, and the worker treats it like ``conversationEnded`` (resolve
/// and verify every recording) or dead-letters it — it is never silently dropped.
public enum RecordingJobKind: OpenStringEnum {
    /// `recordingStarted`: preliminary, media not ready.
    case recordingStarted
    /// `recordingCompleted`: metadata final, media may still be transcoding.
    case recordingCompleted
    /// `recordingAvailable`: media should be ready.
    case recordingAvailable
    /// `conversationEnded`: a detail end event; find the conversation's recordings.
    case conversationEnded
    /// Any other value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "recordingStarted": self = .recordingStarted
        case "recordingCompleted": self = .recordingCompleted
        case "recordingAvailable": self = .recordingAvailable
        case "conversationEnded": self = .conversationEnded
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .recordingStarted: "recordingStarted"
        case .recordingCompleted: "recordingCompleted"
        case .recordingAvailable: "recordingAvailable"
        case .conversationEnded: "conversationEnded"
        case let .other(value): value
        }
    }
}

/// Where a job's triggering event came from.
///
/// **Open**: new ingestion paths (AudioHook, polling) must not invalidate queued jobs.
public enum EventSource: OpenStringEnum {
    /// Vigil's seed-style webhook (``RecordingWebhookEvent``).
    case seedWebhook
    /// An Amazon EventBridge delivery (``EventBridgeEnvelope``).
    case eventBridge
    /// A Notification API (WebSocket) message (``NotificationMessage``).
    case notification
    /// Enqueued by an operator or a backfill.
    case manual
    /// Any other value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "seedWebhook": self = .seedWebhook
        case "eventBridge": self = .eventBridge
        case "notification": self = .notification
        case "manual": self = .manual
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .seedWebhook: "seedWebhook"
        case .eventBridge: "eventBridge"
        case .notification: "notification"
        case .manual: "manual"
        case let .other(value): value
        }
    }
}

/// Minimised context of a ``RecordingJob``: classifications, ids and tokens only.
public struct RecordingJobMetadata: Codable, Sendable, Hashable {
    /// Ingestion path.
    public var source: EventSource?
    /// The event's own id (delivery id / EventBridge id), for tracing duplicates.
    public var eventId: String?
    /// The event's time, epoch ms (Genesys `eventTime`).
    public var eventTimeMs: Int64?
    /// Channel.
    public var mediaType: MediaType?
    /// Direction.
    public var direction: CallDirection?
    /// Division.
    public var divisionId: GenesysID?
    /// Queue.
    public var queueId: GenesysID?
    /// Pseudonymous tokens keyed by purpose (keys 1–64 of `A–Z a–z 0–9 _`).
    public var tokens: [String: PseudonymousToken]?

    /// Creates metadata.
    public init(
        source: EventSource? = nil, eventId: String? = nil, eventTimeMs: Int64? = nil,
        mediaType: MediaType? = nil, direction: CallDirection? = nil, divisionId: GenesysID? = nil,
        queueId: GenesysID? = nil, tokens: [String: PseudonymousToken]? = nil
    ) {
        self.source = source
        self.eventId = eventId
        self.eventTimeMs = eventTimeMs
        self.mediaType = mediaType
        self.direction = direction
        self.divisionId = divisionId
        self.queueId = queueId
        self.tokens = tokens
    }

    enum CodingKeys: String, CodingKey {
        case source, eventId, eventTimeMs, mediaType, direction, divisionId, queueId, tokens
    }

    /// Decodes and validates (event id shape, non-negative time, token keys).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        source = try c.decodeIfPresent(EventSource.self, forKey: .source)
        eventId = try c.decodeIfPresent(String.self, forKey: .eventId)
        if let eventId, !CorrelationID.isValid(eventId) {
            throw c.failure(.invalidValue, .eventId, "must be 1-128 characters from A-Z a-z 0-9 . _ : -")
        }
        eventTimeMs = try c.decodeIntegerIfPresent(.eventTimeMs, in: 0...Int64(maxSafeJSONInteger))
        mediaType = try c.decodeIfPresent(MediaType.self, forKey: .mediaType)
        direction = try c.decodeIfPresent(CallDirection.self, forKey: .direction)
        divisionId = try c.decodeIfPresent(GenesysID.self, forKey: .divisionId)
        queueId = try c.decodeIfPresent(GenesysID.self, forKey: .queueId)
        tokens = try c.decodeIfPresent([String: PseudonymousToken].self, forKey: .tokens)
        if let tokens, !tokens.keys.allSatisfy(ComplianceRequestMetadata.isTokenKey) {
            throw c.failure(.invalidValue, .tokens, "keys must be 1-64 characters of A-Z a-z 0-9 _")
        }
    }
}
