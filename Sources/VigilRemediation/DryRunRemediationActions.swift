import Foundation
import VigilModels

/// Remediation that writes nothing: each platform write it is asked for is described to `log` and
/// answered as the platform would (an annotation or work item "created", no earlier one found).
///
/// For a shadow run against a real organisation — the pipeline reads recordings and asks the engine as
/// usual, and the remediation it would perform is reported instead of done (`vigil demo --region …`
/// without `--remediate`). The descriptions hold identifiers and offsets only, never a template's
/// resolved text, which can quote a verdict.
///
/// ```swift
/// let actions = DryRunRemediationActions { line in logger.info("\(line)") }
/// let executor = RemediationExecutor(actions: actions, store: store, deadLetters: sink, clock: ContinuousClock())
/// ```
public struct DryRunRemediationActions: RemediationActions {
    private let log: @Sendable (String) -> Void

    /// Creates dry-run actions that describe every write to `log`.
    public init(log: @escaping @Sendable (String) -> Void) {
        self.log = log
    }

    /// Describes the annotation and returns it as if created.
    public func createAnnotation(conversationId: GenesysID, recordingId: GenesysID, annotation: Annotation) async throws -> Annotation {
        log("(dry run) annotation on recording \(recordingId) at \(annotation.location ?? 0) ms")
        return annotation
    }

    /// Describes the tag.
    public func setExternalTag(conversationId: GenesysID, tag: String) async throws {
        log("(dry run) external tag on conversation \(conversationId)")
    }

    /// Describes the attributes' participant.
    public func patchParticipantAttributes(
        conversationId: GenesysID, participantId: GenesysID,
        attributes: ParticipantAttributes
    ) async throws {
        log("(dry run) participant attributes on \(participantId)")
    }

    /// Describes the lookup and returns no participants (so nothing is patched twice over).
    public func conversationParticipants(conversationId: GenesysID) async throws -> [Conversation.Participant] {
        log("(dry run) participant attributes on the conversation's customer and agent")
        return []
    }

    /// Finds nothing: in a dry run no work item was ever created.
    public func findWorkitem(externalTag: String, typeId: String) async throws -> Workitem? { nil }

    /// Describes the work item and returns one with a fresh id.
    public func createWorkitem(_ workitem: WorkitemCreate) async throws -> Workitem {
        log("(dry run) work item in the review queue")
        return Workitem(id: UUID().uuidString.lowercased(), name: workitem.name)
    }

    /// Describes the row and returns it.
    public func addDataTableRow(datatableId: String, row: DataTableRow) async throws -> DataTableRow {
        log("(dry run) data-table row in \(datatableId)")
        return row
    }

    /// Describes the hold.
    public func applyLegalHold(conversationIds: [GenesysID]) async throws {
        log("(dry run) legal hold on \(conversationIds.count) conversation(s)")
    }
}
