import Foundation
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilVerdict

/// Remediation of a decided verdict — from the worker path (fresh from the engine, or stored by an
/// earlier attempt) and from verdicts that arrive by callback. The flow runs, and its report is
/// traced and read, in one place: ``runRemediation(_:decision:context:requestedAt:_:)``.
extension CompliancePipeline {
    /// How a remediation ended, as the two paths need to know it.
    enum RemediationEnd {
        /// Nothing to remediate: a `COMPLIANT` verdict, or an action without a flow.
        case nothingToDo
        /// The flow ran; its report.
        case ran(RemediationReport)
        /// The flow threw something other than cancellation (a verdict for another recording).
        case failed(any Error)
    }

    /// Runs the routed flow for a decided verdict and traces every step. Cancellation is thrown.
    func runRemediation(
        _ verdict: ComplianceVerdict, decision: RemediationDecision, context: RemediationContext,
        requestedAt: Date, _ trace: Trace
    ) async throws(CancellationError) -> RemediationEnd {
        guard !verdict.verdict.isCompliant, let flow = routing.flow(for: decision.action) else { return .nothingToDo }
        let start = elapsed()
        let report: RemediationReport
        do {
            report = try await runFlow(flow, verdict, context)
        } catch {
            if case .cancelled = FailureClass(error) { throw CancellationError() }
            return .failed(error)
        }
        for step in report.steps {
            trace.emit(
                .remediationStep(
                    blockId: step.blockId, action: step.action, outcome: step.outcome.label,
                    attempts: step.attempts), duration: step.duration)
        }
        trace.emit(.remediationFinished(status: report.status), duration: elapsed() - start)
        switch report.status {
        case .completed:
            trace.emit(.flagged(timeToFlag: Self.duration(from: requestedAt, to: now())))
        case .deadLettered:
            trace.emit(.deadLettered(source: .remediation, reason: "remediation.stepDeadLettered"))
        case .deferred, .retryLater:
            break
        }
        return .ran(report)
    }

    /// The worker path: the remediation of a decided verdict as a disposition and the recording's status.
    func remediate(
        _ leased: Leased<RecordingJob>, recording: Recording, recordingId: GenesysID,
        validated: ValidatedVerdict, decision: RemediationDecision,
        _ trace: Trace
    ) async throws(CancellationError) -> Settled {
        let job = leased.job
        let context = RemediationContext(
            conversationId: job.conversationId, recordingId: recordingId,
            recordingDurationMs: recording.outputDurationMs)
        // Time to flag counts from when the event was accepted (a fan-out job keeps its conversation
        // event's time).
        let accepted = min(leased.firstEnqueuedAt, job.receivedAt)
        switch try await runRemediation(validated.verdict, decision: decision, context: context, requestedAt: accepted, trace) {
        case .nothingToDo:
            return Settled(.ack, .decided(decision.action))
        case let .failed(error):
            return Settled(.deadLetter(stage: "remediation", code: code(of: error), reason: "\(error)"))
        case let .ran(report):
            switch report.status {
            case .completed: return Settled(.ack, .flagged)
            case .deadLettered: return Settled(.ack, .remediationDeadLettered)
            case .deferred: return Settled(.retry(after: deferralDelay(report), reason: "remediation.deferred"))
            case .retryLater: return Settled(.retry(after: backoff(leased), reason: "remediation.retryLater"))
            }
        }
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
    ///   later; the executor's error for a verdict it refuses; `CancellationError`.
    @discardableResult
    public func remediate(
        _ validated: ValidatedVerdict, for request: ComplianceRequest,
        decision: RemediationDecision? = nil
    ) async throws -> RemediationReport? {
        let trace = Trace(pipeline: self, request: request)
        let verdict = validated.verdict
        let decision = decision ?? evaluator.policy.decide(validated)
        trace.emit(.verdict(verdict.verdict, violationType: verdict.violationType, confidence: verdict.confidenceScore))
        trace.emit(.decision(action: decision.action, priority: decision.priority, ruleId: decision.ruleId))
        let context = RemediationContext(
            conversationId: request.conversationId, recordingId: request.recordingId,
            recordingDurationMs: request.metadata?.durationMs)
        switch try await runRemediation(verdict, decision: decision, context: context, requestedAt: request.requestedAt, trace) {
        case .nothingToDo:
            return nil
        case let .failed(error):
            throw error
        case let .ran(report):
            switch report.status {
            case .completed, .deadLettered:
                return report
            case .deferred, .retryLater:
                throw PipelineError(
                    code: .remediationIncomplete,
                    detail: "remediation stopped with status \(report.status.rawValue); deliver the verdict again later")
            }
        }
    }
}
