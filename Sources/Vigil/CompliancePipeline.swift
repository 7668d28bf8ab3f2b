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
/// Failures never lose a job: retryable ones go back to the queue with the engine's requested delay
/// (`EngineFailure.requeueDelay(for:fallback:)`) or a backoff; permanent ones go to the dead-letter
/// sink (then the job is acknowledged) or, for conversation jobs, to the queue's dead letters after
/// `maxDeliveries`. A worker cancelled mid-job releases its lease (`retry(after: .zero)`) and its
/// claims, and the next delivery resumes: finished remediation steps are skipped, a work item created
/// just before the cancellation is found by its external tag.
///
/// All time comes from the injected clock (waits, timings) and wall clock (`Date`s); with a
/// `TestClock` a whole run of thousands of recordings takes seconds.
public final class CompliancePipeline: Sendable {
    /// Tunables (``PipelineConfiguration``).
    public typealias Configuration = PipelineConfiguration

    /// The ingest side: what ``receive(body:headers:)`` calls.
    public let receiver: WebhookReceiver
    /// The queue between ingest and workers.
    public let queue: any JobQueue<RecordingJob>
    /// The platform.
    public let client: GenesysCloudClient
    /// Engine (behind its breaker), validator and policy.
    public let evaluator: ComplianceEvaluator
    /// Which flow runs for which decision.
    public let routing: RemediationRouting
    /// The tunables.
    public let configuration: Configuration

    private let store: any IdempotencyStore
    private let deadLetters: any DeadLetterSink
    private let observer: any ComplianceObserver
    private let remediate: @Sendable (RemediationFlow, ComplianceVerdict, RemediationContext) async throws -> RemediationReport
    private let sleep: @Sendable (Duration) async throws -> Void
    private let elapsed: @Sendable () -> Duration
    private let now: @Sendable () -> Date

    /// Creates a pipeline.
    ///
    /// - Parameters:
    ///   - receiver: the webhook receiver; it must enqueue into `queue`.
    ///   - queue: the job queue (`SQLiteJobQueue`, or the host's own).
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
    public init<EC: Clock>(receiver: WebhookReceiver, queue: any JobQueue<RecordingJob>, client: GenesysCloudClient,
                           evaluator: ComplianceEvaluator, remediation: RemediationExecutor<EC>,
                           routing: RemediationRouting, store: any IdempotencyStore, deadLetters: any DeadLetterSink,
                           observer: any ComplianceObserver = NoComplianceObserver(),
                           configuration: Configuration = Configuration(),
                           clock: some Clock<Duration> = ContinuousClock(),
                           now: @escaping @Sendable () -> Date = { Date() }) where EC.Duration == Duration {
        self.receiver = receiver
        self.queue = queue
        self.client = client
        self.evaluator = evaluator
        self.routing = routing
        self.configuration = configuration
        self.store = store
        self.deadLetters = deadLetters
        self.observer = observer
        self.remediate = { flow, verdict, context in try await remediation.run(flow, verdict: verdict, context: context) }
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
        observer.record(PipelineEvent(kind: .received(status: response.status, outcome: response.outcome), at: now(),
                                      duration: elapsed() - start))
        return response
    }

    // MARK: - Workers

    /// Runs `workers` workers until the calling task is cancelled, then returns once every in-flight job
    /// has finished or released its lease.
    ///
    /// Structured: one child task per worker in a task group. A worker whose own task is cancelled
    /// (while the pipeline is not) is replaced, so `workers` keep running.
    public func run(workers: Int) async {
        let count = max(1, workers)
        await withTaskGroup(of: Int.self) { group in
            for id in 0..<count {
                group.addTask { await self.worker(id); return id }
            }
            while let id = await group.next() {
                if !Task.isCancelled {
                    group.addTask { await self.worker(id); return id }
                }
            }
        }
    }

