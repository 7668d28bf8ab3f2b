import Foundation
import VigilCore
import VigilModels
import VigilVerdict

/// Vigil's own, in-process compliance engine: fetches the recording from the request's media link,
/// streams it through DTMF detection (or a transcript through ``TranscriptAnalyzer``), and answers
/// with a verdict at once.
///
/// The download is never held in memory: each body chunk is decoded and analysed as it arrives, and
/// ``onFinding`` hears each finding as soon as the audio proves it. With
/// ``Options/stopAtFirstHighConfidenceViolation`` the download is abandoned at the first finding whose
/// confidence reaches the policy's ``AnalysisPolicy/routeToComplianceQueueAt``.
///
/// The verdict echoes the request's `recordingId` and `correlationId` and is built by
/// ``VerdictBuilder``: `VIOLATION_DETECTED` with the highest-confidence finding (masked evidence text,
/// never digits), or `COMPLIANT` with confidence 0.9 and action `NONE`.
///
/// ```swift
/// let engine = ReferenceComplianceEngine(transport: URLSessionTransport()) { finding in
///     logger.info("\(finding)")
/// }
/// let reply = try await engine.evaluate(request)
/// ```
///
/// With an ``evidence`` sink, a violation found in audio also gets its masked clip
/// (``EvidenceClipRecorder``: seconds around the finding, every finding silenced) stored through the
/// sink, and the verdict's `evidenceSnippet` is what the sink answers — with ``SealedEvidenceSink``, a
/// short-lived link to the clip sealed in an ``EvidenceVault``. A failing sink fails the evaluation.
///
/// Idempotent: the same request always gives the same verdict (with a sink, the same verdict but a
/// fresh evidence link). Errors are ``AnalysisError``; only a
/// download failing with 408, 429 or 5xx is retryable. Transport errors pass through unchanged.
public struct ReferenceComplianceEngine: ComplianceEngine {
    /// How the engine runs.
    public struct Options: Sendable, Hashable {
        /// The rules.
        public var policy: AnalysisPolicy
        /// Stop reading the media at the first finding with confidence ≥
        /// ``AnalysisPolicy/routeToComplianceQueueAt`` (default `false`: analyse the whole recording).
        public var stopAtFirstHighConfidenceViolation: Bool
        /// Timeout handed to the transport for the download (default 10 minutes).
        public var downloadTimeout: Duration?

        /// Creates options.
        public init(
            policy: AnalysisPolicy = AnalysisPolicy(), stopAtFirstHighConfidenceViolation: Bool = false,
            downloadTimeout: Duration? = .seconds(600)
        ) {
            self.policy = policy
            self.stopAtFirstHighConfidenceViolation = stopAtFirstHighConfidenceViolation
            self.downloadTimeout = downloadTimeout
        }
    }

    /// Fetches the media.
    public let transport: any HTTPTransport
    /// How the engine runs.
    public let options: Options
    /// Called with each finding as soon as it is made (from the evaluating task).
    public let onFinding: (@Sendable (ComplianceFinding) -> Void)?
    /// Stores the masked evidence clip of a violation found in audio (`nil`: the verdict carries the
    /// finding's masked text instead).
    public let evidence: (any EvidenceClipSink)?
    /// How the evidence clip is cut.
    public let clipOptions: EvidenceClipRecorder.Options

    /// Creates an engine.
    ///
    /// - Parameters:
    ///   - transport: used for the `GET` of the media link.
    ///   - options: policy and early stop.
    ///   - evidence: where a violation's masked clip goes (see ``SealedEvidenceSink``).
    ///   - clipOptions: how much audio the clip holds around the finding.
    ///   - onFinding: progress callback, called once per finding while the media streams in.
    public init(
        transport: any HTTPTransport, options: Options = Options(), evidence: (any EvidenceClipSink)? = nil,
        clipOptions: EvidenceClipRecorder.Options = .init(),
        onFinding: (@Sendable (ComplianceFinding) -> Void)? = nil
    ) {
        self.transport = transport
        self.options = options
        self.evidence = evidence
        self.clipOptions = clipOptions
        self.onFinding = onFinding
    }

