import Foundation
import VigilCore
import VigilEventSub
import VigilModels
import VigilRemediation
import VigilVerdict

/// Receives every step of a ``CompliancePipeline`` — the audit trail a host bridges to its logging and
/// metrics (see `Documentation/observability.md` for swift-log and swift-metrics).
///
/// ``record(_:)`` is called inline on the worker (or on the webhook request), so it must be cheap and
/// must not block: increment a counter, append to a buffer, hand the event to a logger that formats
/// lazily. Never await I/O in it. Events carry identifiers, codes and timings only — never media,
/// transcript text, evidence or contact data.
public protocol ComplianceObserver: Sendable {
    /// Records one event. Cheap and non-blocking.
    func record(_ event: PipelineEvent)
}

/// An observer that ignores everything (the default).
public struct NoComplianceObserver: ComplianceObserver {
    /// Creates the observer.
    public init() {}
    /// Does nothing.
    public func record(_ event: PipelineEvent) {}
}

/// Forwards every event to several observers, in order (e.g. ``PipelineStatistics`` and a logger).
public struct ComplianceObservers: ComplianceObserver {
    /// The observers, called in order.
    public let observers: [any ComplianceObserver]

    /// Combines `observers`.
    public init(_ observers: [any ComplianceObserver]) {
        self.observers = observers
    }

    /// Forwards `event` to each observer.
    public func record(_ event: PipelineEvent) {
        for observer in observers { observer.record(event) }
    }
}

