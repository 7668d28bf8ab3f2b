import Foundation
import Testing

@testable import VigilModels

/// Every validation rule has a failing case asserting the error `code` and `path`.
@Suite("Strict decoding and validation")
struct ValidationTests {
    typealias Code = ModelDecodingError.Code

    /// The seed verdict with one field replaced (or removed when `value` is nil).
    func verdict(_ key: String, _ value: JSONValue?) throws -> String {
        var object = try #require(try JSONValue(parsing: Data(verdictJSON.utf8)).objectValue)
        object[key] = value
        return String(decoding: try VigilJSON.encode(object), as: UTF8.self)
    }

    @Test(
        arguments: [
            ("confidenceScore", 1.2, Code.invalidValue),
            ("confidenceScore", -0.01, .invalidValue),
            ("confidenceScore", "0.9", .wrongType),
            ("confidenceScore", nil, .missingField),
            ("recordingId", nil, .missingField),
            ("recordingId", "not-a-uuid", .invalidValue),
            ("recordingId", "a1b2c3d4e5f67890abcdef1234567890", .invalidValue),
            ("recordingId", 42, .wrongType),
            ("timestampOffsetMs", -1, .invalidValue),
            ("timestampOffsetMs", 1.5, .wrongType),
            ("timestampOffsetMs", "124500", .wrongType),
            ("correlationId", "has spaces in it", .invalidValue),
            ("correlationId", "", .invalidValue),
            ("correlationId", nil, .missingField),
            ("verdict", nil, .missingField),
            ("verdict", true, .wrongType),
            ("evidenceSnippet", .string(String(repeating: "x", count: 2049)), .invalidValue)
        ] as [(String, JSONValue?, Code)])
    func verdictField(key: String, value: JSONValue?, code: Code) throws {
        let error = decodeFailure(ComplianceVerdict.self, try verdict(key, value))
        #expect(error?.code == code)
        #expect(error?.path == key)
    }

    @Test func nullRequiredFieldIsMissing() {
        let json = verdictJSON.replacingOccurrences(of: "\"evt-sub-req-8847291\"", with: "null")
        let error = decodeFailure(ComplianceVerdict.self, json)
        #expect(error?.code == .missingField)
        #expect(error?.path == "correlationId")
    }