    /// Runs one worker until its task is cancelled (``run(workers:)`` runs several).
    public func worker(_ id: Int) async {
        emit(.workerStarted, worker: id)
        defer { emit(.workerStopped, worker: id) }
        while !Task.isCancelled {
            let batch: [Leased<RecordingJob>]
            do {
                batch = try await queue.lease(max: 1, for: configuration.lease)
            } catch {
                emit(.storageFailed(code: code(of: error)), worker: id)
                batch = []
            }
            guard let leased = batch.first else {
                if let notifying = queue as? any JobArrivalNotifying {
                    await notifying.waitForJobs(timeout: configuration.idlePollInterval)
                    if Task.isCancelled { return }
                } else {
                    do { try await sleep(configuration.idlePollInterval) } catch { return }
                }
                continue
            }
            await process(leased, worker: id)
        }
    }

    /// Processes one leased job to the end: acknowledged, given back, dead-lettered or released.
    ///
    /// Exposed for hosts that drive leasing themselves (a serverless function per job).
    public func process(_ leased: Leased<RecordingJob>, worker id: Int = 0) async {
        let job = leased.job
        let trace = Trace(pipeline: self, job: job, worker: id)
        trace.emit(.leased(kind: job.kind, deliveryCount: leased.deliveryCount))
        let disposition: Disposition
        do {
            switch job.kind {
            case .recordingStarted:
                disposition = checkMetadata(job, trace)
            case .recordingCompleted, .recordingAvailable:
                if let recordingId = job.recordingId {
                    disposition = try await evaluate(leased, recordingId: recordingId, trace)
                } else {
                    disposition = try await fanOut(leased, trace)
                }
            case .conversationEnded, .other:
                disposition = try await fanOut(leased, trace)
            }
        } catch {
            // Cancelled mid-way (or an unexpected throw): give the job back at once; claims were released.
            do {
                try await queue.retry(leased.token, after: .zero, reason: "worker cancelled")
                trace.emit(.released)
            } catch {
                trace.emit(.leaseLost)
            }
            return
        }
        await settle(leased, disposition, trace)
    }

    // MARK: - Job kinds

    enum Disposition {
        case ack
        case retry(after: Duration, reason: String)
        case deadLetter(stage: String, code: String, reason: String, claim: HeldClaim? = nil)
    }

    /// A recording claim kept until the dead letter is stored: completed then, released if the sink fails.
    struct HeldClaim {
        let key: String
        let token: LeaseToken
    }

    /// `recordingStarted`: the media does not exist yet; only the metadata is checked.
    private func checkMetadata(_ job: RecordingJob, _ trace: Trace) -> Disposition {
        let mediaType = job.metadata?.mediaType
        let valid = job.recordingId != nil && (mediaType == nil || mediaType == .voice)
        trace.emit(.metadataValidated(valid: valid))
        return .ack
    }

    /// `conversationEnded`: one job per recording, each enqueued once whatever the redeliveries.
    private func fanOut(_ leased: Leased<RecordingJob>, _ trace: Trace) async throws -> Disposition {
        let job = leased.job
        let start = elapsed()
        let listing: ConversationRecordings
        do {
            listing = try await client.listRecordings(conversationId: job.conversationId, maxWait: configuration.listMaxWait)
        } catch {
            try rethrowCancellation(error)
            return failure(error, stage: "fanOut", leased)
        }
        var seen = Set<GenesysID>()
        let recordings = listing.recordings.filter { seen.insert($0.id).inserted }
        if recordings.isEmpty {
            trace.emit(.fannedOut(recordings: 0, enqueued: 0, alreadyEnqueued: 0), duration: elapsed() - start)
            if listing.isTranscoding || leased.deliveryCount < configuration.fanOutAttempts {
                let delay = notReadyDelay(leased)
                trace.emit(.recordingNotReady(retryAfter: delay))
                return .retry(after: delay, reason: "conversation.noRecordingsYet")
            }
            return .ack
        }
        var enqueued = 0, already = 0, busy = false
        for recording in recordings {
            let key = configuration.keyPrefix + "fanout:" + recording.id.rawValue
            let claim: ClaimResult
            do {
                claim = try await store.claim(key, fingerprint: "fanout-v1", lease: configuration.lease)
            } catch {
                return failure(error, stage: "fanOut", leased)
            }
            switch claim {
            case let .acquired(token):
                let child = RecordingJob(conversationId: job.conversationId, recordingId: recording.id,
                                         kind: .recordingAvailable,
                                         correlationId: Self.childCorrelation(job.correlationId, recording.id),
                                         receivedAt: job.receivedAt, metadata: job.metadata)
                do {
                    try await queue.enqueue(child, notBefore: nil)
                } catch {
                    try? await store.release(key, token: token)
                    return failure(error, stage: "fanOut", leased)
                }
                try? await store.complete(key, token: token,
                                          outcome: StoredOutcome(status: "enqueued", completedAt: now()),
                                          retain: configuration.retain)
                enqueued += 1
            case .completed, .conflict:
                already += 1
            case .inProgress:
                busy = true
            }
        }
        trace.emit(.fannedOut(recordings: recordings.count, enqueued: enqueued, alreadyEnqueued: already),
                   duration: elapsed() - start)
        if busy || listing.isTranscoding {
            return .retry(after: notReadyDelay(leased), reason: "conversation.fanOutIncomplete")
        }
        return .ack
    }

