import Foundation
import VigilCore
import VigilModels
import VigilRemediation

/// The worker loop and settlement: lease a job, run its stage, carry out the ``Disposition``.
extension CompliancePipeline {
    /// Runs `workers` workers until the calling task is cancelled, then returns once every in-flight job
    /// has finished or released its lease.
    ///
    /// Structured: one child task per worker in a task group. A worker whose own task is cancelled
    /// (while the pipeline is not) is replaced, so `workers` keep running.
    public func run(workers: Int) async {
        let count = max(1, workers)
        await withTaskGroup(of: Int.self) { group in
            for id in 0..<count {
                group.addTask {
                    await self.worker(id); return id
                }
            }
            while let id = await group.next() {
                if !Task.isCancelled {
                    group.addTask {
                        await self.worker(id); return id
                    }
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
        do throws(CancellationError) {
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
            // Cancelled mid-way: every claim was released on the way out; give the job back at once.
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

    /// `recordingStarted`: the media does not exist yet; only the metadata is checked.
    private func checkMetadata(_ job: RecordingJob, _ trace: Trace) -> Disposition {
        let mediaType = job.metadata?.mediaType
        let valid = job.recordingId != nil && (mediaType == nil || mediaType == .voice)
        trace.emit(.metadataValidated(valid: valid))
        return .ack
    }

    // MARK: - From a failure to a disposition

    /// A failed piece of work (a platform call, an engine call) as a disposition: transient goes back
    /// to the queue (``requeueDelay(_:_:)``), permanent is dead-lettered, cancellation is thrown.
    func disposition(
        for error: any Error, stage: String,
        _ leased: Leased<RecordingJob>
    ) throws(CancellationError) -> Disposition {
        switch FailureClass(error) {
        case .cancelled:
            throw CancellationError()
        case let .transient(suggested):
            return .retry(after: requeueDelay(suggested, leased), reason: code(of: error))
        case .permanent:
            return .deadLetter(stage: stage, code: code(of: error), reason: "\(error)")
        }
    }

    /// A failure of Vigil's own storage (the idempotency store, the queue): always back to the queue
    /// after the backoff. It says nothing about the recording, which must not be dead-lettered for it.
    func storageFailure(_ error: any Error, _ leased: Leased<RecordingJob>) throws(CancellationError) -> Disposition {
        if case .cancelled = FailureClass(error) { throw CancellationError() }
        return .retry(after: backoff(leased), reason: code(of: error))
    }

    /// The wait before a transiently failed job's next delivery: what the failing side suggested, else
    /// the backoff. A suggestion of no wait at all (an expired media link) is taken on the first
    /// delivery only; a job that failed so before backs off, so it never spins.
    func requeueDelay(_ suggested: Duration?, _ leased: Leased<RecordingJob>) -> Duration {
        guard let suggested, suggested > .zero || leased.deliveryCount <= 1 else { return backoff(leased) }
        return suggested
    }

    /// ``PipelineConfiguration/notReadyDelay`` doubled per earlier delivery, capped at
    /// ``PipelineConfiguration/maxNotReadyDelay``.
    func notReadyDelay(_ leased: Leased<RecordingJob>) -> Duration {
        let doublings = min(max(0, leased.deliveryCount - 1), 20)
        let cap = max(configuration.notReadyDelay, configuration.maxNotReadyDelay)
        return min(configuration.notReadyDelay * (1 << doublings), cap)
    }

    /// The backoff by delivery count (``PipelineConfiguration/retryBackoff``).
    func backoff(_ leased: Leased<RecordingJob>) -> Duration {
        configuration.retryBackoff.delay(
            afterAttempt: max(1, leased.deliveryCount),
            failure: RetryableFailure(.other("pipeline"))) ?? configuration.maxRetryDelay
    }

    // MARK: - Settling

    /// Carries a disposition out on the queue (and the dead-letter sink).
    func settle(_ leased: Leased<RecordingJob>, _ disposition: Disposition, _ trace: Trace) async {
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
                try await deadLetter(leased, stage: stage, code: code, reason: reason, claim: claim, trace)
            }
        } catch let error as JobQueueError where error.code == .leaseLost {
            trace.emit(.leaseLost)
        } catch {
            trace.emit(.storageFailed(code: code(of: error)))
            trace.emit(.leaseLost)
        }
    }

    private func deadLetter(
        _ leased: Leased<RecordingJob>, stage: String, code: String, reason: String,
        claim: HeldClaim?, _ trace: Trace
    ) async throws {
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
            await complete(claim.key, token: claim.token, .deadLettered, details: ["errorCode": code])
        }
        trace.emit(.deadLettered(source: .sink, reason: code))
        try await queue.ack(leased.token)
        trace.emit(.acked)
    }
}
