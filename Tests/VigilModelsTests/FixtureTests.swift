import Foundation
import Testing

@testable import VigilModels

@Suite("Genesys fixtures")
struct FixtureTests {
    @Test func recording200() throws {
        let recording = try VigilJSON.decode(Recording.self, from: fixture("recording_200"))
        #expect(recording.fileState == .available)
        #expect(recording.mediaSubtype == .trunk)
        #expect(recording.media == .audio)
        #expect(recording.isMediaReady)
        #expect(recording.primaryMediaURI?.url.host == "prod-use1-recordings.s3.amazonaws.com")
        #expect(recording.mediaUris?["S"]?.waveformData == [0.1, 0.4])
        #expect(recording.actualTranscodeTimeMs == 812)
        #expect(recording.startTime == Date(timeIntervalSince1970: 1_777_629_600))
        #expect(recording.annotations == [])
        // 202-style body: same schema, nothing ready.
        let transcoding = try VigilJSON.decode(
            Recording.self,
            from: """
                {"id":"6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11","fileState":"UPLOADING","estimatedTranscodeTimeMs":4000}
                """)
        #expect(!transcoding.isMediaReady)
    }

    @Test func batchStatus() throws {
        let status = try VigilJSON.decode(BatchDownloadJobStatusResult.self, from: fixture("batch_status"))
        #expect(status.status == .completed)
        #expect(status.isComplete)
        #expect(status.results?.first?.contentType == "audio/wav")
        #expect(status.results?.first?.errorMsg == nil)
        #expect(status.results?.first?.resultUrl != nil)
    }

    @Test func eventBridgeCustomerEnd() throws {
        let envelope = try VigilJSON.decode(
            EventBridgeEnvelope<NotificationMessage<CustomerEndEvent>>.self,
            from: fixture("eventbridge_customer_end"))
        #expect(envelope.detailType == "v2.detail.events.conversation.{id}.customer.end")
        #expect(envelope.account == "123456789012")
        #expect(envelope.resources.isEmpty)
        #expect(envelope.time == Date(timeIntervalSince1970: 1_655_223_131))
        let message = envelope.detail
        #expect(message.topicName.hasSuffix(".customer.end"))
        #expect(message.metadata?.correlationId == "7272d362-23b2-4c14-9d40-dc7b7683153a")
        #expect(message.timestamp != nil)
        let body = message.eventBody
        #expect(body.eventTime == 1_649_237_504_949)
        #expect(body.conversationId.rawValue == "2f7bf00a-0fc2-4d6a-9b56-92238191433e")
        #expect(body.mediaType == .chat)
        #expect(body.direction == .inbound)
        #expect(body.interactingDurationMs == 60_000)
        // Round trip keeps every field.
        let data = try fixture("eventbridge_customer_end")
        #expect(try JSONValue(encoding: envelope) == JSONValue(parsing: data))
    }