    /// `recordingCompleted` / `recordingAvailable`: evaluate the recording once.
    private func evaluate(_ leased: Leased<RecordingJob>, recordingId: GenesysID, _ trace: Trace) async throws -> Disposition {
        let key = configuration.keyPrefix + "recording:" + recordingId.rawValue
        let claim: ClaimResult
        do {
            claim = try await store.claim(key, fingerprint: "evaluate-v1", lease: configuration.lease)
        } catch {
            return failure(error, stage: "claim", leased)
        }
        let token: LeaseToken
        switch claim {
        case let .acquired(acquired):
            token = acquired
        case .completed, .conflict:
            trace.emit(.duplicateJob)
            return .ack
        case let .inProgress(until):
            let remaining = Duration.milliseconds(Int64(max(until.timeIntervalSince(now()), 1) * 1000))
            return .retry(after: min(remaining, configuration.busyRetryDelay), reason: "recording.inProgress")
        }
        let (disposition, status): (Disposition, String?)
        do {
            (disposition, status) = try await evaluateClaimed(leased, recordingId: recordingId, trace)
        } catch {
            try? await store.release(key, token: token)
            throw error
        }
        if case let .deadLetter(stage, code, reason, _) = disposition {
            return .deadLetter(stage: stage, code: code, reason: reason, claim: HeldClaim(key: key, token: token))
        }
        if let status {
            try? await store.complete(key, token: token, outcome: StoredOutcome(status: status, completedAt: now()),
                                      retain: configuration.retain)
        } else {
            try? await store.release(key, token: token)
        }
        return disposition
    }

