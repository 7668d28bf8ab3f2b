import Foundation
import Testing
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilTesting

@Suite("Remediation operations and input validation")
struct RemediationTests {
    @Test func annotationTagAttributesSecurePause() async throws {
        let h = Harness()
        let pid = GenesysID.random()
        let (cid, rid) = await h.cloud.addRecording()
        let created = try await h.client.createAnnotation(
            try Annotation.flag(name: "PCI", type: "Bookmark", locationMs: 12_000, description: "spoken card number"),
            conversationId: cid, recordingId: rid)
        #expect(created.id != nil)
        var changed = created
        changed.description = "spoken card number (confirmed)"
        _ = try await h.client.updateAnnotation(changed, annotationId: created.id!, conversationId: cid, recordingId: rid)
        #expect(await h.cloud.annotations(recordingId: rid).map(\.description) == ["spoken card number (confirmed)"])

        try await h.client.setExternalTag("compliance-flag", conversationId: cid)
        try await h.client.patchParticipantAttributes(["complianceFlag": "true"], conversationId: cid, participantId: pid)
        try await h.client.securePause(conversationId: cid)
        #expect(await h.cloud.externalTag(conversationId: cid) == "compliance-flag")
        #expect(await h.cloud.attributes(conversationId: cid, participantId: pid) == ["complianceFlag": "true"])
        #expect(await h.cloud.recordingState(conversationId: cid) == .paused)
        // The conversation lists who took part; a voice participant's attributes go through /calls/.
        let conversation = try await h.client.conversation(cid)
        #expect(conversation.id == cid.rawValue && conversation.externalTag == "compliance-flag")
        let customer = try #require(conversation.participants.first { $0.purpose == "customer" })
        #expect(customer.mediaSegment == "calls")
        try await h.client.patchParticipantAttributes(
            ["complianceFlag": "true"], conversationId: cid,
            participantId: GenesysID(customer.id)!, media: customer.mediaSegment)
        #expect(await h.cloud.attributesEndpoint(conversationId: cid, participantId: GenesysID(customer.id)!) == "calls")
        try await h.client.setDeletionProtection(true, conversationIds: [cid])
        #expect(await h.cloud.isDeletionProtected(conversationId: cid))
        try await h.client.setDeletionProtection(false, conversationIds: [cid])
        #expect(await !h.cloud.isDeletionProtected(conversationId: cid))
        try await h.client.resumeRecording(conversationId: cid)
        #expect(await h.cloud.recordingState(conversationId: cid) == .active)
    }

    @Test func annotationGuardReturnsTheExistingAnnotation() async throws {
        let h = Harness()
        let (cid, rid) = await h.cloud.addRecording()
        await h.cloud.failNext(1, status: 503, pathContains: "/annotations", afterServing: true)
        let client = h.client
        let annotation = try Annotation.flag(name: "PCI", type: "Bookmark", locationMs: 5_000)
        _ = try await h.drive {
            try await client.createAnnotation(annotation, conversationId: cid, recordingId: rid, guard: .sameNameAndLocation)
        }
        #expect(await h.cloud.annotations(recordingId: rid).count == 1)
    }

    @Test func workitemsCreateAndQuery() async throws {
        let h = Harness()
        let created = try await h.client.createWorkitem(
            WorkitemCreate(
                name: "Compliance review 2f7bf00a", typeId: "type-1", queueId: "queue-1",
                externalTag: "conv-2f7bf00a"))
        _ = try await h.client.createWorkitem(WorkitemCreate(name: "Other", typeId: "type-2"))
        let found = try await h.client.queryWorkitems(WorkitemQuery(filters: [.equals("typeId", "type-1")]))
        #expect(found.entities.map(\.id) == [created.id])
        #expect(try await h.client.workitem(id: created.id).externalTag == "conv-2f7bf00a")
    }

