import Foundation
import VigilCore
import VigilModels

/// A compliance engine: evaluates one recording and answers with a verdict now, or promises one by
/// callback.
///
/// Vigil ships ``HTTPComplianceEngine`` (the engine is a remote service), the reference in-process
/// engine lives in `VigilAnalysis`, and tests use a closure. Whatever the engine, its answer is never
/// trusted as is: ``ComplianceEvaluator`` checks it with ``VerdictValidator`` before ``VerdictPolicy``
/// turns it into a decision, and ``CircuitBreakingComplianceEngine`` (or the breaker built into
/// ``HTTPComplianceEngine``) stops calling an engine that is failing or slow.
///
/// ### Implementing an engine
/// - Be idempotent on the request's `recordingId` + `correlationId`: a job
///   can be delivered more than once, so the same request can arrive again.
/// - Throw a `VigilError` whose `isRetryable` is `true` for transient trouble (overload, timeout) and
///   `false` for a request you will never accept.
/// - Honour cancellation.
public protocol ComplianceEngine: Sendable {
    /// Evaluates `request`.
    ///
    /// - Parameter request: identifiers, a short-lived media link and minimised metadata (no PII).
    /// - Returns: ``EngineReply/verdict(_:)`` when the verdict is ready, or
    ///   ``EngineReply/accepted(expectedBy:)`` when it will arrive later through a signed callback
    ///   (see ``VerdictCallbackReceiver``).
    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply
}

/// An engine's immediate answer.
public enum EngineReply: Sendable, Hashable {
    /// The verdict, ready now (HTTP `200`). Not yet validated.
    case verdict(ComplianceVerdict)
    /// The engine accepted the request; the verdict follows by callback (HTTP `202`). `expectedBy` is
    /// the engine's estimate of when, if it gave one.
    case accepted(expectedBy: Date?)
}

/// Wraps any engine in a `CircuitBreaker`: while the breaker is open, ``evaluate(_:)``
/// fails at once with `CircuitBreakerOpenError` (retryable, with `retryAfter`) instead of
/// calling the engine.
///
/// ``HTTPComplianceEngine`` takes a breaker directly; use this for other engines (in-process, a
/// vendor SDK). Do not wrap an engine that already has a breaker.
///
/// ```swift
/// let breaker = CircuitBreaker(name: "engine", configuration: .init(
///     slowCallDurationThreshold: .seconds(20), recordFailure: ComplianceEngineError.countsAgainstEngine))
/// let engine = CircuitBreakingComplianceEngine(base: myEngine, breaker: breaker)
/// ```
public struct CircuitBreakingComplianceEngine: ComplianceEngine {
    /// The guarded engine.
    public let base: any ComplianceEngine
    private let guarded: BreakerGuard

    /// Guards `base` with `breaker`.
    ///
    /// - Parameters:
    ///   - base: the engine to call while the breaker admits calls.
    ///   - breaker: the breaker; share one per engine endpoint.
    public init<C: Clock>(base: any ComplianceEngine, breaker: CircuitBreaker<C>) where C.Duration == Duration {
        self.base = base
        self.guarded = BreakerGuard(breaker)
    }

    /// Calls the base engine through the breaker.
    ///
    /// - Throws: `CircuitBreakerOpenError` when the breaker rejects the call; otherwise what
    ///   the base engine throws.
    public func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let base = self.base
        return try await guarded.run { try await base.evaluate(request) }
    }
}

/// A clock-erased handle on a circuit breaker, so engine types need not be generic over the clock.
struct BreakerGuard: Sendable {
    private let runner: @Sendable (@Sendable () async throws -> EngineReply) async throws -> EngineReply

    init<C: Clock>(_ breaker: CircuitBreaker<C>) where C.Duration == Duration {
        runner = { operation in try await breaker.execute(operation) }
    }

    func run(_ operation: @escaping @Sendable () async throws -> EngineReply) async throws -> EngineReply {
        try await runner(operation)
    }
}
