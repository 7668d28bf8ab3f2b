import Foundation

/// A compliance engine's answer for one recording (the seed's response schema).
///
/// ```json
/// { "recordingId": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "verdict": "VIOLATION_DETECTED",
///   "violationType": "PCI_MID_CAPTURE", "confidenceScore": 0.94, "timestampOffsetMs": 124500,
///   "evidenceSnippet": "masked_audio_segment_uri", "recommendedAction": "ROUTE_TO_COMPLIANCE_QUEUE",
///   "correlationId": "evt-sub-req-8847291" }
/// ```
///
/// Decoding enforces: `recordingId` is a UUID, `confidenceScore` ∈ [0, 1], `timestampOffsetMs` ≥ 0,
/// `correlationId` has the ``CorrelationID`` shape, `evidenceSnippet` ≤ 2,048 characters. Whether the
/// ids match the request is checked by the verdict validator, which knows the request.
///
/// `description` omits ``evidenceSnippet`` (it is meant to be masked, but it is engine-supplied).
public struct ComplianceVerdict: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The recording the verdict is about.
    public var recordingId: GenesysID
    /// The outcome.
    public var verdict: Verdict
    /// What was violated; expected when ``verdict`` is ``Verdict/violationDetected``.
    public var violationType: ViolationType?
    /// The engine's confidence, 0…1.
    public var confidenceScore: Double
    /// Where in the recording the evidence starts, in milliseconds from the start (≥ 0).
    public var timestampOffsetMs: Int64?
    /// A reference to masked evidence (e.g. a masked audio segment URI), ≤ 2,048 characters.
    public var evidenceSnippet: String?
    /// What the engine suggests doing.
    public var recommendedAction: RecommendedAction?
    /// Echo of the request's correlation id.
    public var correlationId: CorrelationID

    /// Creates a verdict.
    public init(
        recordingId: GenesysID, verdict: Verdict, violationType: ViolationType? = nil,
        confidenceScore: Double, timestampOffsetMs: Int64? = nil, evidenceSnippet: String? = nil,
        recommendedAction: RecommendedAction? = nil, correlationId: CorrelationID
    ) {
        self.recordingId = recordingId
        self.verdict = verdict
        self.violationType = violationType
        self.confidenceScore = confidenceScore
        self.timestampOffsetMs = timestampOffsetMs
        self.evidenceSnippet = evidenceSnippet
        self.recommendedAction = recommendedAction
        self.correlationId = correlationId
    }

    enum CodingKeys: String, CodingKey {
        case recordingId, verdict, violationType, confidenceScore, timestampOffsetMs, evidenceSnippet
        case recommendedAction, correlationId
    }

    /// Decodes and validates every field.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recordingId = try c.decode(GenesysID.self, forKey: .recordingId)
        verdict = try c.decode(Verdict.self, forKey: .verdict)
        violationType = try c.decodeIfPresent(ViolationType.self, forKey: .violationType)
        confidenceScore = try c.decodeNumber(.confidenceScore, in: 0...1)
        timestampOffsetMs = try c.decodeIntegerIfPresent(.timestampOffsetMs, in: 0...Int64(maxSafeJSONInteger))
        evidenceSnippet = try c.decodeStringIfPresent(.evidenceSnippet, length: 0...2048)
        recommendedAction = try c.decodeIfPresent(RecommendedAction.self, forKey: .recommendedAction)
        correlationId = try c.decode(CorrelationID.self, forKey: .correlationId)
    }

    /// Whether Vigil cannot act on this verdict fully automatically and must involve a person:
    /// the verdict itself needs review (``Verdict/requiresHumanReview``); a violation has no or an
    /// unknown ``violationType``; a `COMPLIANT` verdict names a violation (contradiction); the engine
    /// asks for ``RecommendedAction/humanReview`` or an action Vigil does not know.
    public var requiresHumanReview: Bool {
        if verdict.requiresHumanReview { return true }
        switch (verdict, violationType) {
        case (.violationDetected, nil), (.violationDetected, .other?): return true
        case (.compliant, _?): return true
        default: break
        }
        switch recommendedAction {
        case .humanReview?, .other?: return true
        default: return false
        }
    }

    /// All fields but the evidence snippet.
    public var description: String {
        "ComplianceVerdict(recordingId: \(recordingId), verdict: \(verdict), violationType: "
            + "\(violationType.map(\.rawValue) ?? "nil"), confidenceScore: \(confidenceScore), timestampOffsetMs: "
            + "\(timestampOffsetMs.map(String.init) ?? "nil"), recommendedAction: "
            + "\(recommendedAction.map(\.rawValue) ?? "nil"), correlationId: \(correlationId))"
    }
}