    /// Downloads and analyses the request's media; always answers `EngineReply.verdict(_:)`.
    ///
    /// - Throws: ``AnalysisError`` (unsupported format, failed download, undecodable audio), the
    ///   transport's errors, `CancellationError`.
    public func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        if let format = request.media.format {
            switch format {
            case .webm, .oggOpus, .oggVorbis, .mp3, .none:
                throw AnalysisError.unsupportedMedia(format.rawValue)
            default:
                break
            }
        }
        let get = HTTPRequest(method: .get, url: request.media.uri.url, timeout: options.downloadTimeout)
        let (response, body) = try await transport.send(get, body: nil)
        if response.status == 403 || response.status == 404 {
            // The pre-signed link expired (they live ≤ 60 min) or the file is not there yet: the engine
            // contract's `mediaLinkExpired` tells the caller to fetch a fresh link and ask again, and does
            // not count the caller's stale link against this engine in a circuit breaker.
            throw ComplianceEngineError(
                code: .mediaLinkExpired, status: response.status,
                correlationId: request.correlationId, detail: "the media host refused the link")
        }
        guard response.isSuccess else {
            throw AnalysisError.mediaFetchFailed(status: response.status, detail: "media download answered \(response)")
        }
        guard let body else {
            throw AnalysisError.mediaFetchFailed(status: response.status, detail: "media download had no body")
        }
        // A download cut mid-way continues with a Range request from the last byte analysed; a link
        // that expired meanwhile is the caller's to refresh (`mediaLinkExpired`: the pipeline asks again).
        let url = request.media.uri.url, timeout = options.downloadTimeout, transport = self.transport
        let correlationId = request.correlationId
        let media = ResumableDownload(
            response: response, body: body,
            fetch: { start in
                let (ranged, rest) = try await transport.send(
                    ResumableDownload.rangeRequest(for: url, from: start, timeout: timeout),
                    body: nil)
                if ranged.status == 403 || ranged.status == 404 {
                    throw ComplianceEngineError(
                        code: .mediaLinkExpired, status: ranged.status, correlationId: correlationId,
                        detail: "the media host refused the link mid-download")
                }
                return (ranged, rest)
            },
            exhausted: { delivered, length, reason in
                AnalysisError.mediaFetchFailed(
                    status: response.status,
                    detail: "media download: \(reason) (\(delivered) of \(length.map(String.init) ?? "?") bytes)")
            })
        let threshold = options.policy.routeToComplianceQueueAt
        var analyzer = ContentAnalyzer(policy: options.policy)
        // The recorder parses the same bytes; it can only fail where the analyser already has.
        var recorder: EvidenceClipRecorder? = evidence == nil ? nil : EvidenceClipRecorder(options: clipOptions)
        var stopped = false
        for try await chunk in media {
            try Task.checkCancellation()
            let found = try analyzer.consume(chunk)
            if analyzer.kind == .transcript {
                recorder = nil
            } else if recorder != nil {
                do { try recorder?.consume(chunk) } catch { recorder = nil }
                recorder?.record(found)
            }
            found.forEach { onFinding?($0) }
            if options.stopAtFirstHighConfidenceViolation, found.contains(where: { $0.confidence >= threshold }) {
                stopped = true
                break
            }
        }
        if !stopped {
            let found = try analyzer.finish()
            recorder?.record(found)
            found.forEach { onFinding?($0) }
        }
        var verdict = VerdictBuilder.verdict(
            for: analyzer.findings, recordingId: request.recordingId,
            correlationId: request.correlationId, routeThreshold: threshold)
        if let evidence, let primary = VerdictBuilder.primary(of: analyzer.findings),
            let clip = recorder?.clip(for: primary, masking: analyzer.findings)
        {
            verdict.evidenceSnippet = try await evidence.store(clip, recordingId: request.recordingId, finding: primary)
        }
        return .verdict(verdict)
    }
}