    @Test func transcriptURLAndDownload() async throws {
        let h = Harness()
        let (cid, _) = await h.cloud.addRecording(sessionId: "c03d300e-1111-4222-8333-444455556666")
        let document = STATranscriptDocument(
            conversationId: cid.rawValue, communicationId: "c03d300e-1111-4222-8333-444455556666",
            transcripts: [])
        await h.cloud.addTranscript(document, conversationId: cid, communicationId: "c03d300e-1111-4222-8333-444455556666")
        let url = try await h.client.transcriptURL(conversationId: cid, communicationId: "c03d300e-1111-4222-8333-444455556666")
        #expect(!String(describing: url).contains("X-Amz-Signature"))
        let downloaded = try await h.client.downloadTranscript(
            conversationId: cid,
            communicationId: "c03d300e-1111-4222-8333-444455556666")
        #expect(downloaded.conversationId == cid.rawValue)
    }

    @Test func badInputFailsBeforeAnyRequest() async throws {
        let h = Harness()
        let cid = GenesysID.random(), rid = GenesysID.random()
        let client = h.client
        let long = String(repeating: "x", count: 501)
        let attempts: [(String, @Sendable () async throws -> Void)] = [
            (
                "annotation.description",
                {
                    _ = try await client.createAnnotation(
                        Annotation(name: "PCI", location: 0, description: long),
                        conversationId: cid, recordingId: rid)
                }
            ),
            (
                "annotation.location",
                {
                    _ = try await client.createAnnotation(
                        Annotation(name: "PCI", location: -1),
                        conversationId: cid, recordingId: rid)
                }
            ),
            (
                "annotation.name",
                {
                    _ = try await client.createAnnotation(
                        Annotation(name: " ", location: 0),
                        conversationId: cid, recordingId: rid)
                }
            ),
            (
                "annotationId",
                {
                    _ = try await client.updateAnnotation(
                        Annotation(name: "a"), annotationId: "../x",
                        conversationId: cid, recordingId: rid)
                }
            ),
            ("externalTag", { try await client.setExternalTag("  ", conversationId: cid) }),
            ("attributes", { try await client.patchParticipantAttributes([:], conversationId: cid, participantId: rid) }),
            ("attributes", { try await client.patchParticipantAttributes(["": "x"], conversationId: cid, participantId: rid) }),
            ("media", { try await client.patchParticipantAttributes(["a": "b"], conversationId: cid, participantId: rid, media: "../x") }),
            ("conversationIds", { try await client.setDeletionProtection(true, conversationIds: []) }),
            ("workitem.name", { _ = try await client.createWorkitem(WorkitemCreate(name: "ab", typeId: "t")) }),
            ("workitem.typeId", { _ = try await client.createWorkitem(WorkitemCreate(name: "abc", typeId: "")) }),
            ("guard.externalTag", { _ = try await client.createWorkitem(WorkitemCreate(name: "abc", typeId: "t"), guard: .externalTag("")) }),
            ("query.filters", { _ = try await client.queryWorkitems(WorkitemQuery(filters: [.equals("externalTag", "x")])) }),
            ("workitemId", { _ = try await client.workitem(id: "") }),
            ("datatableId", { _ = try await client.addDataTableRow(DataTableRow(key: "k"), datatableId: "a/b") }),
            ("row.key", { _ = try await client.addDataTableRow(DataTableRow(key: ""), datatableId: "t") }),
            ("communicationId", { _ = try await client.transcriptURL(conversationId: cid, communicationId: "") }),
            ("jobId", { _ = try await client.batchDownloadStatus(jobId: "job?x=1") }),
            ("requests", { _ = try await client.submitBatchDownload([]) }),
            ("requests", { _ = try await client.submitBatchDownload(Array(repeating: BatchDownloadRequest(conversationId: cid), count: 101)) }),
            ("maxWait", { _ = try await client.listRecordings(conversationId: cid, maxWait: .seconds(-1)) }),
            ("format", { _ = try await client.recording(conversationId: cid, recordingId: rid, format: RecordingFormat(rawValue: "wav&x=1")) }),
            ("recordingState", { try await client.setRecordingState(RecordingState(rawValue: "STOPPED"), conversationId: cid) }),
            ("recording.mediaUris", { _ = try await client.downloadMedia(of: Recording(id: rid, conversationId: cid)) })
        ]
        for (field, attempt) in attempts {
            let error = await apiError { try await attempt() }
            #expect(error?.code == .invalidInput, "\(field)")
            #expect(error?.field?.hasPrefix(field) == true, "\(field): \(String(describing: error?.field))")
            #expect(error?.isRetryable == false)
        }
        #expect(await h.requests().isEmpty)
    }
}

