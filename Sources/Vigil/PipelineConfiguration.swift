import Foundation
import VigilCore
import VigilPlatformClient
import VigilRemediation
import VigilVerdict

/// Tunables of a ``CompliancePipeline``.
public struct PipelineConfiguration: Sendable {
    /// How long a worker leases a job (and claims its recording). Longer than the slowest job: awaiting
    /// a transcoding recording, the engine, and remediation with its backoff. Default 10 min.
    public var lease: Duration
    /// How long an idle worker waits before asking the queue again. Default 1 s. With a queue that is
    /// `JobArrivalNotifying` (PostgreSQL `LISTEN/NOTIFY`) a worker wakes as soon as a job arrives, and
    /// this is only the longest wait.
    public var idlePollInterval: Duration
    /// How `awaitRecording` polls a recording that is still transcoding, within one delivery. Default:
    /// 1 s doubling to 15 s, for at most 30 s — then the job goes back to the queue for
    /// ``notReadyDelay`` rather than holding a worker (a recording still uploading can take minutes).
    public var recordingPoll: RecordingPollOptions
    /// How long a job whose media is not ready stays in the queue before the next try. Default 60 s.
    public var notReadyDelay: Duration
    /// The longest a not-ready job waits between tries: the wait doubles with each delivery from
    /// ``notReadyDelay`` up to this, so the queue's `maxDeliveries` covers hours, not minutes, of a
    /// recording that is slow to upload. Default 30 min.
    /// Never less than ``notReadyDelay`` (the shorter of the two is raised).
    public var maxNotReadyDelay: Duration
    /// How long a media link given to the engine is declared valid. Capped at 60 min (Genesys pre-signed
    /// URLs live at most that long, from when the recording was fetched). Default 10 min.
    @Bounded(.zero ... .seconds(3_600)) public var mediaLinkLifetime: Duration = .seconds(600)
    /// The longest a job waits before trying again when another worker is evaluating the same recording
    /// (its claim may last a whole ``lease`` if that worker died). Default 30 s.
    public var busyRetryDelay: Duration
    /// The `maxWait` of the conversation's recording list in a fan-out. Default 5 s.
    public var listMaxWait: Duration
    /// How many times a `conversationEnded` job whose conversation has no recordings yet is tried
    /// before it is acknowledged as having none. Default 3.
    @Bounded(1...Int.max) public var fanOutAttempts: Int = 3
    /// The queue's `maxDeliveries`, when known — only to report a retry on the last delivery as a dead
    /// letter to the observer. `nil`: not reported.
    public var queueMaxDeliveries: Int?
    /// The backoff for retryable failures that name no delay, by delivery count (capped full jitter by
    /// default: 2 s doubling to 5 min).
    public var retryBackoff: any RetryPolicy
    /// The delay when the backoff policy gives none. Default 5 min.
    public var maxRetryDelay: Duration
    /// How long the pipeline remembers an evaluated recording, so a duplicate job is acknowledged
    /// without work. Default 30 days.
    public var retain: Duration
    /// Prefix of the pipeline's idempotency keys. Default `vigil.pipeline:`.
    public var keyPrefix: String

    /// Creates a configuration.
    public init(
        lease: Duration = .seconds(600), idlePollInterval: Duration = .seconds(1),
        recordingPoll: RecordingPollOptions = RecordingPollOptions(
            initialDelay: .seconds(1), maxDelay: .seconds(15),
            limit: .seconds(30)),
        notReadyDelay: Duration = .seconds(60), maxNotReadyDelay: Duration = .seconds(1_800), busyRetryDelay: Duration = .seconds(30),
        mediaLinkLifetime: Duration = .seconds(600),
        listMaxWait: Duration = .seconds(5), fanOutAttempts: Int = 3, queueMaxDeliveries: Int? = nil,
        retryBackoff: any RetryPolicy = ExponentialBackoffPolicy(
            base: .seconds(2), cap: .seconds(300),
            maxAttempts: .max),
        maxRetryDelay: Duration = .seconds(300), retain: Duration = .seconds(30 * 86_400),
        keyPrefix: String = "vigil.pipeline:"
    ) {
        self.lease = lease
        self.idlePollInterval = idlePollInterval
        self.recordingPoll = recordingPoll
        self.notReadyDelay = notReadyDelay
        self.maxNotReadyDelay = max(notReadyDelay, maxNotReadyDelay)
        self.busyRetryDelay = busyRetryDelay
        self.mediaLinkLifetime = mediaLinkLifetime
        self.listMaxWait = listMaxWait
        self.fanOutAttempts = fanOutAttempts
        self.queueMaxDeliveries = queueMaxDeliveries
        self.retryBackoff = retryBackoff
        self.maxRetryDelay = maxRetryDelay
        self.retain = retain
        self.keyPrefix = keyPrefix
    }
}

/// Which remediation flow runs for which policy action.
///
/// `NONE` never runs a flow; a `COMPLIANT` verdict never runs one whatever the policy says.
public struct RemediationRouting: Sendable {
    /// The flow per action; an action without a flow is decided and recorded, not remediated.
    public var flows: [RemediationAction: RemediationFlow]

    /// Routes each action to its flow.
    public init(flows: [RemediationAction: RemediationFlow]) {
        self.flows = flows.filter { $0.key != .none }
    }

    /// Runs `flow` for `RECORD_ONLY`, `HUMAN_REVIEW` and `ROUTE_TO_COMPLIANCE_QUEUE` alike (for example
    /// `RemediationFlow.defaultFlow(worktypeId:reviewQueueId:)`).
    public init(flow: RemediationFlow) {
        self.init(flows: [.recordOnly: flow, .humanReview: flow, .routeToComplianceQueue: flow])
    }

    /// The flow for `action`, if any.
    public func flow(for action: RemediationAction) -> RemediationFlow? {
        action == .none ? nil : flows[action]
    }
}
