import VigilCore
import VigilModels
import VigilRemediation

/// `GenesysCloudClient` performs remediation steps on the real platform.
///
/// Each requirement maps to one client call (the client retries transient failures itself and guards
/// creates against duplicates on its own repeats); the executor adds the cross-run guarantees.
/// `createWorkitem(_:)` here always passes the body's `externalTag` as the client's
/// `IdempotencyGuard/externalTag(_:)`, so a repeat inside the client also finds an earlier create.
extension GenesysCloudClient: RemediationActions {
    /// `POST …/recordings/{rid}/annotations`, guarded by name, type and location on the client's repeats.
    public func createAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        annotation: Annotation
    ) async throws -> Annotation {
        try await createAnnotation(
            annotation, conversationId: conversationId, recordingId: recordingId,
            guard: .sameNameAndLocation)
    }

    /// `GET …/recordings/{rid}/annotations`, matched by name, type and location.
    public func findAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        matching annotation: Annotation
    ) async throws -> Annotation? {
        try await annotations(conversationId: conversationId, recordingId: recordingId).first {
            $0.name == annotation.name && $0.type == annotation.type && $0.location == annotation.location
        }
    }

    /// `PUT /api/v2/conversations/{cid}/tags`.
    public func setExternalTag(conversationId: GenesysID, tag: String) async throws {
        try await setExternalTag(tag, conversationId: conversationId)
    }

    /// `PATCH …/participants/{pid}/attributes`.
    public func patchParticipantAttributes(
        conversationId: GenesysID, participantId: GenesysID,
        attributes: ParticipantAttributes
    ) async throws {
        try await patchParticipantAttributes(
            attributes.attributes, conversationId: conversationId,
            participantId: participantId)
    }

    /// `GET /api/v2/conversations/{cid}`: its participants.
    public func conversationParticipants(conversationId: GenesysID) async throws -> [Conversation.Participant] {
        try await conversation(conversationId).participants
    }

    /// `PATCH /api/v2/conversations/{media}/{cid}/participants/{pid}/attributes` for the participant's
    /// media type (the media-independent path when it has no communications listed).
    public func patchParticipantAttributes(
        conversationId: GenesysID, participant: Conversation.Participant,
        attributes: ParticipantAttributes
    ) async throws {
        try await patchParticipantAttributes(
            attributes.attributes, conversationId: conversationId, participantId: participant.addressableID(),
            media: participant.mediaSegment)
    }

    /// `POST /api/v2/taskmanagement/workitems/query` with `EQ typeId` and `EQ externalTag`.
    public func findWorkitem(externalTag: String, typeId: String) async throws -> Workitem? {
        try await queryWorkitems(
            WorkitemQuery(
                filters: [.equals("typeId", typeId), .equals("externalTag", externalTag)],
                pageSize: 1)
        ).entities.first
    }

    /// `POST /api/v2/taskmanagement/workitems`, guarded by the body's `externalTag` when it has one.
    public func createWorkitem(_ workitem: WorkitemCreate) async throws -> Workitem {
        try await createWorkitem(workitem, guard: workitem.externalTag.map { .externalTag($0) })
    }

    /// `POST /api/v2/flows/datatables/{id}/rows`; a `409` (the key exists) becomes
    /// ``RemediationActionError/Code/alreadyExists``.
    public func addDataTableRow(datatableId: String, row: DataTableRow) async throws -> DataTableRow {
        do {
            return try await addDataTableRow(row, datatableId: datatableId)
        } catch let error as GenesysAPIError where error.code == .conflict {
            throw RemediationActionError(code: .alreadyExists, detail: "a row with this key exists (\(error.errorCode))")
        }
    }

    /// `PUT /api/v2/recordings/deletionprotection?protect=true`: the conversation's recordings cannot be
    /// deleted (by retention either) while the hold lasts.
    public func applyLegalHold(conversationIds: [GenesysID]) async throws {
        try await setDeletionProtection(true, conversationIds: conversationIds)
    }
}