@Suite("SimulatedGenesysCloud refuses what a real org refuses")
struct SimulatorRefusalTests {
    func token(_ cloud: SimulatedGenesysCloud) async throws -> String {
        let basic = Base64.encode(Array("\(cloud.configuration.clientId):\(cloud.configuration.clientSecret)".utf8))
        let (_, body) = try await cloud.send(
            HTTPRequest(
                method: .post, url: URL(string: "https://login.sim.vigil.test/oauth/token")!,
                headerFields: ["Authorization": "Basic \(basic)", "Content-Type": "application/x-www-form-urlencoded"]),
            body: HTTPBody("grant_type=client_credentials"))
        return try VigilJSON.decode(OAuthTokenResponse.self, from: try await body!.collect(upTo: 1 << 16)).accessToken.value
    }

    func call(
        _ cloud: SimulatedGenesysCloud, _ method: HTTPMethod, _ path: String, token: String?,
        contentType: String? = "application/json", body: String? = nil
    ) async throws -> (Int, ErrorBody?) {
        var fields = HTTPFields()
        if let token { fields["Authorization"] = "Bearer \(token)" }
        if let contentType { fields["Content-Type"] = contentType }
        let (response, responseBody) = try await cloud.send(
            HTTPRequest(method: method, url: URL(string: "https://api.sim.vigil.test\(path)")!, headerFields: fields),
            body: body.map { HTTPBody($0) })
        let bytes = try await responseBody?.collect(upTo: 1 << 16) ?? []
        return (response.status, response.isSuccess ? nil : try VigilJSON.decode(ErrorBody.self, from: bytes))
    }

    @Test func refusals() async throws {
        let cloud = SimulatedGenesysCloud(clock: TestClock())
        let (cid, rid) = await cloud.addRecording()
        let token = try await token(cloud)
        let annotations = "/api/v2/conversations/\(cid)/recordings/\(rid)/annotations"

        let (missing, missingBody) = try await call(cloud, .get, "/api/v2/conversations/\(cid)/recordingmetadata", token: nil)
        #expect(missing == 401 && missingBody?.code == "authentication.required" && missingBody?.contextId != nil)
        let (bad, _) = try await call(cloud, .get, "/api/v2/conversations/\(cid)/recordingmetadata", token: "forged")
        #expect(bad == 401)
        let (type, typeBody) = try await call(cloud, .post, annotations, token: token, contentType: "text/plain", body: "{}")
        #expect(type == 415 && typeBody?.status == 415)
        let (malformed, malformedBody) = try await call(cloud, .post, annotations, token: token, body: "{not json")
        #expect(malformed == 400 && malformedBody?.code == "bad.request")
        let long = String(repeating: "d", count: 501)
        let (tooLong, tooLongBody) = try await call(
            cloud, .post, annotations, token: token,
            body: #"{"name":"x","description":"\#(long)"}"#)
        #expect(tooLong == 400 && tooLongBody?.code == "invalid.value" && tooLongBody?.details?.first?.fieldName == "description")
        let (shortName, shortBody) = try await call(
            cloud, .post, "/api/v2/taskmanagement/workitems", token: token,
            body: #"{"name":"ab","typeId":"t"}"#)
        #expect(shortName == 400 && shortBody?.code == "invalid.value" && shortBody?.details?.first?.fieldName == "name")
        #expect(await cloud.workitems.isEmpty)
        let (wrongSecret, _) = try await cloud.send(
            HTTPRequest(
                method: .post, url: URL(string: "https://login.sim.vigil.test/oauth/token")!,
                headerFields: [
                    "Authorization": "Basic \(Base64.encode(Array("a:b".utf8)))",
                    "Content-Type": "application/x-www-form-urlencoded"
                ]),
            body: HTTPBody("grant_type=client_credentials"))
        #expect(wrongSecret.status == 401)
        // The log keeps no header values.
        #expect(await cloud.requests.allSatisfy { !$0.description.contains(token) })
    }
}
