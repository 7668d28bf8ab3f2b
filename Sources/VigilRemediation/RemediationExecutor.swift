import Foundation
import VigilCore
import VigilIdempotency
import VigilModels

/// Runs a ``RemediationFlow`` for one verdict so that every step happens **once per recording**, across
/// retries, crashes and concurrent workers.
///
/// Each side-effecting step — the annotation, the external tag, the participant attributes, the work
/// item or data-table row, the legal hold — is claimed in the `IdempotencyStore` under
/// `<prefix>:<recordingId>:<blockId>:<action>` with a fingerprint of its resolved inputs:
///
/// - **acquired** → the platform call runs once, then the outcome is stored. The executor never loops:
///   `GenesysCloudClient` already repeats a failed call where that is safe, and a failure that outlasts
///   it is classified by ``FailureClass`` — transient releases the claim and stops the run with
///   ``RemediationReport/Status/retryLater`` (the queue redelivers the job; finished steps are skipped
///   then), permanent dead-letters the step;
/// - **completed** → skipped, with the stored outcome;
/// - **in progress** → another worker is on it: the run stops with ``RemediationReport/Status/deferred``;
/// - **conflict** → the same step was first claimed with different inputs: dead-lettered, never redone.
///
/// A work item is looked up by its deterministic `externalTag` before it is created, so a worker that
/// crashed after Genesys created the item but before the completion was stored does not cause a second
/// one: the retry reports ``RemediationStepOutcome/foundExisting(details:)``. An annotation is looked up
/// by name, type and location the same way (when the port implements the lookup). A data-table row's key
/// is deterministic too; the platform refuses a duplicate, which is reported the same way.
///
/// Permanent failures go to the ``DeadLetterSink`` with the full reason and are stored as completed
/// (status `deadLettered`) so they are not retried by every redelivery; the flow stops there.
///
/// ```swift
/// let executor = RemediationExecutor(actions: client, store: store, deadLetters: sink, clock: ContinuousClock())
/// let report = try await executor.run(flow, verdict: verdict, context: context)
/// switch report.status { case .completed, .deadLettered: ack(); case .deferred, .retryLater: retryLater() }
/// ```
public struct RemediationExecutor<C: Clock>: Sendable where C.Duration == Duration {
    /// Tunables of an executor (``RemediationExecutorConfiguration``).
    public typealias Configuration = RemediationExecutorConfiguration

    private let actions: any RemediationActions
    private let store: any IdempotencyStore
    private let deadLetters: any DeadLetterSink
    private let validator: any RemediationVerdictValidator
    private let clock: C
    private let configuration: Configuration
    private let now: @Sendable () -> Date

    /// Creates an executor.
    ///
    /// - Parameters:
    ///   - actions: the platform (a `GenesysCloudClient` or a fake).
    ///   - store: where step claims and outcomes live; shared by every worker.
    ///   - deadLetters: where permanent failures go.
    ///   - clock: the clock step timings use.
    ///   - validator: what the `validate_payload` block runs.
    ///   - configuration: leases, retention, key prefix.
    ///   - now: the wall clock for dead-letter and outcome dates.
    public init(
        actions: any RemediationActions, store: any IdempotencyStore, deadLetters: any DeadLetterSink,
        clock: C,
        validator: any RemediationVerdictValidator = BasicVerdictValidator(),
        configuration: Configuration = Configuration(), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.actions = actions
        self.store = store
        self.deadLetters = deadLetters
        self.validator = validator
        self.clock = clock
        self.configuration = configuration
        self.now = now
    }

