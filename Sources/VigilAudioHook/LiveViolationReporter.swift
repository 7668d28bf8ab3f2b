import Foundation
import VigilAnalysis
import VigilCore
import VigilIdempotency
import VigilModels
import VigilRemediation

/// Opens the compliance work item for a violation found while the call is live, exactly once per
/// conversation and violation type — across reconnects, `continuedSessions` resumes, several service
/// instances and retries.
///
/// The work item gets the deterministic `externalTag`
/// `LiveWorkitem.externalTag(conversationId:violationType:)` (VigilRemediation). When the recording
/// becomes available, the usual remediation flow annotates it and finds this work item by that tag
/// instead of creating another.
///
/// Exactly once: the report claims `vigil.live:<conversationId>:<TYPE>` in the shared
/// `IdempotencyStore`; the claim's owner looks the tag up before creating (a crash between create and
/// complete leaves a work item the next attempt finds), then completes the claim with the work item id.
/// A duplicate report gets that id back.
public struct LiveViolationReporter: Sendable {
    /// What a report did.
    public enum Outcome: Sendable, Hashable {
        /// The work item was created now.
        case created(workitemId: String)
        /// It already existed (reported before, or found by its tag).
        case alreadyReported(workitemId: String)
        /// Another worker is opening it right now.
        case inProgress
        /// The finding is below the policy's confidence threshold: nothing was opened.
        case belowThreshold
    }

    /// The platform actions (the `GenesysCloudClient` adapter in production).
    public let actions: any RemediationActions
    /// Shared with every instance of the host.
    public let store: any IdempotencyStore
    /// Work type, queue, workbin and priority of the work item (name and description are set here).
    public let workitem: WorkitemSettings
    /// Findings below this confidence are not reported (default 0.85, the pipeline's route threshold).
    public let minimumConfidence: Double
    private let now: @Sendable () -> Date

    /// Creates a reporter.
    public init(
        actions: any RemediationActions, store: any IdempotencyStore, workitem: WorkitemSettings,
        minimumConfidence: Double = 0.85, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.actions = actions
        self.store = store
        self.workitem = workitem
        self.minimumConfidence = minimumConfidence
        self.now = now
    }

    /// The idempotency key of a live report.
    public static func key(conversationId: GenesysID, violationType: ViolationType) -> String {
        "vigil.live:\(conversationId):\(violationType.rawValue)"
    }

    /// Opens the work item for `finding` in `conversationId`, unless it is open already.
    ///
    /// - Throws: the store's or the platform's error (retry later: nothing is half-done — a created
    ///   work item is found by its tag on the next attempt).
    public func report(_ finding: ComplianceFinding, conversationId: GenesysID) async throws -> Outcome {
        guard finding.confidence >= minimumConfidence else { return .belowThreshold }
        let type = finding.type
        let key = Self.key(conversationId: conversationId, violationType: type)
        let tag = LiveWorkitem.externalTag(conversationId: conversationId, violationType: type)
        let token: LeaseToken
        switch try await store.claim(key, fingerprint: tag, lease: .seconds(60)) {
        case .acquired(let acquired):
            token = acquired
        case .completed(let outcome):
            return .alreadyReported(workitemId: outcome.details["workitemId"] ?? "")
        case .inProgress:
            return .inProgress
        case .conflict:
            return .inProgress  // the same key with another fingerprint cannot happen: the tag is derived from it
        }
        do {
            let outcome: Outcome
            let id: String
            if let existing = try await actions.findWorkitem(externalTag: tag, typeId: workitem.typeId) {
                id = existing.id
                outcome = .alreadyReported(workitemId: id)
            } else {
                id = try await actions.createWorkitem(body(for: finding, conversationId: conversationId, tag: tag)).id
                outcome = .created(workitemId: id)
            }
            try await store.complete(
                key, token: token,
                outcome: StoredOutcome(status: "reported", details: ["workitemId": id], completedAt: now()),
                retain: .seconds(7 * 24 * 3600))
            return outcome
        } catch {
            try? await store.release(key, token: token)
            throw error
        }
    }

    /// The work item: masked evidence only (the finding's evidence text never holds the number).
    func body(for finding: ComplianceFinding, conversationId: GenesysID, tag: String) -> WorkitemCreate {
        let seconds = String(format: "%.1f", Double(finding.offsetMs) / 1000)
        let name = "Live compliance: \(finding.type.rawValue)"
        let description =
            "Flagged during the call at \(seconds) s of conversation \(conversationId): \(finding.evidence)"
            + String(format: " (confidence %.2f).", finding.confidence)
        return WorkitemCreate(
            name: String(name.prefix(WorkitemCreate.nameLength.upperBound)), typeId: workitem.typeId,
            workbinId: workitem.workbinId, priority: workitem.priority,
            description: String(description.prefix(WorkitemCreate.maxDescriptionLength)),
            queueId: workitem.queueId, externalTag: tag)
    }
}
