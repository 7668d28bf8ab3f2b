import Foundation
import Testing
import VigilCore
import VigilEventSub
import VigilIdempotency
import VigilModels
import VigilRedaction
import VigilTesting

private let secret = "whsec_" + Base64.encode((0..<32).map { UInt8($0) })
private let start: Int64 = 1_780_000_000

/// A receiver over in-memory store and queue on a settable wall clock; no sleeping anywhere.
private struct Harness {
    let wall = WallClock(seconds: start)
    let store: InMemoryIdempotencyStore
    let queue: InMemoryJobQueue<RecordingJob>
    let receiver: WebhookReceiver
    let signer = try! WebhookSigner(scheme: .standardWebhooks, secrets: [secret])

    init(
        include: [EventDataField] = [
            .recordingId, .mediaUri, .participants, .startTime, .endTime, .direction,
            .channel, .tags
        ],
        capacity: Int = 10_000,
        tokenizer: any EventTokenizer = KeyedEventTokenizer(key: Array(repeating: 7, count: 32))!
    ) {
        store = InMemoryIdempotencyStore(now: wall.read)
        queue = InMemoryJobQueue<RecordingJob>(capacity: capacity, now: wall.read)
        let verifier = try! WebhookVerifier(scheme: .standardWebhooks, secrets: [secret], now: wall.read)
        receiver = WebhookReceiver(
            verifier: verifier, minimiser: EventMinimiser(include: include),
            tokenizer: tokenizer,
            store: store, queue: queue, now: wall.read)
    }

    func headers(_ body: [UInt8], id: String = "msg_1", timestamp: Int64? = nil) -> HTTPFields {
        signer.sign(body: body, id: id, timestamp: timestamp ?? Int64(wall.read().timeIntervalSince1970))
    }

    func send(_ body: String, id: String = "msg_1") async -> WebhookResponse {
        let bytes = body.bytes
        return await receiver.receive(body: bytes, headers: headers(bytes, id: id))
    }

    func jobs() async throws -> [RecordingJob] {
        let count = await queue.pendingCount
        guard count > 0 else { return [] }
        return try await queue.lease(max: count, for: .seconds(60)).map(\.job)
    }
}

private func json(_ response: WebhookResponse) -> [String: String] {
    (try? JSONDecoder().decode([String: String].self, from: Data(response.body))) ?? [:]
}

@Suite struct WebhookReceiverTests {
    @Test func acceptedEventEnqueuesOneMinimalJob() async throws {
        let h = Harness()
        let response = await h.send(Bodies.seed())
        #expect(response.status == 202)
        #expect(response.outcome == .accepted)
        #expect(json(response)["status"] == "accepted")
        #expect(response.headers["Content-Type"] == "application/json")
        let jobs = try await h.jobs()
        #expect(jobs.count == 1)
        let job = try #require(jobs.first)
        #expect(job.kind == .recordingAvailable)
        #expect(job.recordingId?.rawValue == Bodies.recording)
        #expect(job.conversationId.rawValue == Bodies.conversation)
        #expect(job.correlationId.rawValue == "evt-sub-req-8847291")
        #expect(job.receivedAt == h.wall.read())
        #expect(job.metadata?.source == .seedWebhook)
        #expect(job.metadata?.mediaType == .voice)
        #expect(job.metadata?.tokens?["tags"]?.rawValue.hasPrefix("tok_tags_") == true)
        let encoded = String(decoding: try VigilJSON.encode(job), as: UTF8.self)
        #expect(!encoded.contains("billing") && !encoded.contains("X-Amz-Signature") && !encoded.contains("s3.amazonaws"))
        #expect(h.receiver.counters.accepted == 1)
    }

    @Test func replayedDeliveryGetsTheCachedAcknowledgementUnparsed() async throws {
        let h = Harness()
        let first = await h.send(Bodies.seed())
        let second = await h.send(Bodies.seed())
        #expect(first.status == 202)
        #expect(second.status == 200)
        #expect(second.outcome == .duplicate)
        #expect(json(second)["acknowledged"] == "accepted")
        #expect(json(second)["correlationId"] == json(first)["correlationId"])
        #expect(try await h.jobs().count == 1)
    }

