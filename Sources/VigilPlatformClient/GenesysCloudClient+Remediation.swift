import Foundation
import VigilCore
import VigilModels

extension GenesysCloudClient {
    // MARK: Annotations

    /// `POST /api/v2/conversations/{cid}/recordings/{rid}/annotations` — create (or, when the annotation
    /// has an `id`, update) an annotation.
    ///
    /// The body is validated first (description ≤ 500 UTF-16 units, non-negative location and duration,
    /// non-empty name when given). Without an `id` this is a create: it is retried only on 429, or on any
    /// transient failure when `guard` is ``IdempotencyGuard/sameNameAndLocation`` (the recording's
    /// annotations are listed before re-creating, and a match is returned).
    public func createAnnotation(
        _ annotation: Annotation, conversationId: GenesysID, recordingId: GenesysID,
        guard idempotency: IdempotencyGuard? = nil
    ) async throws -> Annotation {
        try Self.validate(annotation)
        if case .externalTag = idempotency {
            throw GenesysAPIError.invalidInput("guard", "annotations support only .sameNameAndLocation")
        }
        let body = try Self.encode(annotation, field: "annotation")
        let path = "/api/v2/conversations/\(conversationId.rawValue)/recordings/\(recordingId.rawValue)/annotations"
        var lookup: (@Sendable () async throws -> Annotation?)?
        if idempotency != nil {
            lookup = { @Sendable in
                try await self.annotations(conversationId: conversationId, recordingId: recordingId).first {
                    $0.name == annotation.name && $0.type == annotation.type && $0.location == annotation.location
                }
            }
        }
        return try await call(
            .post, path, body: body, mode: annotation.id == nil ? .createOnce : .safe,
            lookup: lookup
        ) { raw in
            try Self.decode(Annotation.self, raw)
        }
    }

    /// `PUT /api/v2/conversations/{cid}/recordings/{rid}/annotations/{annotationId}` — update (idempotent).
    public func updateAnnotation(
        _ annotation: Annotation, annotationId: String, conversationId: GenesysID,
        recordingId: GenesysID
    ) async throws -> Annotation {
        try Self.validate(annotation)
        let annotationId = try Self.segment(annotationId, field: "annotationId")
        let body = try Self.encode(annotation, field: "annotation")
        let path =
            "/api/v2/conversations/\(conversationId.rawValue)/recordings/\(recordingId.rawValue)"
            + "/annotations/\(annotationId)"
        return try await call(.put, path, body: body) { raw in try Self.decode(Annotation.self, raw) }
    }

    /// `GET /api/v2/conversations/{cid}/recordings/{rid}/annotations`.
    public func annotations(conversationId: GenesysID, recordingId: GenesysID) async throws -> [Annotation] {
        let path = "/api/v2/conversations/\(conversationId.rawValue)/recordings/\(recordingId.rawValue)/annotations"
        return try await call(.get, path) { raw in try Self.decode([Annotation].self, raw) }
    }

    static func validate(_ annotation: Annotation) throws(GenesysAPIError) {
        do {
            try annotation.validateForCreate()
        } catch {
            throw .invalidInput("annotation.\(error.path)", error.reason)
        }
        if let name = annotation.name, name.trimmingCharacters(in: .whitespaces).isEmpty {
            throw .invalidInput("annotation.name", "must not be empty")
        }
    }

    // MARK: Conversation tags and participant attributes