    @Test func otherDetailEventsDecode() throws {
        let common = """
            "eventTime": 1649237504949, "conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e",
            "participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "mediaType": "VOICE", "direction": "OUTBOUND",
            "ani": "tel:+15551234567", "queueId": "9f3a4b5c-6d7e-4f8a-0b1c-2d3e4f5a6b7c"
            """
        let user = try VigilJSON.decode(
            UserEndEvent.self, from: "{\(common), \"userId\": \"u1\", \"heldDurationMs\": 5, \"disconnectType\": \"TRANSFER\"}")
        #expect(user.userId == "u1")
        #expect(user.heldDurationMs == 5)
        #expect(user.disconnectType == .transfer)
        #expect(user.ani?.value == "tel:+15551234567")
        let acw = try VigilJSON.decode(AfterCallWorkEvent.self, from: "{\(common), \"wrapupCode\": \"w1\", \"wrapupDurationMs\": 30000}")
        #expect(acw.wrapup.wrapupCode == "w1")
        #expect(acw.wrapup.queueId == "9f3a4b5c-6d7e-4f8a-0b1c-2d3e4f5a6b7c")
        let wrapup = try VigilJSON.decode(WrapupEvent.self, from: "{\(common), \"wrapupNotes\": \"called back\"}")
        #expect(wrapup.wrapup.wrapupNotes?.value == "called back")
        #expect(wrapup.mediaType == .voice)
        #expect(try VigilJSON.decode(WrapupEvent.self, from: VigilJSON.encode(wrapup)) == wrapup)
        let missing = decodeFailure(CustomerEndEvent.self, #"{"conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e"}"#)
        #expect(missing?.code == .missingField)
        #expect(missing?.path == "eventTime")
    }

    @Test func recordingNotification() throws {
        let message = try VigilJSON.decode(
            NotificationMessage<RecordingEventRecording>.self,
            from: fixture("recording_notification"))
        #expect(message.eventBody.fileState == .available)
        #expect(message.eventBody.mediaUris?.first?.channelId == "0")
        #expect(message.eventBody.actualTranscodeTimeMs == 900)
        #expect(message.timestamp == nil)
    }

    @Test func workitemCreate() throws {
        let create = try VigilJSON.decode(WorkitemCreate.self, from: fixture("workitem_create"))
        #expect(create.priority == 10)
        #expect(create.customFields?["reason_text"] == "PCI spoken")
        try create.validate(now: Date())
        #expect(try JSONValue(encoding: create) == JSONValue(parsing: fixture("workitem_create")))
    }

    @Test func workitemResponse() throws {
        let item = try VigilJSON.decode(
            Workitem.self,
            from: """
                { "id": "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "name": "Compliance review 2f7bf00a",
                  "type": { "id": "7d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a", "name": "Compliance" },
                  "queue": { "id": "9f3a4b5c-6d7e-4f8a-0b1c-2d3e4f5a6b7c" }, "status": { "id": "s1", "name": "Open" },
                  "priority": 10, "externalTag": "conv-2f7bf00a", "dateCreated": "2026-05-01T10:06:00.000Z",
                  "assignee": { "id": "u1", "name": "Jane Agent" } }
                """)
        #expect(item.typeId == "7d1e2f3a-4b5c-4d6e-8f9a-0b1c2d3e4f5a")
        #expect(item.queueId == "9f3a4b5c-6d7e-4f8a-0b1c-2d3e4f5a6b7c")
        #expect(item.statusId == "s1")
        #expect(item.dateCreated != nil)
        #expect(!String(decoding: try VigilJSON.encode(item), as: UTF8.self).contains("Jane"))
    }

    @Test func errorBody429() throws {
        let error = try VigilJSON.decode(ErrorBody.self, from: fixture("error_429"))
        #expect(error.status == 429)
        #expect(error.code == "too.many.requests")
        #expect(error.messageParams == [:])
        #expect(error.details == [])
        #expect(error.errors == [])
        let nested = try VigilJSON.decode(
            ErrorBody.self,
            from: """
                {"status":400,"code":"bad.request","details":[{"errorCode":"x","fieldName":"name"}],
                 "errors":[{"code":"invalid.value"}],"limit":{"key":"k","namespace":"n","value":300},
                 "messageParams":{"limit":300,"window":"60"}}
                """)
        #expect(nested.errors?.first?.code == "invalid.value")
        #expect(nested.limit?.value == 300)
        #expect(nested.messageParams?["limit"] == 300)
    }

    @Test func oauthToken() throws {
        let token = try VigilJSON.decode(OAuthTokenResponse.self, from: fixture("oauth_token"))
        #expect(token.isBearer)
        #expect(token.expiresIn == 86_400)
        #expect(token.accessToken.value == "dGhpcy1pcy1hLWZha2UtdG9rZW4tZm9yLXRlc3Rz")
        let error = try VigilJSON.decode(
            OAuthErrorResponse.self,
            from: """
                {"error":"invalid_client","description":"client not found","error_description":"client not found"}
                """)
        #expect(error.error == "invalid_client")
        #expect(error.errorDescription == "client not found")
    }

    @Test func staTranscript() throws {
        let document = try VigilJSON.decode(STATranscriptDocument.self, from: fixture("sta_transcript"))
        #expect(document.duration?.milliseconds == 312_000)
        #expect(document.participants?.count == 2)
        #expect(document.participants?.first?.participantPurpose == .external)
        let phrase = try #require(document.allPhrases.first)
        #expect(phrase.text == "my card number is")
        #expect(phrase.offset?.milliseconds == 1200)
        #expect(phrase.confidence == 0.93)
        #expect(phrase.words?.first?.duration?.milliseconds == 200)
        #expect(document.transcripts.first?.analytics?["sentiment"]?[0]?["sentiment"] == -1)
    }

    /// Found by the decoder differential: a duration of 1e300 ms trapped converting to `Int64`.
    @Test func hugeDurationsAreErrorsNotTraps() throws {
        let direct = decodeFailure(STADuration.self, "1e300")
        #expect(direct?.code == .invalidValue)
        let nested = decodeFailure(STADuration.self, #"{"milliseconds": -1.7976931348623157e308}"#)
        #expect(nested?.path == "milliseconds")
        #expect(try VigilJSON.decode(STADuration.self, from: "9007199254740991").milliseconds == 9_007_199_254_740_991)
        let document = try VigilJSON.decode(
            STATranscriptDocument.self,
            from: """
                {"duration": 1e300, "transcripts": [{"phrases": [{"text": "hi", "offset": {"milliseconds": 1e300}}]}]}
                """)
        #expect(document.duration == nil)
        #expect(document.allPhrases.first?.offset == nil)
    }

    @Test func staTranscriptIsLenientOnUnverifiedShapes() throws {
        let document = try VigilJSON.decode(
            STATranscriptDocument.self,
            from: """
                { "conversationStartTime": "2026-05-01T10:00:00Z", "duration": 312000,
                  "participants": "unexpected",
                  "transcripts": [ { "phrases": [ { "text": "hello", "offset": "PT1.2S", "duration": 800,
                                                     "participantPurpose": "bot", "confidence": "high" } ] } ] }
                """)
        #expect(document.conversationStartTime == 1_777_629_600_000)
        #expect(document.duration?.milliseconds == 312_000)
        #expect(document.participants == nil)
        let phrase = try #require(document.allPhrases.first)
        #expect(phrase.offset == nil)
        #expect(phrase.duration?.milliseconds == 800)
        #expect(phrase.participantPurpose == .other("bot"))
        #expect(phrase.confidence == nil)
        // …but the text it exists for is required.
        let failure = decodeFailure(STATranscriptDocument.self, #"{"transcripts":[{"phrases":[{"confidence":1}]}]}"#)
        #expect(failure?.code == .missingField)
        #expect(failure?.path == "transcripts[0].phrases[0].text")
    }

    @Test func dataTableRow() throws {
        let row = try VigilJSON.decode(DataTableRow.self, from: #"{"key":"27272","Field1":"XYZZY","Field2":false}"#)
        #expect(row.key == "27272")
        #expect(row["Field2"] == false)
        #expect(try JSONValue(encoding: row) == ["key": "27272", "Field1": "XYZZY", "Field2": false])
        var built = DataTableRow(key: "rid-1", columns: ["violationType": "PCI_MID_CAPTURE"])
        built["key"] = "ignored"
        #expect(built.key == "rid-1")
    }

    @Test func annotationsAndUpdates() throws {
        let annotation = try VigilJSON.decode(
            Annotation.self,
            from: """
                {"id":"a1","name":"Secure pause","type":"pause","location":1000,"durationMs":2000,"absoluteLocation":1000,
                 "absoluteDurationMs":2000,"recordingLocation":900,"recordingDurationMs":2000,"realtimeLocation":1000,
                 "reason":"SecurePause","user":{"id":"u1","name":"Jane"},"annotations":[]}
                """)
        #expect(annotation.reason == .securePause)
        #expect(annotation.user?.id == "u1")
        let flag = try Annotation.flag(
            name: "PCI_MID_CAPTURE", type: "compliance", locationMs: 124_500,
            description: "Possible card number")
        #expect(flag.location == 124_500)
        #expect(
            try JSONValue(encoding: ConversationTagsUpdate(externalTag: "compliance-flag"))
                == ["externalTag": "compliance-flag"])
        #expect(
            try JSONValue(encoding: ParticipantAttributes(attributes: ["complianceFlag": "true"]))
                == ["attributes": ["complianceFlag": "true"]])
        let submission = try BatchDownloadJobSubmission([BatchDownloadRequest(conversationId: .random())])
        #expect(try VigilJSON.decode(BatchDownloadJobSubmission.self, from: VigilJSON.encode(submission)) == submission)
    }
}
