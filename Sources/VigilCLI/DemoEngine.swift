import VigilAnalysis
import VigilModels
import VigilVerdict

/// Maps the reference engine's refused media download (403/404: the pre-signed link expired, or the
/// file is not there yet) to the engine contract's `ComplianceEngineError.mediaLinkExpired`, so the
/// pipeline fetches a fresh link at once instead of dead-lettering the recording — and the breaker does
/// not count our stale link against the engine.
///
/// `ReferenceComplianceEngine` reports such a download as `AnalysisError.mediaFetchFailed` (permanent
/// unless 408/429/5xx); engines speaking the contract throw `mediaLinkExpired` themselves.
struct MediaLinkExpiryMapping: ComplianceEngine {
    /// The engine.
    let base: any ComplianceEngine

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        do {
            return try await base.evaluate(request)
        } catch let error as AnalysisError where error.code == .mediaFetchFailed && (error.status == 403 || error.status == 404) {
            throw ComplianceEngineError(code: .mediaLinkExpired, status: error.status, correlationId: request.correlationId,
                                        detail: "the media host refused the link")
        }
    }
}
