import Foundation
import VigilCore
import VigilModels

/// One evaluation, end to end: engine (behind its breaker) → ``VerdictValidator`` →
/// ``VerdictPolicy``. What a worker calls for each recording job.
///
/// ```swift
/// let evaluator = ComplianceEvaluator(engine: engine, policy: try VerdictPolicy(contentsOf: policyURL),
///                                     pending: registry, onIncident: audit.record)
/// do {
///     switch try await evaluator.evaluate(request) {
///     case let .decided(verdict, decision): try await remediation.run(verdict, decision)
///     case .pending: break                       // the callback receiver takes it from here
///     }
///     try await queue.ack(leased.token)
/// } catch {
///     // Breaker open, 429, 5xx, timeout: the job goes back to the queue, not to the floor.
///     let delay = EngineFailure.requeueDelay(for: error) ?? .zero
///     try await queue.retry(leased.token, after: delay, reason: "\(error)")
/// }
/// ```
public struct ComplianceEvaluator: Sendable {
    /// The result of one evaluation.
    public enum Outcome: Sendable, Hashable {
        /// The engine answered now; the verdict passed validation and the policy decided.
        case decided(ValidatedVerdict, RemediationDecision)
        /// The engine accepted the request; the verdict will arrive by callback. `expectedBy` is the
        /// engine's estimate; `awaitedUntil` is when the pending registration expires.
        case pending(expectedBy: Date?, awaitedUntil: Date)
    }

    /// The engine (wrap it in a breaker: ``CircuitBreakingComplianceEngine`` or
    /// ``HTTPComplianceEngine``'s breaker).
    public let engine: any ComplianceEngine
    /// The validator.
    public let validator: VerdictValidator
    /// The policy.
    public let policy: VerdictPolicy
    /// Where requests awaiting a callback are registered; `nil` when the engine always answers at once.
    public let pending: (any PendingVerdictStore)?
    /// How long a callback is awaited after the request is sent (extended to 5 minutes past the
    /// engine's `expectedBy`). Default 1 hour.
    public let pendingTimeout: Duration
    private let now: @Sendable () -> Date
    private let onIncident: (@Sendable (VerdictIncident) -> Void)?

    /// Creates an evaluator.
    ///
    /// - Parameters:
    ///   - engine: the engine, behind a circuit breaker.
    ///   - validator: checks verdicts against requests.
    ///   - policy: turns verdicts into decisions.
    ///   - pending: the store a callback receiver reads (``PendingVerdictRegistry`` in memory, or a shared
    ///     one); registered before the engine is called.
    ///   - pendingTimeout: how long a callback is awaited.
    ///   - now: the time source for registry expiry.
    ///   - onIncident: called when an immediate verdict is rejected.
    public init(
        engine: any ComplianceEngine, validator: VerdictValidator = VerdictValidator(),
        policy: VerdictPolicy = .default, pending: (any PendingVerdictStore)? = nil,
        pendingTimeout: Duration = .seconds(3_600), now: @escaping @Sendable () -> Date = { Date() },
        onIncident: (@Sendable (VerdictIncident) -> Void)? = nil
    ) {
        self.engine = engine
        self.validator = validator
        self.policy = policy
        self.pending = pending
        self.pendingTimeout = pendingTimeout
        self.now = now
        self.onIncident = onIncident
    }

    /// Evaluates `request`.
    ///
    /// - Throws: whatever the engine throws (`CircuitBreakerOpenError`,
    ///   ``ComplianceEngineError``, …) — see ``EngineFailure/requeueDelay(for:fallback:)`` for what to
    ///   do with the job; ``VerdictValidationError`` when the verdict is rejected (also reported to
    ///   `onIncident`); the pending store's error when the request cannot be registered (the engine is
    ///   then not called).
    public func evaluate(_ request: ComplianceRequest) async throws -> Outcome {
        var awaitedUntil: Date?
        if let pending {
            let until = now().addingTimeInterval(pendingTimeout.seconds)
            try await pending.register(request, expiresAt: until)
            awaitedUntil = until
        }
        let reply: EngineReply
        do {
            reply = try await engine.evaluate(request)
        } catch {
            // Best effort: an entry left behind only expires; a late callback for it is then refused.
            _ = try? await pending?.remove(request.recordingId, correlationId: request.correlationId)
            throw error
        }
        switch reply {
        case let .verdict(verdict):
            _ = try? await pending?.remove(request.recordingId, correlationId: request.correlationId)
            let (validated, decision) = try decide(verdict, for: request)
            return .decided(validated, decision)
        case let .accepted(expectedBy):
            var until = awaitedUntil ?? now().addingTimeInterval(pendingTimeout.seconds)
            if let expectedBy, expectedBy.addingTimeInterval(300) > until {
                until = expectedBy.addingTimeInterval(300)
                try await pending?.register(request, expiresAt: until)
            }
            return .pending(expectedBy: expectedBy, awaitedUntil: until)
        }
    }

    /// Validates and decides on a verdict obtained some other way (e.g. read back from storage).
    ///
    /// - Throws: ``VerdictValidationError``, also reported to `onIncident`.
    public func decide(_ verdict: ComplianceVerdict, for request: ComplianceRequest) throws(VerdictValidationError)
        -> (ValidatedVerdict, RemediationDecision)
    {
        let validated = try validate(verdict, for: request)
        return (validated, policy.decide(validated))
    }

    private func validate(_ verdict: ComplianceVerdict, for request: ComplianceRequest) throws(VerdictValidationError)
        -> ValidatedVerdict
    {
        do {
            return try validator.validate(verdict, for: request)
        } catch {
            onIncident?(
                VerdictIncident(
                    source: .reply, error: error, recordingId: request.recordingId,
                    correlationId: request.correlationId, at: now()))
            throw error
        }
    }
}
