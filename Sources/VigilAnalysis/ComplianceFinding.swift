import Foundation
import VigilCore
import VigilModels

/// One compliance violation found in a recording or a transcript.
///
/// A finding never holds raw digits: ``evidence`` is masked text such as
/// `DTMF card ************1111 at 12.0 s (external)`, safe to log and to send as the verdict's
/// `evidenceSnippet`.
public struct ComplianceFinding: Sendable, Hashable, CustomStringConvertible {
    /// Where a finding came from.
    public enum Source: String, Sendable, Hashable {
        /// DTMF tones in the audio.
        case dtmf
        /// A speech-analytics transcript.
        case transcript
    }

    /// What was violated.
    public var type: ViolationType
    /// Where it was found.
    public var source: Source
    /// The speaker: `external` (customer), `internal` (agent), `mixed` (mono audio), or the transcript's
    /// participant purpose.
    public var participant: String
    /// The audio channel, for DTMF findings (0 = external, 1 = internal in a Genesys stereo recording).
    public var channel: Int?
    /// Milliseconds from the start of the recording to the start of the evidence.
    public var offsetMs: Int
    /// Length of the evidence in milliseconds (0 when unknown), used to mask the evidence clip.
    public var durationMs: Int
    /// How sure the analyser is, 0…1 (see ``DTMFFindingAnalyzer`` and ``TranscriptAnalyzer``).
    @Bounded(0...1) public var confidence: Double = 0
    /// Masked, human-readable evidence; never contains the captured digits.
    public var evidence: String
    /// For a number found in a transcript: whether it was asked for, named by the speaker, or recognised
    /// from its digits alone (see ``Prompting``); `nil` for other findings.
    public var prompting: Prompting?

    /// How a spoken number came to be said, as the conversation around it shows.
    ///
    /// The analyser keeps a short context (``AnalysisPolicy/promptWindowSeconds`` and
    /// ``AnalysisPolicy/promptWindowTurns``): a question such as "can I take the long number on the
    /// front of the card?" primes the other party's next turns.
    public enum Prompting: String, Sendable, Hashable, CaseIterable {
        /// The other party asked for it ("what's your social?" → "yes it's …"). Highest confidence.
        case prompted
        /// The speaker named it themselves ("my card number is …").
        case volunteered
        /// No cue in the window: recognised from the digits alone (a valid card number, an SSN written
        /// `AAA-GG-SSSS`). Lower confidence.
        case unprompted
    }

    /// Creates a finding.
    public init(
        type: ViolationType, source: Source, participant: String, channel: Int? = nil, offsetMs: Int,
        durationMs: Int = 0, confidence: Double, evidence: String, prompting: Prompting? = nil
    ) {
        self.type = type
        self.source = source
        self.participant = participant
        self.channel = channel
        self.offsetMs = offsetMs
        self.durationMs = durationMs
        self.confidence = confidence
        self.evidence = evidence
        self.prompting = prompting
    }

    /// The span to silence in a masked evidence clip (see ``EvidenceClipMasker``).
    public var maskedSpan: Range<Int> { offsetMs..<(offsetMs + max(durationMs, 1)) }

    /// `PCI_MID_CAPTURE 0.97 @12000ms: DTMF card ************1111 at 12.0 s (external)`.
    public var description: String {
        "\(type.rawValue) \(String(format: "%.2f", confidence)) @\(offsetMs)ms: \(evidence)"
    }

    /// `12.0 s` for 12 000 ms.
    static func seconds(_ milliseconds: Int) -> String {
        String(format: "%.1f s", Double(milliseconds) / 1000)
    }
}

/// Turns findings into a verdict in the seed's schema.
public enum VerdictBuilder {
    /// The confidence reported with a `COMPLIANT` verdict: the analysis found nothing, but it only
    /// looks for what it knows (DTMF and, for transcripts, spoken numbers and phrases).
    public static let compliantConfidence = 0.9

    /// The finding a verdict reports: the highest confidence, then the earliest.
    public static func primary(of findings: [ComplianceFinding]) -> ComplianceFinding? {
        findings.min { lhs, rhs in
            (lhs.confidence, -lhs.offsetMs) > (rhs.confidence, -rhs.offsetMs)
        }
    }

    /// `VIOLATION_DETECTED` with the primary finding (type, offset, masked evidence; action
    /// `ROUTE_TO_COMPLIANCE_QUEUE` when its confidence is at least `routeThreshold`, else `HUMAN_REVIEW`),
    /// or `COMPLIANT` with confidence ``compliantConfidence`` and action `NONE`.
    public static func verdict(
        for findings: [ComplianceFinding], recordingId: GenesysID,
        correlationId: CorrelationID, routeThreshold: Double = 0.9
    ) -> ComplianceVerdict {
        guard let finding = primary(of: findings) else {
            return ComplianceVerdict(
                recordingId: recordingId, verdict: .compliant, confidenceScore: compliantConfidence,
                recommendedAction: RecommendedAction.none, correlationId: correlationId)
        }
        let confidence = (finding.confidence * 1000).rounded() / 1000
        return ComplianceVerdict(
            recordingId: recordingId, verdict: .violationDetected, violationType: finding.type,
            confidenceScore: confidence, timestampOffsetMs: Int64(max(0, finding.offsetMs)),
            evidenceSnippet: String(finding.evidence.prefix(2048)),
            recommendedAction: finding.confidence >= routeThreshold ? .routeToComplianceQueue : .humanReview,
            correlationId: correlationId)
    }
}