    /// The claimed part of ``evaluate(_:recordingId:_:)``. Returns the disposition and, when the
    /// recording is settled for good, the status to store (`nil` releases the claim for a retry). A dead
    /// letter keeps the claim until the sink has stored the letter (see ``settle(_:_:_:)``): should the
    /// sink fail, the redelivered job is evaluated again rather than acknowledged as a duplicate.
    private func evaluateClaimed(_ leased: Leased<RecordingJob>, recordingId: GenesysID,
                                 _ trace: Trace) async throws -> (Disposition, String?) {
        let job = leased.job
        var recording: Recording
        switch try await awaitRecording(leased, recordingId: recordingId, trace) {
        case let .success(ready): recording = ready
        case let .failure(outcome): return outcome
        }

        // A verdict an earlier attempt of this job stored before remediating (its worker was cancelled or
        // crashed mid-remediation): reused, so the engine is called once per recording.
        let verdictKey = Self.verdictKey(recordingId)
        let earlier = await storedVerdict(verdictKey, recordingId: recordingId)
        if case let .stored(verdict) = earlier, let uri = recording.primaryMediaURI,
           let decided = try? evaluator.decide(verdict, for: makeRequest(job, recordingId: recordingId, recording: recording, uri: uri)) {
            trace.emit(.verdictReused)
            return try await remediateDecided(leased, recording: recording, recordingId: recordingId,
                                              validated: decided.0, decision: decided.1, trace)
        }
        let outcome: ComplianceEvaluator.Outcome
        let engineDuration: Duration
        let answer: EngineAnswer
        do {
            answer = try await callEngine(leased, recordingId: recordingId, recording: &recording, trace)
        } catch {
            if case let .claimed(token) = earlier { try? await store.release(verdictKey, token: token) }
            throw error
        }
        switch answer {
        case let .failure(early):
            if case let .claimed(token) = earlier { try? await store.release(verdictKey, token: token) }
            return early
        case let .success(answer):
            (outcome, engineDuration) = answer
        }
        if case let .claimed(token) = earlier {
            if case let .decided(validated, _) = outcome, let json = try? VigilJSON.encodeBytes(validated.verdict) {
                try? await store.complete(verdictKey, token: token,
                                          outcome: StoredOutcome(status: "decided", details: ["verdict": String(decoding: json, as: UTF8.self)],
                                                                 completedAt: now()),
                                          retain: configuration.retain)
            } else {
                try? await store.release(verdictKey, token: token)
            }
        }

        let validated: ValidatedVerdict, decision: RemediationDecision
        switch outcome {
        case .pending:
            trace.emit(.verdictPending, duration: engineDuration)
            return (.ack, "pending")
        case let .decided(v, d):
            validated = v
            decision = d
        }
        let verdict = validated.verdict
        trace.emit(.verdict(verdict.verdict, violationType: verdict.violationType, confidence: verdict.confidenceScore),
                   duration: engineDuration)
        trace.emit(.decision(action: decision.action, priority: decision.priority, ruleId: decision.ruleId))
        return try await remediateDecided(leased, recording: recording, recordingId: recordingId,
                                          validated: validated, decision: decision, trace)
    }

    /// The remediation of a decided verdict (fresh from the engine, or stored by an earlier attempt).
    private func remediateDecided(_ leased: Leased<RecordingJob>, recording: Recording, recordingId: GenesysID,
                                  validated: ValidatedVerdict, decision: RemediationDecision,
                                  _ trace: Trace) async throws -> (Disposition, String?) {
        let job = leased.job
        let verdict = validated.verdict
        guard !verdict.verdict.isCompliant, let flow = routing.flow(for: decision.action) else {
            return (.ack, "decided:\(decision.action.rawValue)")
        }

        let context = RemediationContext(conversationId: job.conversationId, recordingId: recordingId,
                                         recordingDurationMs: recording.outputDurationMs)
        let start = elapsed()
        let report: RemediationReport
        do {
            report = try await remediate(flow, verdict, context)
        } catch {
            try rethrowCancellation(error)
            return (.deadLetter(stage: "remediation", code: code(of: error), reason: "\(error)"), nil)
        }
        for step in report.steps {
            trace.emit(.remediationStep(blockId: step.blockId, action: step.action, outcome: step.outcome.label,
                                        attempts: step.attempts), duration: step.duration)
        }
        trace.emit(.remediationFinished(status: report.status), duration: elapsed() - start)
        switch report.status {
        case .completed:
            // From when the event was accepted (a fan-out job keeps its conversation event's time).
            let timeToFlag = Self.duration(from: min(leased.firstEnqueuedAt, job.receivedAt), to: now())
            trace.emit(.flagged(timeToFlag: timeToFlag))
            return (.ack, "flagged")
        case .deadLettered:
            trace.emit(.deadLettered(source: .remediation, reason: "remediation.stepDeadLettered"))
            return (.ack, "remediationDeadLettered")
        case .deferred:
            return (.retry(after: deferralDelay(report), reason: "remediation.deferred"), nil)
        case .retryLater:
            return (.retry(after: backoff(leased), reason: "remediation.retryLater"), nil)
        }
    }