    @Test func theSameEventUnderAnotherDeliveryIdIsADuplicate() async throws {
        let h = Harness()
        #expect(await h.send(Bodies.seed(id: "delivery-a"), id: "msg_a").status == 202)
        #expect(await h.send(Bodies.seed(id: "delivery-b"), id: "msg_b").status == 200)
        // Different kinds of one recording are different stages: each gets its job.
        #expect(await h.send(Bodies.seed(event: "recording:recordingStarted"), id: "msg_c").status == 202)
        // Every conversation-end topic shares one key: one discovery job per conversation.
        #expect(await h.send(Bodies.notification(suffix: "customer.end"), id: "msg_d").status == 202)
        let second = await h.send(Bodies.eventBridge(suffix: "customer.end"), id: "msg_e")
        #expect(second.status == 200)
        // acw minimises to the same payload (direction, channel): a duplicate.
        #expect(await h.send(Bodies.notification(suffix: "acw"), id: "msg_f").outcome == .duplicate)
        // Same key, different minimised content: a conflict, acknowledged, nothing enqueued.
        let outbound = Bodies.detailBody().replacingOccurrences(of: "INBOUND", with: "OUTBOUND")
        let other = await h.send(Bodies.notification(suffix: "wrapup", body: outbound), id: "msg_g")
        #expect(other.status == 200)
        #expect(other.outcome == .conflict)
        let jobs = try await h.jobs()
        #expect(jobs.count == 3)
        #expect(Set(jobs.map(\.kind)) == [.recordingAvailable, .recordingStarted, .conversationEnded])
        #expect(h.receiver.counters.conflicts == 1)
        #expect(h.receiver.counters.duplicates == 3)
    }