/// One step of the pipeline, with when it happened, how long it took and which job it was about.
///
/// Identifiers are Genesys UUIDs and Vigil correlation ids — never personal data.
public struct PipelineEvent: Sendable, Hashable, CustomStringConvertible {
    /// Why a job left the queue for good without being flagged normally.
    public enum DeadLetterSource: String, Sendable, Hashable {
        /// The queue's own dead letters (a retry past `maxDeliveries`).
        case queue
        /// The pipeline's dead-letter sink (a permanent failure: recording unavailable, verdict rejected…).
        case sink
        /// The remediation executor dead-lettered a step (the sink has the full reason).
        case remediation
    }

    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// A webhook delivery was handled by ``CompliancePipeline/receive(body:headers:)``: its HTTP status
        /// and outcome (`accepted` means a job was enqueued; `duplicate` means a redelivery was suppressed).
        case received(status: Int, outcome: WebhookResponse.Outcome)
        /// A worker started (or was restarted after its task was cancelled on its own).
        case workerStarted
        /// A worker stopped.
        case workerStopped
        /// A worker leased a job (`deliveryCount` 1 the first time).
        case leased(kind: RecordingJobKind, deliveryCount: Int)
        /// A `conversationEnded` job listed the conversation's recordings: `enqueued` new per-recording
        /// jobs, `alreadyEnqueued` suppressed by the fan-out idempotency keys.
        case fannedOut(recordings: Int, enqueued: Int, alreadyEnqueued: Int)
        /// The job's recording was already evaluated (a duplicate job); acknowledged without work.
        case duplicateJob
        /// A `recordingStarted` job's metadata was checked (`valid` false: counted, acknowledged).
        case metadataValidated(valid: Bool)
        /// `awaitRecording` confirmed the media is available (duration: the wait, polls included).
        case recordingReady
        /// The media is not available yet; the job goes back to the queue for `retryAfter`.
        case recordingNotReady(retryAfter: Duration)
        /// The engine found the media link expired; the job goes back to the queue at once, and its next
        /// delivery fetches the recording again for a fresh link.
        case mediaLinkRefreshed
        /// The engine answered with a verdict that passed validation (duration: the engine call,
        /// validation and policy included).
        case verdict(Verdict, violationType: ViolationType?, confidence: Double)
        /// The engine accepted the request; the verdict arrives by callback.
        case verdictPending
        /// The verdict an earlier attempt of this job stored before remediating was used: the engine was
        /// not called again (the earlier attempt's worker was cancelled or crashed mid-remediation).
        case verdictReused
        /// The engine call failed (stable error code; `retryAfter` nil when permanent).
        case engineFailed(code: String, retryAfter: Duration?)
        /// The engine's verdict was rejected by the validator (stable code, e.g. `verdict.recordingMismatch`).
        case validationRejected(code: String)
        /// The policy decided.
        case decision(action: RemediationAction, priority: RemediationPriority, ruleId: String)
        /// One remediation step finished (outcome label: `ran`, `skipped-already-done`, `found-existing`,
        /// `in-progress-elsewhere`, `failed-transient`, `dead-lettered`).
        case remediationStep(blockId: String, action: RemediationStepAction, outcome: String, attempts: Int)
        /// The remediation flow ended with `status`.
        case remediationFinished(status: RemediationReport.Status)
        /// The recording is flagged: remediation completed. `timeToFlag` runs from when the triggering
        /// event was accepted (the job's first enqueue; for a fan-out job, its conversation event's) to now.
        case flagged(timeToFlag: Duration)
        /// The job was given back to the queue for `after` (stable reason code).
        case retried(after: Duration, reason: String)
        /// A worker was cancelled mid-job: its lease was released with `retry(after: .zero)`.
        case released
        /// The job was acknowledged (removed from the queue).
        case acked
        /// The job was dead-lettered (stable reason code).
        case deadLettered(source: DeadLetterSource, reason: String)
        /// The job's lease had been lost (it expired; another worker has the job).
        case leaseLost
        /// A queue or store operation failed (stable code); the job's lease will expire and it is redelivered.
        case storageFailed(code: String)
    }

    /// What happened.
    public let kind: Kind
    /// When (the pipeline's wall clock).
    public let at: Date
    /// How long the step took on the pipeline's clock, when it is a timed step.
    public let duration: Duration?
    /// The worker (0-based), `nil` for the ingest side.
    public let worker: Int?
    /// The conversation, when known.
    public let conversationId: GenesysID?
    /// The recording, when known.
    public let recordingId: GenesysID?
    /// The job's correlation id, when known.
    public let correlationId: CorrelationID?

    /// Creates an event.
    public init(
        kind: Kind, at: Date, duration: Duration? = nil, worker: Int? = nil, conversationId: GenesysID? = nil,
        recordingId: GenesysID? = nil, correlationId: CorrelationID? = nil
    ) {
        self.kind = kind
        self.at = at
        self.duration = duration
        self.worker = worker
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.correlationId = correlationId
    }

    /// A short stable name for the kind (`received`, `leased`, `flagged`…), for log messages and metric labels.
    public var name: String {
        switch kind {
        case .received: "received"
        case .workerStarted: "workerStarted"
        case .workerStopped: "workerStopped"
        case .leased: "leased"
        case .fannedOut: "fannedOut"
        case .duplicateJob: "duplicateJob"
        case .metadataValidated: "metadataValidated"
        case .recordingReady: "recordingReady"
        case .recordingNotReady: "recordingNotReady"
        case .mediaLinkRefreshed: "mediaLinkRefreshed"
        case .verdict: "verdict"
        case .verdictPending: "verdictPending"
        case .verdictReused: "verdictReused"
        case .engineFailed: "engineFailed"
        case .validationRejected: "validationRejected"
        case .decision: "decision"
        case .remediationStep: "remediationStep"
        case .remediationFinished: "remediationFinished"
        case .flagged: "flagged"
        case .retried: "retried"
        case .released: "released"
        case .acked: "acked"
        case .deadLettered: "deadLettered"
        case .leaseLost: "leaseLost"
        case .storageFailed: "storageFailed"
        }
    }

    /// `flagged recording=<id> correlation=<id> worker=2 (0.8 seconds)` — identifiers only.
    public var description: String {
        var text = name
        if let recordingId {
            text += " recording=\(recordingId)"
        } else if let conversationId {
            text += " conversation=\(conversationId)"
        }
        if let correlationId { text += " correlation=\(correlationId)" }
        if let worker { text += " worker=\(worker)" }
        if let duration { text += " (\(duration))" }
        return text
    }
}