    /// What an earlier attempt of a job left for its recording.
    enum EarlierVerdict {
        /// Its verdict, stored before remediation started.
        case stored(ComplianceVerdict)
        /// Nothing yet; this attempt holds the key until it has a verdict (then stores it) or gives up.
        case claimed(LeaseToken)
        /// Unknown (the store failed, or the key is held elsewhere): the engine is asked, nothing is stored.
        case unknown
    }

    /// `vigil.verdict:<recordingId>`: the validated verdict of a recording, kept from before its
    /// remediation starts until ``PipelineConfiguration/retain`` ends.
    static func verdictKey(_ recordingId: GenesysID) -> String { "vigil.verdict:\(recordingId.rawValue)" }

    private func storedVerdict(_ key: String, recordingId: GenesysID) async -> EarlierVerdict {
        switch try? await store.claim(key, fingerprint: "verdict-v1", lease: configuration.lease) {
        case let .completed(outcome)?:
            guard let text = outcome.details["verdict"],
                  let verdict = try? VigilJSON.decode(ComplianceVerdict.self, from: Array(text.utf8)),
                  verdict.recordingId == recordingId else { return .unknown }
            return .stored(verdict)
        case let .acquired(token)?: return .claimed(token)
        default: return .unknown
        }
    }

    enum EngineAnswer {
        case success((ComplianceEvaluator.Outcome, Duration))
        case failure((Disposition, String?))
    }

    /// Asks the engine (behind the evaluator), refreshing an expired media link up to twice.
    private func callEngine(_ leased: Leased<RecordingJob>, recordingId: GenesysID, recording: inout Recording,
                            _ trace: Trace) async throws -> EngineAnswer {
        let job = leased.job
        var refreshes = 0
        while true {
            guard let uri = recording.primaryMediaURI else {
                return .failure((.retry(after: notReadyDelay(leased), reason: "recording.noMediaURI"), nil))
            }
            let request = makeRequest(job, recordingId: recordingId, recording: recording, uri: uri)
            let start = elapsed()
            do {
                let outcome = try await evaluator.evaluate(request)
                return .success((outcome, elapsed() - start))
            } catch let error as VerdictValidationError {
                trace.emit(.validationRejected(code: error.errorCode), duration: elapsed() - start)
                return .failure((.deadLetter(stage: "validate", code: error.errorCode, reason: error.description), nil))
            } catch {
                try rethrowCancellation(error)
                if let engine = error as? ComplianceEngineError, engine.code == .mediaLinkExpired, refreshes < 2 {
                    refreshes += 1
                    trace.emit(.mediaLinkRefreshed)
                    switch try await awaitRecording(leased, recordingId: recordingId, trace) {
                    case let .success(ready): recording = ready
                    case let .failure(outcome): return .failure(outcome)
                    }
                    continue
                }
                var delay = EngineFailure.requeueDelay(for: error, fallback: backoff(leased))
                if delay == .zero { delay = backoff(leased) }   // refreshed in place already: do not spin
                trace.emit(.engineFailed(code: code(of: error), retryAfter: delay), duration: elapsed() - start)
                guard let delay else {
                    return .failure((.deadLetter(stage: "engine", code: code(of: error), reason: "\(error)"), nil))
                }
                return .failure((.retry(after: delay, reason: code(of: error)), nil))
            }
        }
    }

    enum Awaited {
        case success(Recording)
        case failure((Disposition, String?))
    }

