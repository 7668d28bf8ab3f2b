import Foundation
import VigilCore
import VigilModels
import VigilPlatformClient

extension SimulatedGenesysCloud {
    static let formats: Set<String> = ["WAV", "WEBM", "WAV_ULAW", "OGG_VORBIS", "OGG_OPUS", "MP3", "NONE"]

    func serveAPI(_ request: HTTPRequest, body: [UInt8]) -> Reply {
        // Bearer token.
        guard let authorization = request.headerFields["Authorization"] else {
            return errorReply(401, "authentication.required", "No authentication bearer token specified in authorization header.")
        }
        guard authorization.hasPrefix("Bearer "), var token = tokens[String(authorization.dropFirst(7))] else {
            return errorReply(401, "bad.credentials", "Invalid login credentials.")
        }
        let key = String(authorization.dropFirst(7))
        guard elapsed() < token.expiresAt else {
            return errorReply(401, "bad.credentials", "Invalid login credentials.")
        }
        token.uses += 1
        if let limit = configuration.faults.tokenExpiresAfterRequests, token.uses > limit {
            tokens[key] = TokenState(expiresAt: .zero, uses: token.uses)
            return errorReply(401, "bad.credentials", "Invalid login credentials.")
        }
        tokens[key] = token
        // Content type of bodies.
        let method = request.method
        if method == .post || method == .put || method == .patch {
            guard request.headerFields["Content-Type"]?.lowercased().hasPrefix("application/json") == true else {
                return errorReply(415, "unsupported.media.type", "Content-Type must be application/json")
            }
        }
        let parts = request.url.path.split(separator: "/").map(String.init)
        guard parts.count >= 3, parts[0] == "api", parts[1] == "v2" else {
            return errorReply(404, "not.found", "Resource not found")
        }
        let query = Dictionary(
            (URLComponents(url: request.url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { first, _ in first })
        let rest = Array(parts.dropFirst(2))
        switch (method, rest.first ?? "") {
        case (_, "conversations"): return serveConversations(method, Array(rest.dropFirst()), query: query, body: body)
        case (_, "taskmanagement"): return serveWorkitems(method, Array(rest.dropFirst()), body: body)
        case (_, "flows"): return serveDataTables(method, Array(rest.dropFirst()), body: body)
        case (_, "recording"): return serveBatch(method, Array(rest.dropFirst()), body: body)
        case (_, "processautomation") where rest.count >= 2 && rest[1] == "triggers":
            return serveTriggers(method, Array(rest.dropFirst(2)), body: body)
        case (.put, "recordings") where rest.count == 2 && rest[1] == "deletionprotection":
            return serveDeletionProtection(query: query, body: body)
        case (_, "speechandtextanalytics"): return serveTranscripts(method, Array(rest.dropFirst()))
        default: return errorReply(404, "not.found", "Resource not found")
        }
    }

    private func notFound() -> Reply { errorReply(404, "not.found", "The requested entity was not found") }

    private func malformed(_ error: ModelDecodingError) -> Reply {
        if error.code == .malformedJSON {
            return errorReply(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")
        }
        return errorReply(
            400, "invalid.value", "Value [\(error.path)] is invalid: \(error.reason)",
            field: error.path.isEmpty ? nil : error.path)
    }

    // MARK: /api/v2/conversations/…

    private func serveConversations(_ method: HTTPMethod, _ p: [String], query: [String: String], body: [UInt8]) -> Reply {
        // /conversations/{media}/{cid}/participants/{pid}/attributes: the media type's own endpoint.
        var p = p
        var media: String?
        if let first = p.first, GenesysCloudClient.participantMediaSegments.contains(first) {
            media = first
            p.removeFirst()
            guard p.count == 4, p[1] == "participants", p[3] == "attributes", method == .patch else { return notFound() }
        }
        guard let cidString = p.first, let cid = GenesysID(cidString) else { return notFound() }
        let tail = Array(p.dropFirst())
        switch (method, tail.count, tail.first ?? "") {
        case (.get, 0, _):
            guard let participants = conversationParticipants[cid] else { return notFound() }
            return .json(200, encode(Conversation(id: cid.rawValue, externalTag: externalTags[cid], participants: participants)))
        case (.get, 1, "recordings"):
            return listRecordings(cid, query: query)
        case (.get, 2, "recordings"):
            guard let rid = GenesysID(tail[1]) else { return notFound() }
            return getRecording(cid, rid, query: query)
        case (.get, 1, "recordingmetadata"):
            return .json(200, encode(recordingsOf(cid).map { metadata($0) }))
        case (.get, 2, "recordingmetadata"):
            guard let rid = GenesysID(tail[1]), let stored = recordings[rid], stored.conversationId == cid else { return notFound() }
            return .json(200, encode(metadata(stored)))
        case (_, 3, "recordings") where tail[2] == "annotations", (_, 4, "recordings") where tail[2] == "annotations":
            guard let rid = GenesysID(tail[1]), let stored = recordings[rid], stored.conversationId == cid else { return notFound() }
            return serveAnnotations(method, rid, annotationId: tail.count == 4 ? tail[3] : nil, body: body)
        case (.put, 1, "tags"):
            let update: ConversationTagsUpdate
            do { update = try VigilJSON.decode(ConversationTagsUpdate.self, from: body) } catch { return malformed(error) }
            externalTags[cid] = update.externalTag
            return .empty(202)
        case (.patch, 3, "participants") where tail[2] == "attributes":
            guard let pid = GenesysID(tail[1]) else { return notFound() }
            let update: ParticipantAttributes
            do { update = try VigilJSON.decode(ParticipantAttributes.self, from: body) } catch { return malformed(error) }
            participantAttributes["\(cid.rawValue)/\(pid.rawValue)", default: [:]].merge(update.attributes) { $1 }
            participantAttributeEndpoints["\(cid.rawValue)/\(pid.rawValue)"] = media ?? "conversations"
            return .empty(202)
        case (.patch, 1, "recordingstate"):
            let update: SetRecordingState
            do { update = try VigilJSON.decode(SetRecordingState.self, from: body) } catch { return malformed(error) }
            guard [RecordingState.active, .paused, .none].contains(update.recordingState) else {
                return errorReply(400, "invalid.value", "recordingState must be ACTIVE, PAUSED or NONE", field: "recordingState")
            }
            recordingStates[cid] = update.recordingState
            return .empty(202)
        default:
            return notFound()
        }
    }

    // MARK: /api/v2/processautomation/triggers

    private func serveTriggers(_ method: HTTPMethod, _ p: [String], body: [UInt8]) -> Reply {
        switch (method, p.count) {
        case (.get, 0):
            return .json(200, encode(ProcessAutomationTriggerList(entities: triggerOrder.compactMap { triggers[$0] })))
        case (.post, 0):
            var trigger: ProcessAutomationTrigger
            do { trigger = try VigilJSON.decode(ProcessAutomationTrigger.self, from: body) } catch { return malformed(error) }
            let id = nextID().rawValue
            trigger.id = id
            trigger.version = 1
            triggers[id] = trigger
            triggerOrder.append(id)
            return .json(200, encode(trigger))
        case (.put, 1):
            guard var stored = triggers[p[0]] else { return notFound() }
            var update: ProcessAutomationTrigger
            do { update = try VigilJSON.decode(ProcessAutomationTrigger.self, from: body) } catch { return malformed(error) }
            guard update.topicName == stored.topicName else {
                return errorReply(400, "invalid.value", "topicName cannot be changed", field: "topicName")
            }
            guard update.version == stored.version else {
                return errorReply(409, "conflict", "version \(update.version.map(String.init) ?? "nil") is not the current one")
            }
            update.id = stored.id
            update.version = (stored.version ?? 1) + 1
            stored = update
            triggers[p[0]] = stored
            return .json(200, encode(stored))
        default:
            return notFound()
        }
    }

    // MARK: /api/v2/recordings/deletionprotection

    private func serveDeletionProtection(query: [String: String], body: [UInt8]) -> Reply {
        guard let protect = query["protect"].flatMap(Bool.init) else {
            return errorReply(400, "invalid.value", "protect must be true or false", field: "protect")
        }
        let request: ConversationDeletionProtectionQuery
        do { request = try VigilJSON.decode(ConversationDeletionProtectionQuery.self, from: body) } catch { return malformed(error) }
        let ids = request.conversationIds.compactMap(GenesysID.init)
        guard !ids.isEmpty, ids.count == request.conversationIds.count,
            ids.count <= ConversationDeletionProtectionQuery.maximumConversations
        else {
            return errorReply(400, "invalid.value", "conversationIds must hold 1 to 100 conversation ids", field: "conversationIds")
        }
        for id in ids {
            if protect { deletionProtected.insert(id) } else { deletionProtected.remove(id) }
        }
        return .empty(202)
    }

    private func recordingsOf(_ cid: GenesysID) -> [StoredRecording] {
        recordingOrder.compactMap { recordings[$0] }.filter { $0.conversationId == cid }
    }

    private func checkFormat(_ query: [String: String]) -> Reply? {
        if let format = query["formatId"], !Self.formats.contains(format) {
            return errorReply(400, "invalid.value", "formatId is invalid", field: "formatId")
        }
        return nil
    }

    private func listRecordings(_ cid: GenesysID, query: [String: String]) -> Reply {
        if let bad = checkFormat(query) { return bad }
        if let wait = query["maxWaitMs"], Int(wait).map({ $0 < 0 }) ?? true {
            return errorReply(400, "invalid.value", "maxWaitMs is invalid", field: "maxWaitMs")
        }
        let stored = recordingsOf(cid)
        let transcoding = stored.contains { $0.transcodingPollsLeft > 0 && isPlayable($0.fileState) }
        if transcoding {
            for item in stored where item.transcodingPollsLeft > 0 { recordings[item.recordingId]?.transcodingPollsLeft -= 1 }
            return .json(202, encode(stored.map { partial($0) }))
        }
        return .json(200, encode(stored.map { recordingBody($0) }))
    }

    private func getRecording(_ cid: GenesysID, _ rid: GenesysID, query: [String: String]) -> Reply {
        if let bad = checkFormat(query) { return bad }
        guard let stored = recordings[rid], stored.conversationId == cid else { return notFound() }
        if stored.transcodingPollsLeft > 0, isPlayable(stored.fileState) {
            recordings[rid]?.transcodingPollsLeft -= 1
            if configuration.faults.emptyTranscodingBody { return Reply(status: 202, headers: ["Content-Length": "0"]) }
            return .json(202, encode(partial(stored)))
        }
        return .json(200, encode(recordingBody(stored)))
    }

    private func isPlayable(_ state: FileState) -> Bool { state == .available || state == .restored }

    private func partial(_ stored: StoredRecording) -> Recording {
        var recording = Recording(
            id: stored.recordingId, conversationId: stored.conversationId, media: .audio,
            mediaSubtype: .trunk, fileState: stored.fileState, sessionId: stored.sessionId)
        recording.estimatedTranscodeTimeMs = configuration.faults.transcodeEstimateMs
        recording.selfUri = "/api/v2/conversations/\(stored.conversationId)/recordings/\(stored.recordingId)"
        return recording
    }

    private func recordingBody(_ stored: StoredRecording) -> Recording {
        var recording = partial(stored)
        recording.estimatedTranscodeTimeMs = 0
        recording.actualTranscodeTimeMs = 812
        recording.annotations = annotationsByRecording[stored.recordingId] ?? []
        if isPlayable(stored.fileState) {
            let url = issueURL(.media(stored.recordingId), kind: "media")
            recording.mediaUris = ["S": MediaResult(mediaUri: PresignedURL(string: url), waveformData: [0.1, 0.4])]
            recording.outputSizeInBytes = stored.media.size
        }
        return recording
    }

    private func metadata(_ stored: StoredRecording) -> RecordingMetadata {
        var metadata = RecordingMetadata(
            id: stored.recordingId, conversationId: stored.conversationId,
            fileState: stored.fileState)
        metadata.sessionId = stored.sessionId
        metadata.media = .audio
        metadata.annotations = annotationsByRecording[stored.recordingId] ?? []
        return metadata
    }

    private func serveAnnotations(_ method: HTTPMethod, _ rid: GenesysID, annotationId: String?, body: [UInt8]) -> Reply {
        switch (method, annotationId) {
        case (.get, nil):
            return .json(200, encode(annotationsByRecording[rid] ?? []))
        case (.get, let id?):
            guard let found = annotationsByRecording[rid]?.first(where: { $0.id == id }) else { return notFound() }
            return .json(200, encode(found))
        case (.post, nil), (.put, _):
            var annotation: Annotation
            do { annotation = try VigilJSON.decode(Annotation.self, from: body) } catch { return malformed(error) }
            if let description = annotation.description, description.utf16.count > Annotation.maxDescriptionLength {
                return errorReply(400, "invalid.value", "description must be at most 500 characters", field: "description")
            }
            var list = annotationsByRecording[rid] ?? []
            let targetId = annotationId ?? annotation.id
            if let targetId, let index = list.firstIndex(where: { $0.id == targetId }) {
                annotation.id = targetId
                list[index] = annotation
            } else if annotationId != nil {
                return notFound()
            } else {
                annotation.id = nextID().rawValue
                list.append(annotation)
            }
            annotationsByRecording[rid] = list
            return .json(200, encode(annotation))
        case (.delete, let id?):
            guard let index = annotationsByRecording[rid]?.firstIndex(where: { $0.id == id }) else { return notFound() }
            annotationsByRecording[rid]?.remove(at: index)
            return .empty(204)
        default:
            return notFound()
        }
    }

    // MARK: Work items

    private func serveWorkitems(_ method: HTTPMethod, _ p: [String], body: [UInt8]) -> Reply {
        guard p.first == "workitems" else { return notFound() }
        switch (method, p.count) {
        case (.post, 1):
            let create: WorkitemCreate
            do { create = try VigilJSON.decode(WorkitemCreate.self, from: body) } catch { return malformed(error) }
            var item = Workitem(
                id: nextID().rawValue, name: create.name, type: EntityReference(id: create.typeId),
                priority: create.priority, queue: create.queueId.map { EntityReference(id: $0) },
                externalTag: create.externalTag, dateCreated: Date(timeIntervalSince1970: 1_780_000_000))
            item.description = create.description
            item.workbin = create.workbinId.map { EntityReference(id: $0) }
            item.customFields = create.customFields
            item.statusCategory = "Open"
            item.selfUri = "/api/v2/taskmanagement/workitems/\(item.id)"
            workitemList.append(item)
            return .json(200, encode(item))
        case (.post, 2) where p[1] == "query":
            let query: WorkitemQuery
            do { query = try VigilJSON.decode(WorkitemQuery.self, from: body) } catch { return malformed(error) }
            guard (1...3).contains(query.filters.count),
                query.filters.contains(where: { $0.operator == "EQ" && WorkitemFilter.anchorNames.contains($0.name) })
            else {
                return errorReply(
                    400, "invalid.value",
                    "Query requires at least one EQ filter on workbinId, assigneeId, queueId or typeId and at most three filters",
                    field: "filters")
            }
            var matches = workitemList.filter { item in
                query.filters.allSatisfy { filter in
                    let value: String? =
                        switch filter.name {
                        case "typeId": item.typeId
                        case "workbinId": item.workbinId
                        case "queueId": item.queueId
                        case "assigneeId": item.assignee?.id
                        case "externalTag": item.externalTag
                        case "name": item.name
                        case "id": item.id
                        default: nil
                        }
                    switch filter.operator {
                    case "EQ", "IN": return value.map { filter.values.contains($0) } ?? false
                    case "NEQ": return value.map { !filter.values.contains($0) } ?? true
                    default: return false
                    }
                }
            }
            let total = matches.count
            if let size = query.pageSize { matches = Array(matches.prefix(size)) }
            return .json(200, encode(WorkitemQueryResult(entities: matches, after: nil, count: total)))
        case (.get, 2):
            guard let item = workitemList.first(where: { $0.id == p[1] }) else { return notFound() }
            return .json(200, encode(item))
        default:
            return notFound()
        }
    }

    // MARK: Data tables

    private func serveDataTables(_ method: HTTPMethod, _ p: [String], body: [UInt8]) -> Reply {
        guard p.count >= 3, p[0] == "datatables", p[2] == "rows" else { return notFound() }
        let table = p[1]
        switch (method, p.count) {
        case (.post, 3):
            let row: DataTableRow
            do { row = try VigilJSON.decode(DataTableRow.self, from: body) } catch { return malformed(error) }
            if dataTables[table]?[row.key] != nil {
                return errorReply(409, "conflict", "A row with this key already exists")
            }
            dataTables[table, default: [:]][row.key] = row
            return .json(200, encode(row))
        case (.get, 4):
            guard let row = dataTables[table]?[p[3]] else { return notFound() }
            return .json(200, encode(row))
        default:
            return notFound()
        }
    }

    // MARK: Batch download

    private func serveBatch(_ method: HTTPMethod, _ p: [String], body: [UInt8]) -> Reply {
        guard p.first == "batchrequests" else { return notFound() }
        switch (method, p.count) {
        case (.post, 1):
            let submission: BatchDownloadJobSubmission
            do { submission = try VigilJSON.decode(BatchDownloadJobSubmission.self, from: body) } catch { return malformed(error) }
            let id = nextID().rawValue
            batchJobs[id] = BatchJob(
                requests: submission.batchDownloadRequestList,
                pollsLeft: configuration.batchPollsUntilComplete)
            return .json(200, encode(BatchDownloadJobSubmissionResult(id: id, selfUri: "/api/v2/recording/batchrequests/\(id)")))
        case (.get, 2):
            guard var job = batchJobs[p[1]] else { return notFound() }
            let expected = job.requests.reduce(0) { count, request in
                count + (request.recordingId != nil ? 1 : recordingsOf(request.conversationId).count)
            }
            if job.pollsLeft > 0 {
                job.pollsLeft -= 1
                batchJobs[p[1]] = job
                return .json(
                    200,
                    encode(
                        BatchDownloadJobStatusResult(
                            id: p[1], jobId: p[1], expectedResultCount: expected, resultCount: 0, errorCount: 0,
                            status: .inProgress, results: [])))
            }
            var results: [BatchDownloadJobResult] = []
            for request in job.requests {
                let targets =
                    request.recordingId.map { rid in recordings[rid].map { [$0] } ?? [] }
                    ?? recordingsOf(request.conversationId)
                if targets.isEmpty {
                    results.append(
                        BatchDownloadJobResult(
                            conversationId: request.conversationId,
                            recordingId: request.recordingId, errorMsg: "Recording not found"))
                }
                for stored in targets {
                    let url = isPlayable(stored.fileState) ? PresignedURL(string: issueURL(.media(stored.recordingId), kind: "media")) : nil
                    results.append(
                        BatchDownloadJobResult(
                            conversationId: stored.conversationId, recordingId: stored.recordingId, resultUrl: url,
                            contentType: url == nil ? nil : stored.contentType,
                            errorMsg: url == nil ? "Recording is not available" : nil))
                }
            }
            let errors = results.filter { $0.errorMsg != nil }.count
            return .json(
                200,
                encode(
                    BatchDownloadJobStatusResult(
                        id: p[1], jobId: p[1], expectedResultCount: results.count, resultCount: results.count,
                        errorCount: errors, status: .completed, results: results)))
        default:
            return notFound()
        }
    }

    // MARK: Transcripts

    private func serveTranscripts(_ method: HTTPMethod, _ p: [String]) -> Reply {
        // conversations/{cid}/communications/{commId}/transcripturl
        guard method == .get, p.count == 5, p[0] == "conversations", p[2] == "communications", p[4] == "transcripturl",
            let cid = GenesysID(p[1])
        else { return notFound() }
        let key = "\(cid.rawValue)/\(p[3])"
        guard transcripts[key] != nil else { return notFound() }
        let url = issueURL(.transcript(key), kind: "transcripts")
        return .json(200, encode(["url": url]))
    }

    func encode<T: Encodable>(_ value: T) -> [UInt8] {
        (try? VigilJSON.encodeBytes(value)) ?? Array("{}".utf8)
    }
}
