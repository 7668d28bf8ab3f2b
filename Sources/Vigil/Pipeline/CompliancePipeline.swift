import Foundation
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilVerdict

/// Vigil end to end: webhook → queue → platform → engine → validator → policy → remediation, with
/// every side effect exactly once per recording.
///
/// ```
/// receive(body:headers:)  ─ WebhookReceiver: verify, dedupe, minimise ─▶  JobQueue<RecordingJob>
/// run(workers: N) ─ each worker: lease ─▶ by kind:
///   conversationEnded      list the conversation's recordings → one job per recording (keyed: no duplicates)
///   recordingCompleted /   claim the recording → availability verified before download (not uploaded:
///                          back to the queue; transcoding: awaitRecording polls in place)
///   recordingAvailable     → ComplianceRequest with a short-lived MediaLink → engine (behind its breaker)
///                          → validator → policy → remediation flow (per decision) → ack
///   recordingStarted       metadata checked only → ack
/// ```
///
/// The type is written by role, one file each: ingest and the type's wiring (this file), the worker
/// loop and settlement (`CompliancePipeline+Workers.swift`), the conversation fan-out
/// (`+FanOut`), the evaluation of one recording (`+Evaluation`) and remediation (`+Remediation`, shared
/// by the worker path and verdicts that arrive by callback).
///
/// **Who retries what.** Vigil repeats work at two layers only: `GenesysCloudClient` repeats one API
/// call, and the queue redelivers a job. Every stage here runs its work once and turns the outcome into
/// a ``Disposition`` value — acknowledge, give back to the queue after a delay, or dead-letter —
/// classifying failures with `FailureClass`. Failures never lose a job: permanent ones go to the
/// dead-letter sink (then the job is acknowledged) or, for conversation jobs, to the queue's dead
/// letters after `maxDeliveries`. A worker cancelled mid-job releases its claims and gives the job back
/// at once (`retry(after: .zero)`), and the next delivery resumes: finished remediation steps are
/// skipped, a work item created just before the cancellation is found by its external tag.
///
/// All time comes from the injected clock (waits, timings) and wall clock `now` (`Date`s); with a
/// `TestClock` a whole run of thousands of recordings takes seconds.
public final class CompliancePipeline: Sendable {
    /// Tunables (``PipelineConfiguration``).
    public typealias Configuration = PipelineConfiguration

    /// The ingest side: what ``receive(body:headers:)`` calls.
    public let receiver: WebhookReceiver
    /// The queue between ingest and workers: the receiver's own, so the two cannot be wired apart.
    public var queue: any JobQueue<RecordingJob> { receiver.queue }
    /// The platform.
    public let client: GenesysCloudClient
    /// Engine (behind its breaker), validator and policy.
    public let evaluator: ComplianceEvaluator
    /// Which flow runs for which decision.
    public let routing: RemediationRouting
    /// The tunables.
    public let configuration: Configuration

    let store: any IdempotencyStore
    let deadLetters: any DeadLetterSink
    let observer: any ComplianceObserver
    let runFlow: @Sendable (RemediationFlow, ComplianceVerdict, RemediationContext) async throws -> RemediationReport
    let sleep: @Sendable (Duration) async throws -> Void
    let elapsed: @Sendable () -> Duration
    let now: @Sendable () -> Date

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - receiver: the webhook receiver; its queue is the pipeline's ``queue``.
    ///   - client: the Genesys Cloud client.
    ///   - evaluator: the engine behind its breaker (`CircuitBreakingComplianceEngine`), the verdict
    ///     validator and the policy.
    ///   - remediation: the executor (its `RemediationActions` is usually `client`).
    ///   - routing: the flow per decision.
    ///   - store: the idempotency store for the pipeline's own keys (fan-out, evaluated recordings);
    ///     may be the one the receiver and executor use.
    ///   - deadLetters: where permanent failures of a recording go (the executor's sink, typically).
    ///   - observer: receives every step (``PipelineStatistics``, a logging bridge…).
    ///   - configuration: tunables.
    ///   - clock: every wait and timing.
    ///   - now: wall time for requests, link expiry and dead letters.
    public init<EC: Clock>(
        receiver: WebhookReceiver, client: GenesysCloudClient,
        evaluator: ComplianceEvaluator, remediation: RemediationExecutor<EC>,
        routing: RemediationRouting, store: any IdempotencyStore, deadLetters: any DeadLetterSink,
        observer: any ComplianceObserver = NoComplianceObserver(),
        configuration: Configuration = Configuration(),
        clock: some Clock<Duration> = ContinuousClock(),
        now: @escaping @Sendable () -> Date = { Date() }
    ) where EC.Duration == Duration {
        self.receiver = receiver
        self.client = client
        self.evaluator = evaluator
        self.routing = routing
        self.configuration = configuration
        self.store = store
        self.deadLetters = deadLetters
        self.observer = observer
        self.runFlow = { flow, verdict, context in try await remediation.run(flow, verdict: verdict, context: context) }
        let origin = clock.now
        self.elapsed = { origin.duration(to: clock.now) }
        self.sleep = { duration in try await clock.sleep(until: clock.now.advanced(by: duration), tolerance: nil) }
        self.now = now
    }

    // MARK: - Ingest