    /// Verifies that the recording's media is available (polling through transcoding) before anything
    /// downloads it.
    private func awaitRecording(_ leased: Leased<RecordingJob>, recordingId: GenesysID,
                                _ trace: Trace) async throws -> Awaited {
        let start = elapsed()
        let conversationId = leased.job.conversationId
        do {
            // One look first: a recording that is not even uploaded yet (or not there yet: 404) goes
            // straight back to the queue instead of holding a worker; only transcoding (202), which
            // takes seconds, is polled in place.
            let recording: Recording
            switch try await firstLook(conversationId: conversationId, recordingId: recordingId) {
            case let .ready(ready):
                recording = ready
            case .transcoding:
                recording = try await client.awaitRecording(conversationId: conversationId, recordingId: recordingId,
                                                            options: configuration.recordingPoll)
            case let .notReady(pending):
                throw GenesysAPIError(code: .recordingNotReady, status: 200, detail: "the recording's media is not uploaded yet",
                                      fileState: pending?.fileState)
            case let .archived(gone), let .deleted(gone), let .failed(gone):
                throw GenesysAPIError(code: .recordingUnavailable, status: 200,
                                      detail: "the recording's media will not become available", fileState: gone.fileState)
            }
            trace.emit(.recordingReady, duration: elapsed() - start)
            return .success(recording)
        } catch let error as GenesysAPIError where error.code == .recordingNotReady {
            let delay = notReadyDelay(leased)
            trace.emit(.recordingNotReady(retryAfter: delay), duration: elapsed() - start)
            return .failure((.retry(after: delay, reason: error.errorCode), nil))
        } catch {
            try rethrowCancellation(error)
            return .failure((failure(error, stage: "awaitRecording", leased), nil))
        }
    }

    enum FirstLook {
        case ready(Recording)
        case transcoding
        case notReady(Recording?)
        case archived(Recording), deleted(Recording), failed(Recording)
    }

    /// One `GET` of the recording, classified; a 404 is "not there yet".
    private func firstLook(conversationId: GenesysID, recordingId: GenesysID) async throws -> FirstLook {
        do {
            switch try await client.recording(conversationId: conversationId, recordingId: recordingId) {
            case let .ready(recording): return .ready(recording)
            case .transcoding: return .transcoding
            case let .notReady(recording): return .notReady(recording)
            case let .archived(recording): return .archived(recording)
            case let .deleted(recording): return .deleted(recording)
            case let .failed(recording): return .failed(recording)
            }
        } catch let error as GenesysAPIError where error.code == .notFound {
            return .notReady(nil)
        }
    }

    private func makeRequest(_ job: RecordingJob, recordingId: GenesysID, recording: Recording,
                             uri: PresignedURL) -> ComplianceRequest {
        let requestedAt = now()
        let metadata = ComplianceRequestMetadata(
            channel: job.metadata?.mediaType ?? .voice, direction: job.metadata?.direction,
            mediaSubtype: recording.mediaSubtype, durationMs: recording.outputDurationMs,
            divisionId: job.metadata?.divisionId, queueId: job.metadata?.queueId, tokens: job.metadata?.tokens)
        return ComplianceRequest(
            correlationId: job.correlationId, recordingId: recordingId, conversationId: job.conversationId,
            media: MediaLink(uri: uri, expiresAt: requestedAt.addingTimeInterval(configuration.mediaLinkLifetime.seconds),
                             format: .wav),
            metadata: metadata, requestedAt: requestedAt)
    }

    // MARK: - Verdicts that arrive by callback

