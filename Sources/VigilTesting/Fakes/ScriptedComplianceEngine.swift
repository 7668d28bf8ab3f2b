import VigilCore
import VigilModels
import VigilVerdict

/// A `ComplianceEngine` that answers from a closure and records every request it is asked.
///
/// ```swift
/// let engine = ScriptedComplianceEngine { request in .accepted(expectedBy: nil) }
/// // … run the pipeline …
/// #expect(engine.requests.first?.correlationId == correlationId)
/// ```
public final class ScriptedComplianceEngine: ComplianceEngine, Sendable {
    /// Answers one evaluation (or throws, e.g. a `ComplianceEngineError`).
    public typealias Reply = @Sendable (ComplianceRequest) async throws -> EngineReply

    private let reply: Reply
    private let log = Locked<[ComplianceRequest]>([])

    /// An engine answering every evaluation with `reply`.
    public init(_ reply: @escaping Reply) {
        self.reply = reply
    }

    /// Every request evaluated so far, oldest first.
    public var requests: [ComplianceRequest] { log.withLock { $0 } }

    /// Records `request` and answers it with the script.
    public func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        log.withLock { $0.append(request) }
        return try await reply(request)
    }
}