    @Test func malformedJSONNamesWhereTheTextBroke() {
        let truncated = decodeFailure(ComplianceVerdict.self, #"{"recordingId": "#)
        #expect(truncated?.code == .malformedJSON)
        #expect(truncated?.path == "recordingId")
        #expect(truncated?.offset == 16)
        #expect(truncated?.description == "malformedJSON at recordingId (byte 16): unexpected end of input")
        let notJSON = decodeFailure(ComplianceVerdict.self, "nope")
        #expect(notJSON?.path == "")
        #expect(notJSON?.description.hasPrefix("malformedJSON at (root) (byte 0)") == true)
    }

    // MARK: Subscription

    func subscription(_ edit: (inout [String: Any]) -> Void) throws -> String {
        try mutate(fixture("seed_subscription"), edit)
    }

    @Test func subscriptionRules() throws {
        func check(
            _ code: Code, _ path: String, _ edit: (inout [String: Any]) -> Void,
            sourceLocation: SourceLocation = #_sourceLocation
        ) throws {
            let error = decodeFailure(EventSubscription.self, try subscription(edit), sourceLocation: sourceLocation)
            #expect(error?.code == code, sourceLocation: sourceLocation)
            #expect(error?.path == path, sourceLocation: sourceLocation)
        }
        func nested(_ object: inout [String: Any], _ outer: String, _ inner: String, _ value: Any?) {
            var child = object[outer] as? [String: Any] ?? [:]
            child[inner] = value
            object[outer] = child
        }
        try check(.invalidValue, "name") { $0["name"] = "" }
        try check(.invalidValue, "description") { $0["description"] = String(repeating: "d", count: 513) }
        try check(.unknownEnumValue, "destination.type") { nested(&$0, "destination", "type", "sqs") }
        try check(.invalidValue, "destination.url") { nested(&$0, "destination", "url", "http://example.com/hook") }
        try check(.invalidValue, "destination.url") { nested(&$0, "destination", "url", "not a url") }
        try check(.missingField, "destination.authentication.clientSecret") { object in
            var destination = object["destination"] as! [String: Any]
            destination["authentication"] = ["type": "oauth2", "clientId": "id"]
            object["destination"] = destination
        }
        try check(.unknownEnumValue, "destination.authentication.type") { object in
            var destination = object["destination"] as! [String: Any]
            destination["authentication"] = ["type": "kerberos"]
            object["destination"] = destination
        }
        try check(.unknownEnumValue, "retryPolicy.backoffStrategy") { nested(&$0, "retryPolicy", "backoffStrategy", "random") }
        try check(.invalidValue, "retryPolicy.maxRetries") { nested(&$0, "retryPolicy", "maxRetries", 101) }
        try check(.wrongType, "retryPolicy.maxRetries") { nested(&$0, "retryPolicy", "maxRetries", 2.5) }
        try check(.invalidValue, "retryPolicy.initialDelayMs") { nested(&$0, "retryPolicy", "initialDelayMs", -5) }
        try check(.wrongType, "eventData.include") { nested(&$0, "eventData", "include", "recordingId") }
        try check(.missingField, "event") { $0["event"] = nil }
        // Loopback http is allowed for local development.
        let local = try subscription { nested(&$0, "destination", "url", "http://127.0.0.1:8080/hook") }
        #expect(throws: Never.self) { try VigilJSON.decode(EventSubscription.self, from: local) }
    }

    // MARK: Webhook event and nested paths

    @Test func webhookPathsIncludeArrayIndices() {
        let base = """
            {"id":"dlv-1","event":"recording:recordingAvailable","timestamp":"2026-05-01T10:05:20Z","data":{"recordingId":"6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11",
            """
        let participants = decodeFailure(
            RecordingWebhookEvent.self,
            base + """
                "participants":[{"participantId":"9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f"},{"participantId":"agent-7"}]}}
                """)
        #expect(participants?.code == .invalidValue)
        #expect(participants?.path == "data.participants[1].participantId")
        let tag = decodeFailure(RecordingWebhookEvent.self, base + #""tags":[{"key":"","value":"v"}]}}"#)
        #expect(tag?.path == "data.tags[0].key")
        let order = decodeFailure(
            RecordingWebhookEvent.self,
            base + """
                "startTime":"2026-05-01T10:05:00Z","endTime":"2026-05-01T10:00:00Z"}}
                """)
        #expect(order?.code == .invalidValue)
        #expect(order?.path == "data.endTime")
        let date = decodeFailure(
            RecordingWebhookEvent.self,
            String(base.replacingOccurrences(of: "2026-05-01T10:05:20Z", with: "yesterday").dropLast()) + "}}")
        #expect(date?.code == .invalidValue)
        #expect(date?.path == "timestamp")
        let id = decodeFailure(RecordingWebhookEvent.self, String(base.replacingOccurrences(of: "dlv-1", with: "dlv 1").dropLast()) + "}}")
        #expect(id?.path == "id")
        let uri = decodeFailure(RecordingWebhookEvent.self, base + #""mediaUri":"/relative/path"}}"#)
        #expect(uri?.code == .invalidValue)
        #expect(uri?.path == "data.mediaUri")
    }

    @Test func envelopePathsReachTheEventBody() throws {
        let json = try mutate(fixture("eventbridge_customer_end")) { object in
            var detail = object["detail"] as! [String: Any]
            var body = detail["eventBody"] as! [String: Any]
            body["conversationId"] = "2f7bf00a"
            detail["eventBody"] = body
            object["detail"] = detail
        }
        let error = decodeFailure(EventBridgeEnvelope<NotificationMessage<CustomerEndEvent>>.self, json)
        #expect(error?.code == .invalidValue)
        #expect(error?.path == "detail.eventBody.conversationId")
        let missing = try mutate(fixture("eventbridge_customer_end")) { $0["detail-type"] = nil }
        #expect(
            decodeFailure(EventBridgeEnvelope<NotificationMessage<CustomerEndEvent>>.self, missing)?.path
                == "detail-type")
    }

    // MARK: Compliance request

    func request(_ edit: (inout [String: Any]) -> Void) throws -> String {
        let base: [String: Any] = [
            "schemaVersion": "1.0", "correlationId": "corr-1",
            "recordingId": "6b1e1c4e-2f0a-4d7e-9c61-0d7f4c2b9a11",
            "conversationId": "2f7bf00a-0fc2-4d6a-9b56-92238191433e",
            "media": ["uri": "https://media.example/r.wav?sig=1", "expiresAt": "2026-05-01T11:00:00.000Z"],
            "metadata": ["channel": "VOICE", "tokens": ["caller": "tok_1234abcd"]],
            "requestedAt": "2026-05-01T10:00:00.000Z"
        ]
        return try mutate(JSONSerialization.data(withJSONObject: base), edit)
    }

    @Test func complianceRequestRules() throws {
        #expect(throws: Never.self) { try VigilJSON.decode(ComplianceRequest.self, from: try request { _ in }) }
        let cases: [(Code, String, (inout [String: Any]) -> Void)] = [
            (.invalidValue, "schemaVersion", { $0["schemaVersion"] = "2.0" }),
            (.invalidValue, "schemaVersion", { $0["schemaVersion"] = "one" }),
            (.missingField, "schemaVersion", { $0["schemaVersion"] = nil }),
            (.invalidValue, "conversationId", { $0["conversationId"] = "conv-1" }),
            (.missingField, "media.expiresAt", { $0["media"] = ["uri": "https://media.example/r.wav"] }),
            (.invalidValue, "media.uri", { $0["media"] = ["uri": "ftp://media.example/r.wav", "expiresAt": "2026-05-01T11:00:00Z"] }),
            (.invalidValue, "metadata.tokens.caller", { $0["metadata"] = ["tokens": ["caller": "4111111111111111"]] }),
            (.invalidValue, "metadata.tokens.caller", { $0["metadata"] = ["tokens": ["caller": "jane@example.com"]] }),
            (.invalidValue, "metadata.tokens", { $0["metadata"] = ["tokens": ["caller number": "tok_1234abcd"]] }),
            (.invalidValue, "metadata.language", { $0["metadata"] = ["language": "en US"] }),
            (.invalidValue, "metadata.durationMs", { $0["metadata"] = ["durationMs": -1] }),
            (.invalidValue, "callbackUrl", { $0["callbackUrl"] = "http://vigil.example/cb" })
        ]
        for (code, path, edit) in cases {
            let error = decodeFailure(ComplianceRequest.self, try request(edit))
            #expect(error?.code == code, "\(path)")
            #expect(error?.path == path)
        }
    }

    // MARK: Genesys request bodies

    @Test func workitemRules() throws {
        let ok = WorkitemCreate(name: "Compliance review", typeId: "t1")
        try ok.validate(now: Date())
        var cases: [(String, WorkitemCreate)] = []
        var item = ok
        item.name = "ab"; cases.append(("name", item))
        item = ok; item.name = String(repeating: "n", count: 257); cases.append(("name", item))
        item = ok; item.typeId = ""; cases.append(("typeId", item))
        item = ok; item.description = String(repeating: "d", count: 513); cases.append(("description", item))
        item = ok; item.priority = 25_000_001; cases.append(("priority", item))
        item = ok; item.priority = -25_000_001; cases.append(("priority", item))
        item = ok; item.durationSeconds = -1; cases.append(("durationSeconds", item))
        item = ok; item.scoredAgents = (0..<21).map { WorkitemScoredAgent(agentId: "a\($0)", score: 50) }
        cases.append(("scoredAgents", item))
        item = ok; item.scoredAgents = [WorkitemScoredAgent(agentId: "a", score: 101)]
        cases.append(("scoredAgents[0].score", item))
        for (path, body) in cases {
            #expect {
                try body.validate()
            } throws: { error in
                (error as? ModelValidationError)?.code == .invalidValue && (error as? ModelValidationError)?.path == path
            }
        }
        // Boundaries are inclusive.
        item = ok; item.name = "abc"; item.priority = 25_000_000; item.description = String(repeating: "d", count: 512)
        item.scoredAgents = (0..<20).map { WorkitemScoredAgent(agentId: "a\($0)", score: 100) }
        try item.validate()
        // dateExpires ≤ 365 days, only when a clock is given.
        let now = Date(timeIntervalSince1970: 1_777_629_600)
        item = ok; item.dateExpires = now.addingTimeInterval(366 * 86_400)
        try item.validate()
        #expect(
            throws: ModelValidationError(
                code: .invalidValue, path: "dateExpires",
                reason: "must be at most 365 days ahead")
        ) { try item.validate(now: now) }
        // Decoding applies the same rules, with the same path.
        let decoded = decodeFailure(WorkitemCreate.self, #"{"name":"ab","typeId":"t1"}"#)
        #expect(decoded?.code == .invalidValue)
        #expect(decoded?.path == "name")
        let fractional = decodeFailure(WorkitemCreate.self, #"{"name":"abc","typeId":"t1","priority":1.5}"#)
        #expect(fractional?.code == .wrongType)
        #expect(fractional?.path == "priority")
        #expect(decodeFailure(WorkitemCreate.self, #"{"name":"abc"}"#)?.path == "typeId")
    }

    @Test func annotationDescriptionLimit() throws {
        let long = String(repeating: "x", count: 501)
        #expect(
            throws: ModelValidationError(
                code: .invalidValue, path: "description",
                reason: "length must be at most 500")
        ) {
            try Annotation.flag(name: "PCI", type: "compliance", locationMs: 0, description: long)
        }
        #expect(throws: Never.self) {
            try Annotation.flag(
                name: "PCI", type: "compliance", locationMs: 0,
                description: String(repeating: "x", count: 500))
        }
        #expect(throws: ModelValidationError.self) { try Annotation.flag(name: "PCI", type: "c", locationMs: -1) }
        // A Genesys response is not re-validated.
        let response = try VigilJSON.decode(Annotation.self, from: "{\"description\":\"\(long)\"}")
        #expect(response.description?.count == 501)
    }

