import VigilModels

/// The platform operations remediation blocks perform — the port ``RemediationExecutor`` talks to.
///
/// `GenesysCloudClient` conforms through an adapter; tests use a fake. Each method is one real Genesys
/// Cloud call. Implementations throw `VigilError`s whose `isRetryable` tells transient failures
/// (429, 5xx, timeouts) from permanent ones (400, 403, 404), and
/// ``RemediationActionError/Code/alreadyExists`` when a create finds its resource already there.
public protocol RemediationActions: Sendable {
    /// `POST /api/v2/conversations/{conversationId}/recordings/{recordingId}/annotations`.
    ///
    /// - Returns: the annotation as created (with its id).
    func createAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        annotation: Annotation
    ) async throws -> Annotation

    /// `GET /api/v2/conversations/{conversationId}/recordings/{recordingId}/annotations`, returning the
    /// annotation with the same `name`, `type` and `location` as `annotation`, if any.
    ///
    /// The executor calls it before ``createAnnotation(conversationId:recordingId:annotation:)`` so that
    /// a crash after the create does not leave a second bookmark. The default implementation returns
    /// `nil` (no lookup: the crash window stays open for annotations only).
    func findAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        matching annotation: Annotation
    ) async throws -> Annotation?

    /// `PUT /api/v2/conversations/{conversationId}/tags` with `{"externalTag": tag}`. Idempotent.
    func setExternalTag(conversationId: GenesysID, tag: String) async throws

    /// `PATCH /api/v2/conversations/{conversationId}/participants/{participantId}/attributes`. Idempotent.
    func patchParticipantAttributes(
        conversationId: GenesysID, participantId: GenesysID,
        attributes: ParticipantAttributes) async throws

    /// `GET /api/v2/conversations/{conversationId}`: the participants (id, role, media), for a
    /// `tag_recording` block whose job names none. The default throws
    /// ``RemediationActionError/Code/unsupported`` (the step is dead-lettered, never silently skipped).
    func conversationParticipants(conversationId: GenesysID) async throws -> [Conversation.Participant]

    /// Sets `attributes` on `participant` through the endpoint of its media type
    /// (`PATCH /api/v2/conversations/{media}/{cid}/participants/{pid}/attributes`). Idempotent. The
    /// default calls the media-independent
    /// ``patchParticipantAttributes(conversationId:participantId:attributes:)``.
    func patchParticipantAttributes(
        conversationId: GenesysID, participant: Conversation.Participant,
        attributes: ParticipantAttributes) async throws

    /// `POST /api/v2/taskmanagement/workitems/query` for the work item carrying `externalTag`.
    ///
    /// The real query needs at least one `EQ` filter on `workbinId`, `assigneeId`, `queueId` or
    /// `typeId`, so the worktype is passed along with the tag.
    ///
    /// - Returns: the work item, or `nil` when none carries the tag.
    func findWorkitem(externalTag: String, typeId: String) async throws -> Workitem?

    /// `POST /api/v2/taskmanagement/workitems`.
    func createWorkitem(_ workitem: WorkitemCreate) async throws -> Workitem

    /// `POST /api/v2/flows/datatables/{datatableId}/rows`.
    ///
    /// - Throws: ``RemediationActionError/Code/alreadyExists`` when a row with the same `key` exists.
    func addDataTableRow(datatableId: String, row: DataTableRow) async throws -> DataTableRow

    /// `PUT /api/v2/recordings/deletionprotection?protect=true` with `{"conversationIds": […]}` (≤ 100).
    /// Idempotent.
    func applyLegalHold(conversationIds: [GenesysID]) async throws
}

extension RemediationActions {
    /// Not available: throws ``RemediationActionError/Code/unsupported``.
    public func conversationParticipants(conversationId: GenesysID) async throws -> [Conversation.Participant] {
        throw RemediationActionError(code: .unsupported, detail: "these actions cannot look a conversation's participants up")
    }

    /// The media-independent endpoint.
    public func patchParticipantAttributes(
        conversationId: GenesysID, participant: Conversation.Participant,
        attributes: ParticipantAttributes
    ) async throws {
        try await patchParticipantAttributes(
            conversationId: conversationId, participantId: participant.addressableID(), attributes: attributes)
    }

    /// No lookup: returns `nil`, so the annotation step always creates.
    public func findAnnotation(
        conversationId: GenesysID, recordingId: GenesysID,
        matching annotation: Annotation
    ) async throws -> Annotation? {
        nil
    }
}

extension Conversation.Participant {
    /// The participant's id as a ``GenesysID``, which the attribute endpoints address it by.
    ///
    /// - Throws: ``RemediationActionError/Code/unsupported`` when the id is not a Genesys id.
    package func addressableID() throws -> GenesysID {
        guard let id = GenesysID(id) else {
            throw RemediationActionError(code: .unsupported, detail: "the participant id is not a Genesys id")
        }
        return id
    }
}

/// The recording a remediation is about: what the verdict alone does not say.
public struct RemediationContext: Sendable, Hashable {
    /// The conversation the recording belongs to.
    public var conversationId: GenesysID
    /// The recording; must equal the verdict's `recordingId`.
    public var recordingId: GenesysID
    /// The participants whose attributes `tag_recording` sets, when the host knows them; empty (the
    /// pipeline's jobs carry none): the conversation is looked up and the block's
    /// `participantPurposes` pick the participants.
    public var participantIds: [GenesysID]
    /// The recording's length in ms, when known; an annotation offset past the end is clamped to it.
    public var recordingDurationMs: Int64?

    /// Creates a context.
    public init(
        conversationId: GenesysID, recordingId: GenesysID, participantIds: [GenesysID] = [],
        recordingDurationMs: Int64? = nil
    ) {
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.participantIds = participantIds
        self.recordingDurationMs = recordingDurationMs
    }
}

/// Decides whether a verdict may be acted on; run by the `validate_payload` block.
///
/// The pipeline plugs in VigilVerdict's validator; ``BasicVerdictValidator`` is the built-in default.
public protocol RemediationVerdictValidator: Sendable {
    /// Throws when `verdict` must not be remediated for `context` (preferably a `VigilError` whose
    /// description carries no personal data: it becomes the dead letter's reason).
    func validate(_ verdict: ComplianceVerdict, context: RemediationContext) throws
}

/// The checks the seed's `validate_payload` script stands for, on typed data.
///
/// The seed's script only asks that `verdict` and `recordingId` are present — the types guarantee that.
/// This validator refuses what would flag the wrong thing: a verdict about another recording, and a
/// `COMPLIANT` verdict (remediating a clean recording is never right).
public struct BasicVerdictValidator: RemediationVerdictValidator {
    /// Creates the validator.
    public init() {}

    /// See ``RemediationVerdictValidator/validate(_:context:)``.
    public func validate(_ verdict: ComplianceVerdict, context: RemediationContext) throws {
        guard verdict.recordingId == context.recordingId else {
            throw RemediationError(code: .verdictRejected, detail: "the verdict is about another recording")
        }
        guard !verdict.verdict.isCompliant else {
            throw RemediationError(code: .verdictRejected, detail: "a COMPLIANT verdict is never remediated")
        }
    }
}