    /// Runs `flow` for `verdict` on the recording described by `context`.
    ///
    /// - Returns: the report; its ``RemediationReport/status`` says whether to acknowledge the job.
    /// - Throws: ``RemediationError/Code/recordingMismatch`` (nothing is done) when the verdict is
    ///   about another recording; `CancellationError` when the task is cancelled (the claim in hand
    ///   is released first). Platform and store failures are reported, not thrown.
    public func run(
        _ flow: RemediationFlow, verdict: ComplianceVerdict,
        context: RemediationContext
    ) async throws -> RemediationReport {
        guard verdict.recordingId == context.recordingId else {
            throw RemediationError(code: .recordingMismatch, detail: "the verdict's recordingId differs from the context's")
        }
        let start = clock.now
        let planner = RemediationPlanner(actions: actions, keyPrefix: configuration.keyPrefix)
        let run = Run(
            executor: self, flow: flow, verdict: verdict, context: context,
            values: RemediationValues(verdict: verdict, context: context))
        var steps: [RemediationStepReport] = []
        var status = RemediationReport.Status.completed
        var current: String? = flow.startBlockId
        walk: while let blockId = current, let block = flow.block(blockId) {
            var result: Bool?
            for step in planner.steps(for: block, verdict: verdict, context: context, values: run.values) {
                let (report, stop, branch) = try await run.perform(step)
                steps.append(report)
                if let branch { result = branch }
                if let stop {
                    status = stop
                    break walk
                }
            }
            current = flow.successor(of: blockId, result: result)
        }
        return RemediationReport(
            flowName: flow.name, recordingId: context.recordingId,
            correlationId: verdict.correlationId, status: status, steps: steps,
            duration: start.duration(to: clock.now))
    }

    // MARK: - One run

    typealias PlannedStep = RemediationPlanner.PlannedStep

    struct Run: Sendable {
        let executor: RemediationExecutor
        let flow: RemediationFlow
        let verdict: ComplianceVerdict
        let context: RemediationContext
        let values: RemediationValues

        /// Runs one step. Returns its report, the status to stop with (if the run must stop), and the
        /// result of a branch.
        func perform(_ step: PlannedStep) async throws
            -> (RemediationStepReport, RemediationReport.Status?, Bool?)
        {
            let clock = executor.clock
            let start = clock.now
            func report(_ key: String?, _ outcome: RemediationStepOutcome, attempts: Int) -> RemediationStepReport {
                RemediationStepReport(
                    blockId: step.blockId, action: step.action, idempotencyKey: key,
                    outcome: outcome, attempts: attempts, duration: start.duration(to: clock.now))
            }
            switch step.work {
            case .validate:
                do {
                    try executor.validator.validate(verdict, context: context)
                    return (report(nil, .ran(details: [:], recorded: false), attempts: 0), nil, nil)
                } catch {
                    let (outcome, status) = await deadLetter(step, error: error, attempts: 0, context: "validation failed")
                    return (report(nil, outcome, attempts: 0), status, nil)
                }
            case let .branch(condition):
                let result = condition.evaluate(verdict)
                return (report(nil, .ran(details: ["result": String(result)], recorded: false), attempts: 0), nil, result)
            case let .platform(key, fingerprint, work):
                let claim: ClaimResult
                do {
                    claim = try await executor.store.claim(key, fingerprint: fingerprint, lease: executor.configuration.lease)
                } catch {
                    return (
                        report(key, .failedTransient(reason: "idempotency store: \(describe(error))"), attempts: 0),
                        .retryLater, nil
                    )
                }
                switch claim {
                case let .completed(stored):
                    let stop: RemediationReport.Status? = StepStatus(rawValue: stored.status) == .deadLettered ? .deadLettered : nil
                    return (report(key, .skippedAlreadyDone(stored), attempts: 0), stop, nil)
                case let .inProgress(until):
                    return (report(key, .inProgressElsewhere(until: until), attempts: 0), .deferred, nil)
                case .conflict:
                    let reason = "the step was first claimed with different inputs (the verdict or context changed)"
                    let conflict = RemediationError(code: .idempotencyConflict, detail: reason)
                    let (outcome, status) = await deadLetter(
                        step, error: conflict, attempts: 0,
                        context: "idempotency conflict")
                    return (report(key, outcome, attempts: 0), status, nil)
                case let .acquired(token):
                    return try await runClaimed(step, key: key, token: token, work: work, report: report)
                }
            }
        }