    /// Remediates a verdict an asynchronous engine posted later (it answered `202 Accepted`, and the
    /// job was acknowledged as `verdictPending`): decision (the given one, else the evaluator's policy)
    /// and the routed flow, each step once per recording as usual.
    ///
    /// Wire it to `VerdictCallbackReceiver`'s handler, which answers the engine `503` when the handler
    /// throws — so a remediation that could not finish now is retried by the engine's redelivery:
    ///
    /// ```swift
    /// let callbacks = VerdictCallbackReceiver(configuration: …, pending: registry, policy: policy) { callback in
    ///     try await pipeline.remediate(callback.verdict, for: callback.request, decision: callback.decision)
    /// }
    /// ```
    ///
    /// - Returns: the remediation report, or `nil` when the decision remediates nothing (a `COMPLIANT`
    ///   verdict, action `NONE`, or an action without a flow).
    /// - Throws: ``PipelineError/Code/remediationIncomplete`` (retryable) when a step must be retried
    ///   later; `CancellationError`.
    @discardableResult
    public func remediate(_ validated: ValidatedVerdict, for request: ComplianceRequest,
                          decision: RemediationDecision? = nil) async throws -> RemediationReport? {
        let trace = Trace(pipeline: self, request: request)
        let verdict = validated.verdict
        let decision = decision ?? evaluator.policy.decide(validated)
        trace.emit(.verdict(verdict.verdict, violationType: verdict.violationType, confidence: verdict.confidenceScore))
        trace.emit(.decision(action: decision.action, priority: decision.priority, ruleId: decision.ruleId))
        guard !verdict.verdict.isCompliant, let flow = routing.flow(for: decision.action) else { return nil }
        let context = RemediationContext(conversationId: request.conversationId, recordingId: request.recordingId,
                                         recordingDurationMs: request.metadata?.durationMs)
        let start = elapsed()
        let report = try await remediate(flow, verdict, context)
        for step in report.steps {
            trace.emit(.remediationStep(blockId: step.blockId, action: step.action, outcome: step.outcome.label,
                                        attempts: step.attempts), duration: step.duration)
        }
        trace.emit(.remediationFinished(status: report.status), duration: elapsed() - start)
        switch report.status {
        case .completed:
            trace.emit(.flagged(timeToFlag: Self.duration(from: request.requestedAt, to: now())))
        case .deadLettered:
            trace.emit(.deadLettered(source: .remediation, reason: "remediation.stepDeadLettered"))
        case .deferred, .retryLater:
            throw PipelineError(code: .remediationIncomplete,
                                detail: "remediation stopped with status \(report.status.rawValue); deliver the verdict again later")
        }
        return report
    }

    // MARK: - Settling

    /// A retryable failure goes back to the queue (with the error's own delay, else the backoff); a
    /// permanent one is dead-lettered.
    private func failure(_ error: any Error, stage: String, _ leased: Leased<RecordingJob>) -> Disposition {
        let code = code(of: error)
        if let vigil = error as? any VigilError, vigil.isRetryable {
            var delay = backoff(leased)
            if let api = error as? GenesysAPIError, let retryAfter = api.retryAfter { delay = retryAfter }
            return .retry(after: delay, reason: code)
        }
        if error is URLError { return .retry(after: backoff(leased), reason: code) }
        return .deadLetter(stage: stage, code: code, reason: "\(error)")
    }

    private func settle(_ leased: Leased<RecordingJob>, _ disposition: Disposition, _ trace: Trace) async {
        do {
            switch disposition {
            case .ack:
                try await queue.ack(leased.token)
                trace.emit(.acked)
            case let .retry(delay, reason):
                try await queue.retry(leased.token, after: delay, reason: reason)
                trace.emit(.retried(after: delay, reason: reason))
                if let max = configuration.queueMaxDeliveries, leased.deliveryCount >= max {
                    trace.emit(.deadLettered(source: .queue, reason: reason))
                }
            case let .deadLetter(stage, code, reason, claim):
                guard let recordingId = leased.job.recordingId else {
                    // Conversation jobs have no recording to file a letter under: the queue keeps them.
                    try await queue.retry(leased.token, after: .zero, reason: code)
                    trace.emit(.retried(after: .zero, reason: code))
                    return
                }
                let letter = RemediationDeadLetter(
                    flowName: "CompliancePipeline", blockId: stage, action: "evaluate",
                    conversationId: leased.job.conversationId, recordingId: recordingId,
                    correlationId: leased.job.correlationId, errorCode: code, reason: reason,
                    attempts: leased.deliveryCount, occurredAt: now())
                do {
                    try await deadLetters.deadLetter(letter)
                } catch {
                    // The sink must not lose it: back to the queue, the recording free to be evaluated again.
                    if let claim { try? await store.release(claim.key, token: claim.token) }
                    let delay = backoff(leased)
                    try await queue.retry(leased.token, after: delay, reason: "deadLetterSink.failed")
                    trace.emit(.retried(after: delay, reason: "deadLetterSink.failed"))
                    return
                }
                if let claim {
                    // Stored: a duplicate job for this recording is now acknowledged without a second letter.
                    try? await store.complete(claim.key, token: claim.token,
                                              outcome: StoredOutcome(status: "deadLettered", details: ["errorCode": code],
                                                                     completedAt: now()),
                                              retain: configuration.retain)
                }
                trace.emit(.deadLettered(source: .sink, reason: code))
                try await queue.ack(leased.token)
                trace.emit(.acked)
            }
        } catch let error as JobQueueError where error.code == .leaseLost {
            trace.emit(.leaseLost)
        } catch {
            trace.emit(.storageFailed(code: code(of: error)))
            trace.emit(.leaseLost)
        }
    }