    /// `PUT /api/v2/conversations/{conversationId}/tags` with `{"externalTag": tag}`.
    ///
    /// The platform answers "accepted" (`202`; `200`/`204` are accepted too). Idempotent.
    public func setExternalTag(_ tag: String, conversationId: GenesysID) async throws {
        guard !tag.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GenesysAPIError.invalidInput("externalTag", "must not be empty")
        }
        let body = try Self.encode(ConversationTagsUpdate(externalTag: tag), field: "externalTag")
        try await call(.put, "/api/v2/conversations/\(conversationId.rawValue)/tags", body: body) { _ in () }
    }

    /// `GET /api/v2/conversations/{conversationId}`: the participants, their roles and media.
    public func conversation(_ conversationId: GenesysID) async throws -> Conversation {
        try await call(.get, "/api/v2/conversations/\(conversationId.rawValue)") { raw in try Self.decode(Conversation.self, raw) }
    }

    /// `PATCH /api/v2/conversations/{media}/{cid}/participants/{pid}/attributes` with `{"attributes": {…}}` —
    /// the endpoint of the participant's media type (`calls`, `callbacks`, `chats`, `emails`,
    /// `messages`; ``Conversation/Participant/mediaSegment``), or the media-independent
    /// `/api/v2/conversations/{cid}/participants/{pid}/attributes` when `media` is `nil`.
    ///
    /// Setting values is idempotent, so it is retried like any safe call. `202` (no body) is the documented
    /// answer; any 2xx is accepted.
    public func patchParticipantAttributes(
        _ attributes: [String: String], conversationId: GenesysID,
        participantId: GenesysID, media: String? = nil
    ) async throws {
        guard !attributes.isEmpty else {
            throw GenesysAPIError.invalidInput("attributes", "must contain at least one attribute")
        }
        if attributes.keys.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            throw GenesysAPIError.invalidInput("attributes", "names must not be empty")
        }
        if let media, !Self.participantMediaSegments.contains(media) {
            throw GenesysAPIError.invalidInput("media", "must be one of \(Self.participantMediaSegments.sorted().joined(separator: ", "))")
        }
        let body = try Self.encode(ParticipantAttributes(attributes: attributes), field: "attributes")
        let prefix = media.map { "/api/v2/conversations/\($0)" } ?? "/api/v2/conversations"
        let path = "\(prefix)/\(conversationId.rawValue)/participants/\(participantId.rawValue)/attributes"
        try await call(.patch, path, body: body) { _ in () }
    }

    /// The media segments with their own participant-attributes endpoint.
    public static let participantMediaSegments: Set<String> = ["calls", "callbacks", "chats", "emails", "messages"]

    // MARK: Legal hold

    /// `PUT /api/v2/recordings/deletionprotection?protect=true|false` with `{"conversationIds": […]}`:
    /// protects every recording of the conversations from deletion — retention policies and users alike
    /// (`recording:deletionProtection:apply`) — or releases them (`…:revoke`). 1…100 conversations, no
    /// repeats. Setting the same protection again is harmless, so the call is retried like any safe call.
    public func setDeletionProtection(_ protect: Bool, conversationIds: [GenesysID]) async throws {
        guard !conversationIds.isEmpty, conversationIds.count <= ConversationDeletionProtectionQuery.maximumConversations else {
            throw GenesysAPIError.invalidInput(
                "conversationIds", "must name 1 to \(ConversationDeletionProtectionQuery.maximumConversations) conversations")
        }
        guard Set(conversationIds).count == conversationIds.count else {
            throw GenesysAPIError.invalidInput("conversationIds", "must not repeat a conversation")
        }
        let body = try Self.encode(
            ConversationDeletionProtectionQuery(conversationIds: conversationIds.map(\.rawValue)),
            field: "conversationIds")
        try await call(.put, "/api/v2/recordings/deletionprotection", query: "?protect=\(protect)", body: body) { _ in () }
    }

    // MARK: Secure pause

    /// `PATCH /api/v2/conversations/{conversationId}/recordingstate` with `{"recordingState": …}`.
    ///
    /// ``RecordingState/paused`` initiates a secure pause, ``RecordingState/active`` resumes. The answer is
    /// documented as "Accepted" (202, unverified); any 2xx is accepted. Idempotent.
    public func setRecordingState(_ state: RecordingState, conversationId: GenesysID) async throws {
        guard state == .paused || state == .active || state == .none else {
            throw GenesysAPIError.invalidInput("recordingState", "must be PAUSED, ACTIVE or NONE")
        }
        let body = try Self.encode(SetRecordingState(recordingState: state), field: "recordingState")
        try await call(.patch, "/api/v2/conversations/\(conversationId.rawValue)/recordingstate", body: body) { _ in () }
    }

    /// Starts a secure pause (`recordingState` `PAUSED`).
    public func securePause(conversationId: GenesysID) async throws {
        try await setRecordingState(.paused, conversationId: conversationId)
    }

    /// Resumes recording after a secure pause (`recordingState` `ACTIVE`).
    public func resumeRecording(conversationId: GenesysID) async throws {
        try await setRecordingState(.active, conversationId: conversationId)
    }

    // MARK: Work items

    /// `POST /api/v2/taskmanagement/workitems`.
    ///
    /// The body is validated first (``WorkitemCreate/validate(now:)`` with the client's wall clock).
    /// Without a guard the create is retried only on 429. With ``IdempotencyGuard/externalTag(_:)`` the tag
    /// is written into the body and, before any repeat attempt, `POST …/workitems/query` looks for a work
    /// item of the same `typeId` and tag; if the earlier attempt created it, that work item is returned
    /// instead of a duplicate.
    public func createWorkitem(_ workitem: WorkitemCreate, guard idempotency: IdempotencyGuard? = nil) async throws -> Workitem {
        var body = workitem
        if let idempotency {
            guard case let .externalTag(tag) = idempotency else {
                throw GenesysAPIError.invalidInput("guard", "work items support only .externalTag")
            }
            guard !tag.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw GenesysAPIError.invalidInput("guard.externalTag", "must not be empty")
            }
            if let existing = body.externalTag, existing != tag {
                throw GenesysAPIError.invalidInput("workitem.externalTag", "differs from the guard's tag")
            }
            body.externalTag = tag
        }
        do {
            try body.validate(now: wallNow())
        } catch {
            throw GenesysAPIError.invalidInput("workitem.\(error.path)", error.reason)
        }
        let bytes = try Self.encode(body, field: "workitem")
        let lookup: (@Sendable () async throws -> Workitem?)?
        if case let .externalTag(tag) = idempotency {
            let typeId = body.typeId
            lookup = {
                try await self.queryWorkitems(
                    WorkitemQuery(
                        filters: [.equals("typeId", typeId), .equals("externalTag", tag)], pageSize: 1)
                ).entities.first
            }
        } else {
            lookup = nil
        }
        return try await call(
            .post, "/api/v2/taskmanagement/workitems", body: bytes, mode: .createOnce,
            lookup: lookup
        ) { raw in
            try Self.decode(Workitem.self, raw)
        }
    }

    /// `POST /api/v2/taskmanagement/workitems/query` (a read; retried like a safe call).
    ///
    /// Validated first: 1–3 filters, one of them `EQ` on `workbinId`, `assigneeId`, `queueId` or `typeId`.
    public func queryWorkitems(_ query: WorkitemQuery) async throws -> WorkitemQueryResult {
        try query.validate()
        let body = try Self.encode(query, field: "query")
        return try await call(.post, "/api/v2/taskmanagement/workitems/query", body: body) { raw in
            try Self.decode(WorkitemQueryResult.self, raw)
        }
    }

    /// `GET /api/v2/taskmanagement/workitems/{workitemId}`.
    public func workitem(id: String) async throws -> Workitem {
        let id = try Self.segment(id, field: "workitemId")
        return try await call(.get, "/api/v2/taskmanagement/workitems/\(id)") { raw in try Self.decode(Workitem.self, raw) }
    }

    // MARK: Data tables

    /// `POST /api/v2/flows/datatables/{datatableId}/rows`.
    ///
    /// A row is identified by its `key`, so repeating the call is guarded automatically: before a repeat
    /// attempt the row is read back (`GET …/rows/{key}`) and returned if the earlier attempt stored it.
    public func addDataTableRow(_ row: DataTableRow, datatableId: String) async throws -> DataTableRow {
        let datatableId = try Self.segment(datatableId, field: "datatableId")
        guard !row.key.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw GenesysAPIError.invalidInput("row.key", "must not be empty")
        }
        let key = try Self.segment(row.key, field: "row.key")
        let body = try Self.encode(row, field: "row")
        return try await call(
            .post, "/api/v2/flows/datatables/\(datatableId)/rows", body: body, mode: .createOnce,
            lookup: { try await self.dataTableRow(datatableId: datatableId, key: key) }
        ) { raw in
            try Self.decode(DataTableRow.self, raw)
        }
    }

    /// `GET /api/v2/flows/datatables/{datatableId}/rows/{key}`; `nil` when there is no such row.
    public func dataTableRow(datatableId: String, key: String) async throws -> DataTableRow? {
        let datatableId = try Self.segment(datatableId, field: "datatableId")
        let key = try Self.segment(key, field: "key")
        do {
            return try await call(.get, "/api/v2/flows/datatables/\(datatableId)/rows/\(key)") { raw in
                try Self.decode(DataTableRow.self, raw)
            }
        } catch let error as GenesysAPIError where error.code == .notFound {
            return nil
        }
    }

    // MARK: Transcripts

    /// `GET /api/v2/speechandtextanalytics/conversations/{cid}/communications/{communicationId}/transcripturl`.
    ///
    /// - Parameter communicationId: the recording's `sessionId`.
    public func transcriptURL(conversationId: GenesysID, communicationId: String) async throws -> PresignedURL {
        let communicationId = try Self.segment(communicationId, field: "communicationId")
        let path =
            "/api/v2/speechandtextanalytics/conversations/\(conversationId.rawValue)"
            + "/communications/\(communicationId)/transcripturl"
        return try await call(.get, path) { raw in try Self.decode(TranscriptURL.self, raw).url }
    }

    /// Gets the transcript URL and downloads and decodes the transcript (bounded by
    /// ``GenesysClientConfiguration/maxResponseBytes``). A URL refused with 403/404 is fetched again once.
    public func downloadTranscript(conversationId: GenesysID, communicationId: String) async throws -> STATranscriptDocument {
        var refetched = false
        while true {
            let url = try await transcriptURL(conversationId: conversationId, communicationId: communicationId)
            let (response, body) = try await fetchPresigned(url.url)
            if response.isSuccess {
                let bytes: [UInt8]
                do {
                    bytes = try await body?.collect(upTo: configuration.maxResponseBytes) ?? []
                } catch {
                    throw GenesysAPIError(
                        code: .invalidResponse, status: response.status,
                        detail: "transcript unreadable or too large", request: "GET \(url)")
                }
                return try Self.decode(
                    STATranscriptDocument.self,
                    RawResponse(status: response.status, headers: response.headerFields, body: bytes))
            }
            if refetched {
                throw GenesysAPIError(
                    code: .mediaExpired, status: response.status,
                    detail: "the transcript URL was refused even after fetching a fresh one",
                    request: "GET \(url)")
            }
            refetched = true
        }
    }
}