    @Test func batchLimit() throws {
        let items = (0..<101).map { _ in BatchDownloadRequest(conversationId: .random()) }
        #expect(
            throws: ModelValidationError(
                code: .invalidValue, path: "batchDownloadRequestList",
                reason: "must contain between 1 and 100 items")
        ) {
            try BatchDownloadJobSubmission(items)
        }
        #expect(throws: ModelValidationError.self) { try BatchDownloadJobSubmission([]) }
        #expect(throws: Never.self) { try BatchDownloadJobSubmission(Array(items.prefix(100))) }
        let list = items.map { "{\"conversationId\":\"\($0.conversationId)\"}" }.joined(separator: ",")
        let error = decodeFailure(BatchDownloadJobSubmission.self, "{\"batchDownloadRequestList\":[\(list)]}")
        #expect(error?.code == .invalidValue)
        #expect(error?.path == "batchDownloadRequestList")
        let badId = decodeFailure(
            BatchDownloadJobSubmission.self,
            #"{"batchDownloadRequestList":[{"conversationId":"c1"}]}"#)
        #expect(badId?.path == "batchDownloadRequestList[0].conversationId")
    }

    @Test func otherRules() {
        let row = decodeFailure(DataTableRow.self, #"{"Field1":"x"}"#)
        #expect(row?.code == .missingField)
        #expect(row?.path == "key")
        #expect(decodeFailure(DataTableRow.self, #"{"key":27272}"#)?.code == .wrongType)
        #expect(decodeFailure(DataTableRow.self, #"{"key":""}"#)?.code == .invalidValue)
        let token = decodeFailure(OAuthTokenResponse.self, #"{"access_token":"t","token_type":"bearer","expires_in":0}"#)
        #expect(token?.code == .invalidValue)
        #expect(token?.path == "expires_in")
        #expect(decodeFailure(OAuthTokenResponse.self, #"{"token_type":"bearer","expires_in":60}"#)?.path == "access_token")
        let recording = decodeFailure(Recording.self, #"{"id":"rid"}"#)
        #expect(recording?.code == .invalidValue)
        #expect(recording?.path == "id")
        let job = decodeFailure(
            RecordingJob.self,
            """
            {"conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e","kind":"conversationEnded","correlationId":"c-1",
             "receivedAt":"2026-05-01T10:00:00Z","metadata":{"tokens":{"ani":"+15551234567"}}}
            """)
        #expect(job?.code == .invalidValue)
        #expect(job?.path == "metadata.tokens.ani")
        #expect(decodeFailure(RecordingJob.self, #"{"conversationId":"2f7bf00a-0fc2-4d6a-9b56-92238191433e"}"#)?.path == "kind")
    }
}