    // MARK: - Helpers

    /// ``PipelineConfiguration/notReadyDelay`` doubled per earlier delivery, capped at
    /// ``PipelineConfiguration/maxNotReadyDelay``.
    private func notReadyDelay(_ leased: Leased<RecordingJob>) -> Duration {
        let doublings = min(max(0, leased.deliveryCount - 1), 20)
        return min(configuration.notReadyDelay * (1 << doublings), configuration.maxNotReadyDelay)
    }

    /// How long a run stopped by another worker's step claim waits: until that claim's lease ends (plus
    /// a second), when the report says — a worker that crashed holding it (kill -9) frees it only then,
    /// and a fixed short delay would spend the job's deliveries on waiting — else 30 s.
    private func deferralDelay(_ report: RemediationReport) -> Duration {
        let until = report.steps.compactMap { step -> Date? in
            if case let .inProgressElsewhere(until) = step.outcome { return until }
            return nil
        }.max()
        guard let until else { return .seconds(30) }
        let milliseconds = Int64((until.timeIntervalSince(now()) * 1_000).rounded(.up)) + 1_000
        return min(max(.milliseconds(milliseconds), .seconds(1)), configuration.maxRetryDelay)
    }

    private func backoff(_ leased: Leased<RecordingJob>) -> Duration {
        configuration.retryBackoff.delay(afterAttempt: max(1, leased.deliveryCount),
                                         failure: RetryableFailure(.other("pipeline"))) ?? configuration.maxRetryDelay
    }

    private func rethrowCancellation(_ error: any Error) throws {
        if error is CancellationError { throw error }
        if Task.isCancelled { throw CancellationError() }
    }

    private func code(of error: any Error) -> String {
        (error as? any VigilError)?.errorCode ?? String(describing: type(of: error))
    }

    private func emit(_ kind: PipelineEvent.Kind, worker: Int? = nil) {
        observer.record(PipelineEvent(kind: kind, at: now(), worker: worker))
    }

    static func duration(from start: Date, to end: Date) -> Duration {
        .milliseconds(Int64((max(0, end.timeIntervalSince(start)) * 1000).rounded()))
    }

    /// `<parent correlation>:<recordingId>` (truncated to fit 128 characters).
    static func childCorrelation(_ parent: CorrelationID, _ recordingId: GenesysID) -> CorrelationID {
        let suffix = ":" + recordingId.rawValue
        return CorrelationID(String(parent.rawValue.prefix(128 - suffix.count)) + suffix) ?? parent
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
            pipeline.observer.record(PipelineEvent(kind: kind, at: pipeline.now(), duration: duration, worker: worker,
                                                   conversationId: conversationId, recordingId: recordingId,
                                                   correlationId: correlationId))
        }
    }
}

/// A failure the pipeline reports to its caller (most failures are handled inside: requeued or
/// dead-lettered).
public struct PipelineError: VigilError, Hashable {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let base: String
        private init(_ base: String) { self.base = base }

        /// A remediation stopped before its end (another worker holds a step, or a transient failure
        /// outlasted the retries). Retryable: deliver the verdict again later.
        public static let remediationIncomplete = Code("remediationIncomplete")

        /// The stable code string, e.g. `pipeline.remediationIncomplete`.
        public var description: String { "pipeline.\(base)" }
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

    /// The stable code string.
    public var errorCode: String { code.description }

    /// `remediationIncomplete` is retryable.
    public var isRetryable: Bool { code == .remediationIncomplete }

    /// `pipeline.remediationIncomplete — <detail>`.
    public var description: String { "\(code) — \(detail)" }
}