        private func runClaimed(
            _ step: PlannedStep, key: String, token: LeaseToken,
            work: @Sendable () async throws -> RemediationStepResult,
            report: (String?, RemediationStepOutcome, Int) -> RemediationStepReport
        ) async throws -> (RemediationStepReport, RemediationReport.Status?, Bool?) {
            let configuration = executor.configuration
            let performed: RemediationStepResult
            do {
                performed = try await work()
            } catch {
                switch FailureClass(error) {
                case .cancelled:
                    try? await executor.store.release(key, token: token)
                    throw CancellationError()
                case .transient:
                    try? await executor.store.release(key, token: token)
                    return (report(key, .failedTransient(reason: describe(error)), 1), .retryLater, nil)
                case .permanent:
                    let (outcome, status) = await deadLetter(step, error: error, attempts: 1, context: "permanent failure")
                    if status == .deadLettered {
                        let stored = StoredOutcome(
                            status: StepStatus.deadLettered.rawValue,
                            details: ["errorCode": errorCode(error)], completedAt: executor.now())
                        try? await executor.store.complete(key, token: token, outcome: stored, retain: configuration.retain)
                    } else {
                        try? await executor.store.release(key, token: token)
                    }
                    return (report(key, outcome, 1), status, nil)
                }
            }
            let (status, details): (StepStatus, [String: String]) =
                switch performed {
                case let .created(details): (.done, details)
                case let .found(details): (.foundExisting, details)
                }
            var recorded = true
            do {
                try await executor.store.complete(
                    key, token: token,
                    outcome: StoredOutcome(
                        status: status.rawValue, details: details,
                        completedAt: executor.now()),
                    retain: configuration.retain)
            } catch {
                // The platform did the work; the next run meets the expired claim and recognises it
                // (work items by externalTag, rows by key; idempotent PUT/PATCH repeat harmlessly).
                recorded = false
            }
            let outcome: RemediationStepOutcome =
                switch performed {
                case let .created(details): .ran(details: details, recorded: recorded)
                case let .found(details): .foundExisting(details: details)
                }
            return (report(key, outcome, 1), nil, nil)
        }

        /// Hands a permanent failure to the sink. If the sink fails, the step becomes a transient failure
        /// so the letter is not lost.
        private func deadLetter(
            _ step: PlannedStep, error: any Error, attempts: Int,
            context what: String
        ) async -> (RemediationStepOutcome, RemediationReport.Status) {
            let reason = "\(what) in block '\(step.blockId)' (\(step.action)): \(describe(error))"
            let letter = RemediationDeadLetter(
                flowName: flow.name, blockId: step.blockId, action: step.action.rawValue,
                conversationId: context.conversationId, recordingId: context.recordingId,
                correlationId: verdict.correlationId, errorCode: errorCode(error), reason: reason,
                attempts: attempts, occurredAt: executor.now())
            do {
                try await executor.deadLetters.deadLetter(letter)
                return (.deadLettered(reason: reason), .deadLettered)
            } catch {
                return (
                    .failedTransient(reason: "dead-letter sink failed (\(describe(error))) while recording: \(reason)"),
                    .retryLater
                )
            }
        }

        /// A Vigil error's description (never personal data); for any other error only its type, since
        /// a foreign description may quote a request body.
        private func describe(_ error: any Error) -> String {
            if let error = error as? any VigilError { return error.description }
            return "\(type(of: error)) (not a Vigil error; description withheld)"
        }

        private func errorCode(_ error: any Error) -> String {
            (error as? any VigilError)?.errorCode ?? String(describing: type(of: error))
        }
    }
}

/// The durable status of a step's key in the idempotency store, typed (the store keeps the raw value).
enum StepStatus: String {
    /// The step made its effect.
    case done
    /// The effect was already there (found by its lookup).
    case foundExisting
    /// The step failed for good and was dead-lettered; later runs stop there too.
    case deadLettered
}

/// Tunables of a ``RemediationExecutor``.
public struct RemediationExecutorConfiguration: Sendable {
    /// How long a step's claim lasts before another worker may take it over. Default 5 min.
    public var lease: Duration
    /// How long completed steps are remembered. Default 30 days.
    public var retain: Duration
    /// The idempotency key prefix. Default `vigil.remediation`.
    public var keyPrefix: String

    /// Creates a configuration.
    public init(
        lease: Duration = .seconds(300), retain: Duration = .seconds(30 * 86_400),
        keyPrefix: String = "vigil.remediation"
    ) {
        self.lease = lease
        self.retain = retain
        self.keyPrefix = keyPrefix
    }
}

/// The work item a live analysis (AudioHook) opens while the call is in progress.
public enum LiveWorkitem {
    /// Its `externalTag`: `vigil-live-<conversationId>-<TYPE>`. A work-item block of a remediation flow
    /// looks for it first, so the recording's remediation later annotates the recording but does not
    /// create a second work item for the same violation.
    public static func externalTag(conversationId: GenesysID, violationType: ViolationType) -> String {
        "vigil-live-\(conversationId)-\(violationType.rawValue)"
    }
}