    /// Handles one webhook delivery (the host's HTTP route calls this with the raw body and headers and
    /// returns the response as is). Never throws.
    public func receive(body: [UInt8], headers: HTTPFields) async -> WebhookResponse {
        let start = elapsed()
        let response = await receiver.receive(body: body, headers: headers)
        observer.record(
            PipelineEvent(
                kind: .received(status: response.status, outcome: response.outcome), at: now(),
                duration: elapsed() - start))
        return response
    }

    // MARK: - Shared by the roles

    /// What becomes of a leased job: every stage's result, as a value.
    enum Disposition {
        /// Done (or nothing to do): acknowledge.
        case ack
        /// Back to the queue, to be delivered again after `after`.
        case retry(after: Duration, reason: String)
        /// Permanent: a dead letter for the recording, then acknowledge. A recording claim held until
        /// the letter is stored travels with it.
        case deadLetter(stage: String, code: String, reason: String, claim: HeldClaim? = nil)
    }

    /// A recording claim kept until the dead letter is stored: completed then, released if the sink fails.
    struct HeldClaim {
        let key: String
        let token: LeaseToken
    }

    /// The durable status the pipeline stores under its own keys, typed (the store keeps its raw value).
    enum KeyStatus: Sendable, Hashable {
        /// A fan-out key: the recording's job is enqueued.
        case enqueued
        /// A recording key: the engine will post its verdict later.
        case pending
        /// A recording key: remediated to the end.
        case flagged
        /// A recording key: decided, nothing (more) to remediate for this action.
        case decided(RemediationAction)
        /// A recording key: a remediation step was dead-lettered.
        case remediationDeadLettered
        /// A recording key: the recording itself was dead-lettered (a permanent failure before remediation).
        case deadLettered
        /// A verdict key: the validated verdict is stored in the outcome's details.
        case verdictStored

        /// The string the store keeps.
        var rawValue: String {
            switch self {
            case .enqueued: "enqueued"
            case .pending: "pending"
            case .flagged: "flagged"
            case let .decided(action): "decided:\(action.rawValue)"
            case .remediationDeadLettered: "remediationDeadLettered"
            case .deadLettered: "deadLettered"
            case .verdictStored: "decided"
            }
        }
    }

    /// The fingerprints of the pipeline's keys: one purpose each, versioned.
    enum KeyPurpose: String {
        case fanOut = "fanout-v1", evaluate = "evaluate-v1", verdict = "verdict-v1"
    }

    /// Completes one of the pipeline's keys with a typed status.
    func complete(_ key: String, token: LeaseToken, _ status: KeyStatus, details: [String: String] = [:]) async {
        try? await store.complete(
            key, token: token,
            outcome: StoredOutcome(status: status.rawValue, details: details, completedAt: now()),
            retain: configuration.retain)
    }

    func code(of error: any Error) -> String {
        (error as? any VigilError)?.errorCode ?? String(describing: type(of: error))
    }

    func emit(_ kind: PipelineEvent.Kind, worker: Int? = nil) {
        observer.record(PipelineEvent(kind: kind, at: now(), worker: worker))
    }

    static func duration(from start: Date, to end: Date) -> Duration {
        .milliseconds(Int64((max(0, end.timeIntervalSince(start)) * 1000).rounded()))
    }

    /// Emits events about one job.
    struct Trace {
        let pipeline: CompliancePipeline
        let conversationId: GenesysID
        let recordingId: GenesysID?
        let correlationId: CorrelationID
        let worker: Int?

        init(pipeline: CompliancePipeline, job: RecordingJob, worker: Int?) {
            self.pipeline = pipeline
            conversationId = job.conversationId
            recordingId = job.recordingId
            correlationId = job.correlationId
            self.worker = worker
        }

        init(pipeline: CompliancePipeline, request: ComplianceRequest) {
            self.pipeline = pipeline
            conversationId = request.conversationId
            recordingId = request.recordingId
            correlationId = request.correlationId
            worker = nil
        }

        func emit(_ kind: PipelineEvent.Kind, duration: Duration? = nil) {
            pipeline.observer.record(
                PipelineEvent(
                    kind: kind, at: pipeline.now(), duration: duration, worker: worker,
                    conversationId: conversationId, recordingId: recordingId,
                    correlationId: correlationId))
        }
    }
}

/// A failure the pipeline reports to its caller (most failures are handled inside: requeued or
/// dead-lettered).
public struct PipelineError: VigilDetailedError, Hashable {
    /// The kind of failure.
    public struct Code: VigilErrorCode {
        private let base: String
        private init(_ base: String) { self.base = base }

        /// A remediation stopped before its end (another worker holds a step, or a step failed
        /// transiently). Retryable: deliver the verdict again later.
        public static let remediationIncomplete = Code("remediationIncomplete")

        /// `pipeline`: codes read `pipeline.<name>`.
        public static let domain = "pipeline"
        /// The name within ``domain``.
        public var name: String { base }
    }

    /// What went wrong.
    public let code: Code
    /// A short explanation (identifiers and statuses only).
    public let detail: String

    /// Creates an error.
    public init(code: Code, detail: String) {
        self.code = code
        self.detail = detail
    }


    /// `remediationIncomplete` is retryable.
    public var isRetryable: Bool { code == .remediationIncomplete }

}