    @Test func tenThousandDuplicateDeliveriesMakeExactlyOneJob() async throws {
        let h = Harness()
        let body = Bodies.seed().bytes
        let headers = h.headers(body)
        var statuses: [Int: Int] = [:]
        await withTaskGroup(of: Int.self) { group in
            for _ in 0..<10_000 {
                group.addTask { await h.receiver.receive(body: body, headers: headers).status }
            }
            for await status in group { statuses[status, default: 0] += 1 }
        }
        #expect(statuses[202] == 1)
        #expect((statuses[200] ?? 0) + (statuses[503] ?? 0) == 9_999)  // 503 only while the first is in flight
        #expect(try await h.jobs().count == 1)
        // Once the first completed, every further duplicate is a 200.
        for _ in 0..<100 { #expect(await h.receiver.receive(body: body, headers: headers).status == 200) }
        #expect(h.receiver.counters.received == 10_100)
        #expect(h.receiver.counters.accepted == 1)
    }

    @Test func queueRefusalIs503AndReleasesTheClaimsSoTheRetrySucceeds() async throws {
        let h = Harness(capacity: 1)
        let filler = RecordingJob(
            conversationId: .random(), kind: .conversationEnded, correlationId: .random(),
            receivedAt: h.wall.read())
        try await h.queue.enqueue(filler)
        let refused = await h.send(Bodies.seed())
        #expect(refused.status == 503)
        #expect(refused.outcome == .retryLater(code: "queue.rejected"))
        #expect(refused.headers["Retry-After"] == "5")
        #expect(h.receiver.counters.rejected["queue.rejected"] == 1)
        // The worker drains the queue; the platform retries the same delivery (same id).
        let leased = try await h.queue.lease(max: 1, for: .seconds(60))
        try await h.queue.ack(leased[0].token)
        h.wall.advance(5)
        let retried = await h.send(Bodies.seed())
        #expect(retried.status == 202)
        let jobs = try await h.jobs()
        #expect(jobs.count == 1)
        #expect(jobs.first?.recordingId?.rawValue == Bodies.recording)
    }

    @Test func signatureFailuresAre401AndEnqueueNothing() async throws {
        let h = Harness()
        let body = Bodies.seed().bytes
        var wrong = h.headers(body)
        wrong["webhook-signature"] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="
        #expect(await h.receiver.receive(body: body, headers: wrong).status == 401)
        #expect(await h.receiver.receive(body: body, headers: [:]).status == 401)
        let now = Int64(h.wall.read().timeIntervalSince1970)
        let stale = await h.receiver.receive(body: body, headers: h.headers(body, timestamp: now - 301))
        let future = await h.receiver.receive(body: body, headers: h.headers(body, timestamp: now + 301))
        #expect(stale.outcome == .rejected(code: "webhook.timestampTooOld"))
        #expect(future.outcome == .rejected(code: "webhook.timestampTooNew"))
        // A body truncated in transit no longer matches its signature.
        let truncated = await h.receiver.receive(body: Array(body.dropLast(3)), headers: h.headers(body))
        #expect(truncated.status == 401)
        #expect(try await h.jobs().isEmpty)
        #expect(h.receiver.counters.rejected["webhook.noMatchingSignature"] == 2)
        #expect(h.receiver.counters.rejected["webhook.missingHeaders"] == 1)
    }

    @Test func reusedIdWithOtherContentIsReplayed() async throws {
        let h = Harness()
        #expect(await h.send(Bodies.seed(), id: "msg_same").status == 202)
        let reused = await h.send(Bodies.seed(event: "recording:recordingStarted"), id: "msg_same")
        #expect(reused.status == 401)
        #expect(reused.outcome == .rejected(code: "webhook.replayed"))
        #expect(try await h.jobs().count == 1)
    }

    @Test func badBodiesAreSignedButStill400Or413() async throws {
        let h = Harness()
        let cases: [(String, [UInt8], Int)] = [
            ("event.nestingTooDeep", Array(repeating: UInt8(ascii: "["), count: 10_000), 400),
            ("event.invalidUTF8", Bodies.seed(extraData: ", \"note\": \"~\"").bytes.map { $0 == UInt8(ascii: "~") ? 0xFF : $0 }, 400),
            ("event.malformedJSON", Bodies.seed().bytes + [0xFF], 400),
            ("event.duplicateMember", Bodies.seed(extraData: ", \"recordingId\": \"00000000-0000-4000-8000-000000000000\"").bytes, 400),
            ("event.malformedJSON", Array(Bodies.seed().bytes.dropLast(5)), 400),
            ("event.wrongType", Bodies.seed().replacingOccurrences(of: "\"INBOUND\"", with: "4111111111111111").bytes, 400),
            ("event.missingConversationId", Bodies.seed(conversationId: nil).bytes, 400)
        ]
        for (index, (code, body, status)) in cases.enumerated() {
            let response = await h.receiver.receive(body: body, headers: h.headers(body, id: "msg_bad\(index)"))
            #expect(response.status == status, "\(code)")
            #expect(response.outcome == .rejected(code: code))
            // The delivery claim was released: the same (still bad) delivery gets the same answer.
            let again = await h.receiver.receive(body: body, headers: h.headers(body, id: "msg_bad\(index)"))
            #expect(again.status == status)
        }
        let huge = Array(repeating: UInt8(ascii: " "), count: 256 * 1024 + 1)
        #expect(await h.receiver.receive(body: huge, headers: h.headers(huge)).status == 413)
        #expect(try await h.jobs().isEmpty)
    }

    @Test func unknownTypesAreAcknowledgedAndCountedOnce() async throws {
        let h = Harness()
        let first = await h.send(Bodies.notification(suffix: "attributes"))
        #expect(first.status == 200)
        #expect(first.outcome == .ignored)
        #expect(await h.send(Bodies.notification(suffix: "attributes")).outcome == .duplicate)
        #expect(await h.send(Bodies.seed(event: "recording:somethingNew"), id: "msg_2").outcome == .ignored)
        #expect(h.receiver.counters.unknownTypes == 2)
        #expect(try await h.jobs().isEmpty)
    }

    @Test func includeListDecidesWhatIsTokenizedAndWhatVanishes() async throws {
        let minimal = Harness(include: [.recordingId])
        #expect(await minimal.send(Bodies.notification()).status == 202)
        let bare = try #require(try await minimal.jobs().first)
        #expect(bare.metadata?.tokens == nil)
        #expect(bare.metadata?.mediaType == nil && bare.metadata?.direction == nil)

        let rich = Harness(include: [.channel, .direction, .other("ani"), .other("dnis")])
        #expect(await rich.send(Bodies.notification()).status == 202)
        let job = try #require(try await rich.jobs().first)
        #expect(Set(job.metadata?.tokens?.keys ?? [:].keys) == ["ani", "dnis"])
        #expect(job.metadata?.mediaType == .voice)
        // Equal values give equal tokens under one key.
        let again = Harness(include: [.other("ani")])
        #expect(await again.send(Bodies.eventBridge()).status == 202)
        #expect(try await again.jobs().first?.metadata?.tokens?["ani"] == job.metadata?.tokens?["ani"])
    }
}

@Suite struct PersonalDataTests {
    static let pan = "4111111111111111"
    static let panSpaced = "4111 1111 1111 1111"
    static let ssn = "078-05-1120"
    static let forbidden = ["4111111111111111", "4111 1111", "1111 1111 1111", "078-05-1120", "078051120", "05-1120"]

