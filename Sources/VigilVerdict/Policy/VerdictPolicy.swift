import Foundation
import VigilCore
import VigilModels

/// What Vigil does about a verdict.
public enum RemediationAction: String, Sendable, Hashable, CaseIterable, Comparable, CustomStringConvertible {
    /// `NONE`: nothing.
    case none = "NONE"
    /// `RECORD_ONLY`: annotate and tag the recording; no work item.
    case recordOnly = "RECORD_ONLY"
    /// `HUMAN_REVIEW`: a person looks before anything else happens.
    case humanReview = "HUMAN_REVIEW"
    /// `ROUTE_TO_COMPLIANCE_QUEUE`: a work item in the compliance queue.
    case routeToComplianceQueue = "ROUTE_TO_COMPLIANCE_QUEUE"

    /// Orders by how much human attention the action brings: `NONE` < `RECORD_ONLY` < `HUMAN_REVIEW`
    /// < `ROUTE_TO_COMPLIANCE_QUEUE`.
    public static func < (lhs: RemediationAction, rhs: RemediationAction) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .none: 0
        case .recordOnly: 1
        case .humanReview: 2
        case .routeToComplianceQueue: 3
        }
    }

    /// The engine's advice as an action, when it is one Vigil knows.
    public init?(_ recommendation: RecommendedAction) {
        switch recommendation {
        case .routeToComplianceQueue: self = .routeToComplianceQueue
        case .humanReview: self = .humanReview
        case .recordOnly: self = .recordOnly
        case .none: self = .none
        case .other: return nil
        }
    }

    /// The wire name.
    public var description: String { rawValue }
}

/// How urgently a remediation is handled (work-item priority).
public enum RemediationPriority: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// `HIGH`.
    case high = "HIGH"
    /// `NORMAL`.
    case normal = "NORMAL"
    /// `LOW`.
    case low = "LOW"

    /// The wire name.
    public var description: String { rawValue }
}

/// The policy's decision for one validated verdict, with the reasons — an audit record.
public struct RemediationDecision: Sendable, Hashable {
    /// What to do.
    public let action: RemediationAction
    /// How urgently.
    public let priority: RemediationPriority
    /// The id of the rule that matched (`"fallback"` when none did).
    public let ruleId: String
    /// The id of the policy that decided.
    public let policyId: String
    /// The engine's advice, as sent.
    public let recommendedAction: RecommendedAction?
    /// Whether the final action is what the engine recommended (`false` when it gave none, an
    /// unknown one, or the policy overrode it).
    public let followedRecommendation: Bool
    /// Whether the rule let the engine's recommendation replace the rule's own action
    /// (`acceptRecommendations`).
    public let adoptedRecommendation: Bool
    /// Whether the action was raised to `HUMAN_REVIEW` because the verdict needs a person
    /// (``ValidatedVerdict/reviewReasons``).
    public let escalatedForReview: Bool
    /// Why the verdict needs a person, if it does.
    public let reviewReasons: [ReviewReason]
}

/// Maps a validated verdict — (verdict, violationType, confidence) — to a ``RemediationDecision`` by
/// rules loaded from JSON.
///
/// ## Format
///
/// ```json
/// {
///   "policyVersion": 1,
///   "id": "acme-2026-05",
///   "rules": [
///     { "id": "violation-high", "verdict": "VIOLATION_DETECTED", "violationType": "*",
///       "minConfidence": 0.9, "maxConfidence": 1.0,
///       "action": "ROUTE_TO_COMPLIANCE_QUEUE", "priority": "HIGH" },
///     { "id": "violation-medium", "verdict": "VIOLATION_DETECTED", "violationType": "*",
///       "minConfidence": 0.6, "maxConfidence": 0.9,
///       "action": "HUMAN_REVIEW", "priority": "NORMAL",
///       "acceptRecommendations": ["ROUTE_TO_COMPLIANCE_QUEUE"] },
///     { "id": "violation-low", "verdict": "VIOLATION_DETECTED", "violationType": "*",
///       "minConfidence": 0.0, "maxConfidence": 0.6, "action": "RECORD_ONLY", "priority": "LOW" }
///   ],
///   "fallback": { "action": "HUMAN_REVIEW", "priority": "NORMAL" }
/// }
/// ```
///
/// - A rule matches a `verdict` (`VIOLATION_DETECTED`, `COMPLIANT`, `INCONCLUSIVE` or `*`) and a
///   `violationType` (`*`, the default, or an upper-case type name of `A–Z 0–9 _` with fewer than 6
///   digits — engine-specific names are allowed) over a confidence range `minConfidence ≤ c < maxConfidence`; a range whose
///   `maxConfidence` is `1` includes 1.
/// - The rules of one (verdict, violationType) pair must cover `[0, 1]` exactly: no overlap, no gap.
/// - The most specific pair wins: (verdict, type), then (verdict, `*`), then (`*`, type), then
///   (`*`, `*`); if no pair has rules, `fallback` decides (rule id `"fallback"`).
/// - The policy's and each rule's `id` (recorded in every decision, so in events, logs and metrics)
///   are identifiers: 1–128 characters of `A–Z a–z 0–9 . _ : -` with fewer than 9 digits outside UUIDs.
/// - `action` is one of `ROUTE_TO_COMPLIANCE_QUEUE`, `HUMAN_REVIEW`, `RECORD_ONLY`, `NONE`; `priority`
///   one of `HIGH`, `NORMAL`, `LOW` (default `NORMAL`).
/// - The engine's `recommendedAction` is advice: by default the rule's action stands; if the rule
///   lists the recommendation in `acceptRecommendations`, the recommendation is adopted. Either way
///   the decision records whether the recommendation was followed.
/// - A verdict that needs a person (unknown verdict, violation or action values; `INCONCLUSIVE`;
///   contradictions) is never handled below `HUMAN_REVIEW`: a lower action is raised and the decision
///   says so (``RemediationDecision/escalatedForReview``).
///
/// Loading is strict and reports the **line and column** of the problem (``VerdictPolicyError``):
/// unknown keys, missing keys, wrong types, duplicate keys or rule ids, unknown action, priority or
/// verdict names, thresholds outside `[0, 1]`, empty ranges, and overlapping or gapped ranges.
public struct VerdictPolicy: Sendable {
    /// One rule.
    public struct Rule: Sendable, Hashable {
        /// The rule's id, recorded in decisions.
        public let id: String
        /// The verdict it matches; `nil` for `*`.
        public let verdict: Verdict?
        /// The violation type it matches; `nil` for `*`.
        public let violationType: ViolationType?
        /// The lower bound, inclusive.
        public let minConfidence: Double
        /// The upper bound, exclusive unless it is 1.
        public let maxConfidence: Double
        /// What to do.
        public let action: RemediationAction
        /// How urgently.
        public let priority: RemediationPriority
        /// Engine recommendations that replace ``action`` when given.
        public let acceptRecommendations: Set<RemediationAction>