/// The outcome of an evaluation.
///
/// **Open, but never mistaken for compliant**: an unknown value decodes as `.other` so no verdict is
/// lost (it is logged and routed), and ``requiresHumanReview`` is `true` for it. Only ``compliant``
/// counts as compliant (``isCompliant``); code must never treat "not a violation" as "compliant".
public enum Verdict: OpenStringEnum {
    /// `COMPLIANT`: no violation found.
    case compliant
    /// `VIOLATION_DETECTED`.
    case violationDetected
    /// `INCONCLUSIVE`: the engine could not decide (poor audio, no speech…).
    case inconclusive
    /// Any other value, kept verbatim; always needs review.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "COMPLIANT": self = .compliant
        case "VIOLATION_DETECTED": self = .violationDetected
        case "INCONCLUSIVE": self = .inconclusive
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .compliant: "COMPLIANT"
        case .violationDetected: "VIOLATION_DETECTED"
        case .inconclusive: "INCONCLUSIVE"
        case let .other(value): value
        }
    }

    /// `true` only for ``compliant``.
    public var isCompliant: Bool { self == .compliant }

    /// `true` for ``inconclusive`` and any unknown value.
    public var requiresHumanReview: Bool {
        switch self {
        case .compliant, .violationDetected: false
        case .inconclusive, .other: true
        }
    }
}

/// The kind of violation.
///
/// **Open**: engines add detectors faster than SDKs ship; an unknown type is still a violation and is
/// routed for review (``ComplianceVerdict/requiresHumanReview``) rather than dropped.
public enum ViolationType: OpenStringEnum {
    /// `PCI_MID_CAPTURE`: card number spoken or keyed while recording.
    case pciMidCapture
    /// `PCI_CVV_CAPTURE`: card security code captured.
    case pciCvvCapture
    /// `SSN_DISCLOSURE`: social security number disclosed.
    case ssnDisclosure
    /// `MISSING_DISCLOSURE`: a mandatory disclosure was not read.
    case missingDisclosure
    /// `PROHIBITED_PHRASE`: a prohibited phrase was used.
    case prohibitedPhrase
    /// Any other value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "PCI_MID_CAPTURE": self = .pciMidCapture
        case "PCI_CVV_CAPTURE": self = .pciCvvCapture
        case "SSN_DISCLOSURE": self = .ssnDisclosure
        case "MISSING_DISCLOSURE": self = .missingDisclosure
        case "PROHIBITED_PHRASE": self = .prohibitedPhrase
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .pciMidCapture: "PCI_MID_CAPTURE"
        case .pciCvvCapture: "PCI_CVV_CAPTURE"
        case .ssnDisclosure: "SSN_DISCLOSURE"
        case .missingDisclosure: "MISSING_DISCLOSURE"
        case .prohibitedPhrase: "PROHIBITED_PHRASE"
        case let .other(value): value
        }
    }
}

/// The engine's suggested remediation. Vigil's policy decides; this is advice.
///
/// **Open**: an unknown action is kept and makes the verdict need review.
public enum RecommendedAction: OpenStringEnum {
    /// `ROUTE_TO_COMPLIANCE_QUEUE`: create a work item in the compliance queue.
    case routeToComplianceQueue
    /// `HUMAN_REVIEW`: a person should look before anything else happens.
    case humanReview
    /// `RECORD_ONLY`: annotate/tag, no work item.
    case recordOnly
    /// `NONE`.
    case none
    /// Any other value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "ROUTE_TO_COMPLIANCE_QUEUE": self = .routeToComplianceQueue
        case "HUMAN_REVIEW": self = .humanReview
        case "RECORD_ONLY": self = .recordOnly
        case "NONE": self = .none
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .routeToComplianceQueue: "ROUTE_TO_COMPLIANCE_QUEUE"
        case .humanReview: "HUMAN_REVIEW"
        case .recordOnly: "RECORD_ONLY"
        case .none: "NONE"
        case let .other(value): value
        }
    }
}