    /// Every string field of a detail event (and the envelope) holds a card number or SSN.
    static func hostileDetail() -> String {
        let body = #"""
            {"eventTime": 1649237504949, "conversationId": "\#(Bodies.conversation)", "participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f",
             "sessionId": "\#(pan)", "mediaType": "\#(panSpaced)", "provider": "\#(ssn)", "direction": "\#(ssn)",
             "ani": "\#(pan)", "dnis": "\#(ssn)", "addressTo": "\#(panSpaced)", "addressFrom": "\#(ssn)",
             "callbackUserName": "\#(pan)", "callbackNumbers": ["\#(pan)", "\#(ssn)"], "subject": "card \#(panSpaced)",
             "messageType": "\#(pan)", "conversationExternalContactIds": ["\#(ssn)"], "divisionId": "\#(pan)",
             "utilizationLabel": "\#(ssn)", "userId": "\#(pan)", "queueId": "\#(ssn)", "wrapupCode": "\#(pan)",
             "wrapupNotes": "SSN \#(ssn) card \#(pan)", "disconnectType": "\#(pan)", "unknownField": "\#(pan)",
             "\#(pan)": "\#(ssn)"}
            """#
        return #"""
            {"topicName": "v2.detail.events.conversation.\#(Bodies.conversation).wrapup", "version": "\#(pan)",
             "eventBody": \#(body), "metadata": {"CorrelationId": "\#(pan)"}, "x": "\#(ssn)"}
            """#
    }

    static func hostileSeed() -> String {
        #"""
        {"id": "\#(pan)", "event": "recording:recordingAvailable", "timestamp": "2026-05-01T10:05:20.000Z",
         "correlationId": "ssn-078-05-1120",
         "data": {"recordingId": "\#(Bodies.recording)", "conversationId": "\#(Bodies.conversation)",
                  "mediaUri": "https://example.com/\#(pan)?sig=\#(ssn)", "direction": "\#(pan)", "channel": "\#(ssn)",
                  "participants": [{"participantId": "9fb2ca78-1e3d-4a5b-8c7f-0a9b8c7d6e5f", "purpose": "\#(pan)"}],
                  "tags": [{"key": "\#(pan)", "value": "\#(ssn)"}], "extension": "\#(pan)", "email": "a\#(ssn)@x.com"}}
        """#
    }

    private func assertClean(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for needle in Self.forbidden {
            #expect(!text.contains(needle), "found \(needle) in \(text)", sourceLocation: sourceLocation)
        }
    }

    static let tokenizers: [any EventTokenizer] = [
        KeyedEventTokenizer(key: Array(repeating: 7, count: 32))!,
        RedactionEventTokenizer(tokenKey: try! TokenKey(Array(repeating: 9, count: 32)))
    ]

    @Test(arguments: [0, 1])
    func noCardNumberOrSSNSurvivesIntoTheJobTheResponseOrTheCounters(tokenizerIndex: Int) async throws {
        let everything: [EventDataField] =
            [
                .recordingId, .conversationId, .mediaUri, .participants, .startTime,
                .endTime, .direction, .channel, .tags
            ]
            + [
                "ani", "dnis", "addressTo", "addressFrom", "callbackUserName", "callbackNumbers", "subject",
                "externalContactId", "externalOrganizationId", "wrapupNotes", "queueId", "divisionId", "userId",
                "wrapupCode", "disconnectType", "participantId", "sessionId", "provider", "messageType"
            ].map(EventDataField.other)
        let h = Harness(include: everything, tokenizer: Self.tokenizers[tokenizerIndex])
        for (index, body) in [Self.hostileDetail(), Self.hostileSeed()].enumerated() {
            let response = await h.send(body, id: "msg_pii\(index)")
            #expect(response.status == 202, "\(response)")
            assertClean(String(decoding: response.body, as: UTF8.self))
            assertClean("\(response) \(response.headers)")
        }
        let jobs = try await h.jobs()
        #expect(jobs.count == 2)
        for job in jobs {
            assertClean(String(decoding: try VigilJSON.encode(job), as: UTF8.self))
            assertClean("\(job) \(String(reflecting: job))")
            var dumped = ""
            dump(job, to: &dumped)
            assertClean(dumped)
        }
        let detailJob = try #require(jobs.first { $0.kind == .conversationEnded })
        #expect(detailJob.metadata?.mediaType == nil)  // an unknown "channel" that looks like data is dropped
        #expect(detailJob.metadata?.divisionId == nil)  // not a UUID: dropped, not carried as text
        #expect(detailJob.metadata?.tokens?["ani"] != nil)
        #expect(detailJob.metadata?.tokens?["wrapupNotes"] != nil)
        #expect(detailJob.correlationId.rawValue.hasPrefix("tok_"))
        let seedJob = try #require(jobs.first { $0.kind == .recordingAvailable })
        #expect(seedJob.metadata?.eventId?.hasPrefix("tok_") == true)
        assertClean("\(h.receiver.counters)")
    }

    @Test func decodedEventsAndErrorsNeverPrintPersonalData() throws {
        let event = try EventDecoder().decode(Self.hostileDetail().bytes)
        assertClean("\(event)")
        var dumped = ""
        dump(event, to: &dumped)
        assertClean(dumped)
        for broken in [
            Self.hostileDetail().replacingOccurrences(of: "\"ani\": \"\(Self.pan)\"", with: "\"ani\": \(Self.pan)"),
            String(Self.hostileSeed().dropLast(4))
        ] {
            do {
                _ = try EventDecoder().decode(broken.bytes)
                Issue.record("expected an error")
            } catch {
                assertClean("\(error) \(String(reflecting: error))")
            }
        }
    }

    @Test func redactionTokenizerScreensWithTheDetector() throws {
        let t = RedactionEventTokenizer(tokenKey: try TokenKey(Array(repeating: 9, count: 32)))
        #expect(t.isSafeIdentifier("evt-sub-req-8847291"))
        #expect(t.isSafeIdentifier(Bodies.conversation))
        #expect(!t.isSafeIdentifier("req-a@b.co"))  // an e-mail shape fails the charset anyway
        #expect(!t.isSafeIdentifier("4111-1111-1111-1111"))
        #expect(t.token(for: Self.pan, field: "ani") == t.token(for: Self.pan, field: "ani"))
        #expect(t.token(for: Self.pan, field: "ani") != t.token(for: Self.pan, field: "dnis"))
        #expect(t.token(for: Self.pan, field: "ani").rawValue.hasPrefix("tok_fld_"))
        assertClean(t.token(for: Self.pan, field: "ani").rawValue)
    }

    @Test func tokensAreDeterministicPerKeyAndFieldAndNeverContainTheValue() {
        let a = KeyedEventTokenizer(key: Array(repeating: 1, count: 32))!
        let b = KeyedEventTokenizer(key: Array(repeating: 2, count: 32))!
        #expect(a.token(for: Self.pan, field: "ani") == a.token(for: Self.pan, field: "ani"))
        #expect(a.token(for: Self.pan, field: "ani") != b.token(for: Self.pan, field: "ani"))
        #expect(a.token(for: Self.pan, field: "ani") != a.token(for: Self.pan, field: "dnis"))
        assertClean(a.token(for: Self.pan, field: "ani").rawValue)
        #expect(KeyedEventTokenizer(key: Array(repeating: 1, count: 15)) == nil)
        #expect("\(a)" == "KeyedEventTokenizer(<redacted>)")
        #expect(a.isSafeIdentifier("evt-sub-req-8847291"))
        #expect(a.isSafeIdentifier(Bodies.conversation))
        #expect(!a.isSafeIdentifier(Self.pan))
        #expect(!a.isSafeIdentifier("ssn-078-05-1120"))
        #expect(!a.isSafeIdentifier("4111-1111-1111-1111"))
    }
}