        func contains(_ confidence: Double) -> Bool {
            confidence >= minConfidence && (confidence < maxConfidence || (maxConfidence == 1 && confidence == 1))
        }
    }

    /// The policy's id.
    public let id: String
    /// The rules, in file order.
    public let rules: [Rule]
    /// What applies when no rule group matches.
    public let fallbackAction: RemediationAction
    /// The fallback's priority.
    public let fallbackPriority: RemediationPriority

    struct GroupKey: Hashable {
        var verdict: Verdict?
        var violationType: ViolationType?
    }
    private let groups: [GroupKey: [Rule]]

    init(id: String, rules: [Rule], fallbackAction: RemediationAction, fallbackPriority: RemediationPriority) {
        self.id = id
        self.rules = rules
        self.fallbackAction = fallbackAction
        self.fallbackPriority = fallbackPriority
        var groups: [GroupKey: [Rule]] = [:]
        for rule in rules {
            groups[GroupKey(verdict: rule.verdict, violationType: rule.violationType), default: []].append(rule)
        }
        self.groups = groups.mapValues { $0.sorted { $0.minConfidence < $1.minConfidence } }
    }

    /// Decides what to do about `validated`.
    public func decide(_ validated: ValidatedVerdict) -> RemediationDecision {
        let verdict = validated.verdict
        let rule = matchingRule(
            verdict: verdict.verdict, violationType: verdict.violationType,
            confidence: verdict.confidenceScore)
        var action = rule?.action ?? fallbackAction
        let priority = rule?.priority ?? fallbackPriority
        let recommended = verdict.recommendedAction.flatMap(RemediationAction.init)
        var adopted = false
        if let recommended, let rule, rule.acceptRecommendations.contains(recommended), recommended != action {
            action = recommended
            adopted = true
        }
        var escalated = false
        if validated.requiresHumanReview && action < .humanReview {
            action = .humanReview
            escalated = true
        }
        return RemediationDecision(
            action: action, priority: priority, ruleId: rule?.id ?? "fallback", policyId: id,
            recommendedAction: verdict.recommendedAction,
            followedRecommendation: recommended == action, adoptedRecommendation: adopted,
            escalatedForReview: escalated, reviewReasons: validated.reviewReasons)
    }

    func matchingRule(verdict: Verdict, violationType: ViolationType?, confidence: Double) -> Rule? {
        // Most specific first: (verdict, type), (verdict, *), (*, type), (*, *).
        if let violationType, let group = groups[GroupKey(verdict: verdict, violationType: violationType)] {
            return group.first { $0.contains(confidence) }
        }
        if let group = groups[GroupKey(verdict: verdict, violationType: nil)] {
            return group.first { $0.contains(confidence) }
        }
        if let violationType, let group = groups[GroupKey(verdict: nil, violationType: violationType)] {
            return group.first { $0.contains(confidence) }
        }
        if let group = groups[GroupKey(verdict: nil, violationType: nil)] {
            return group.first { $0.contains(confidence) }
        }
        return nil
    }
}
