import Foundation
import Testing
import VigilEventSub
import VigilModels

private let decoder = EventDecoder()

private func expectDecodingCode(
    _ code: EventDecodingError.Code, _ body: [UInt8], decoder: EventDecoder = decoder,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let event = try decoder.decode(body)
        Issue.record("expected \(code), got \(event)", sourceLocation: sourceLocation)
    } catch {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite struct EventDecoderTests {
    @Test(arguments: [
        ("recording:recordingStarted", RecordingLifecycleEvent.Kind.recordingStarted),
        ("recording:recordingCompleted", .recordingCompleted),
        ("recording:recordingAvailable", .recordingAvailable)
    ])
    func seedWebhookEvents(name: String, kind: RecordingLifecycleEvent.Kind) throws {
        let event = try decoder.decode(Bodies.seed(event: name).bytes)
        #expect(event.kind == kind)
        #expect(event.source == .seedWebhook)
        #expect(event.recordingId?.rawValue == Bodies.recording)
        #expect(event.conversationId?.rawValue == Bodies.conversation)
        #expect(event.attributes.mediaType == .voice)
        #expect(event.attributes.direction == .inbound)
        #expect(event.eventId == "3f0c9a1e-delivery-1")
        #expect(event.correlationId == "evt-sub-req-8847291")
        #expect(event.personal["tags"] != nil)
        #expect(!event.description.contains("billing"))
    }

    @Test func unknownSeedEventIsIgnoredNotAnError() throws {
        let event = try decoder.decode(Bodies.seed(event: "recording:recordingArchived").bytes)
        #expect(event.kind == .ignored(type: "recording:recordingArchived"))
        let hostile = try decoder.decode(Bodies.seed(event: "4111 1111 1111 1111").bytes)
        #expect(hostile.kind == .ignored(type: "unrecognised"))
    }

    @Test func seedRecordingEventWithoutConversationIsRefused() {
        expectDecodingCode(.missingConversationId, Bodies.seed(conversationId: nil).bytes)
    }

    @Test(arguments: ["customer.end", "user.end", "acw", "wrapup"])
    func detailEndEventsBecomeConversationEnded(suffix: String) throws {
        for body in [Bodies.notification(suffix: suffix), Bodies.eventBridge(suffix: suffix)] {
            let event = try decoder.decode(body.bytes)
            #expect(event.kind == .conversationEnded)
            #expect(event.trigger == suffix)
            #expect(event.conversationId?.rawValue == Bodies.conversation)
            #expect(event.recordingId == nil)
            #expect(event.eventTimeMs == 1_649_237_504_949)
            #expect(event.personal["ani"]?.value == "tel:+14155550123")
            #expect(!event.description.contains("4155550123"))
            #expect(event.correlationId == "7272d362-23b2-4c14-9d40-dc7b7683153a")
        }
        #expect(try decoder.decode(Bodies.eventBridge(suffix: suffix).bytes).source == .eventBridge)
        #expect(try decoder.decode(Bodies.eventBridge(suffix: suffix).bytes).eventId == "58fb5dac-2d0e-4f1b-8c3a-6e7d9f0a1b2c")
    }

    @Test func otherDetailTopicsAreIgnoredWithTheirPattern() throws {
        let event = try decoder.decode(Bodies.notification(suffix: "acd.end").bytes)
        #expect(event.kind == .ignored(type: "v2.detail.events.conversation.{id}.acd.end"))
        let heartbeat = try decoder.decode(#"{"topicName": "channel.metadata", "eventBody": {"message": "WebSocket Heartbeat"}}"#.bytes)
        #expect(heartbeat.kind == .ignored(type: "channel.metadata"))
    }

    @Test func eventBridgeDetailTypeMustMatchTheTopic() {
        expectDecodingCode(
            .topicMismatch,
            Bodies.eventBridge(
                suffix: "customer.end",
                detailType: "v2.detail.events.conversation.{id}.user.end"
            ).bytes)
    }

    @Test func topicAndBodyConversationMustAgree() {
        expectDecodingCode(.topicMismatch, Bodies.notification(body: Bodies.detailBody(conversationId: Bodies.recording)).bytes)
        expectDecodingCode(.topicMismatch, Bodies.recordingNotification(bodyConversation: Bodies.user).bytes)
        expectDecodingCode(.topicMismatch, Bodies.recordingNotification(topicRecording: Bodies.user).bytes)
    }

    @Test func recordingNotificationsMapByFileState() throws {
        let cases: [(String?, RecordingLifecycleEvent.Kind)] = [
            ("AVAILABLE", .recordingAvailable), ("RESTORED", .recordingAvailable), ("UPLOADING", .recordingCompleted),
            (nil, .recordingCompleted), ("DELETED", .ignored(type: "v2.users.{id}.conversations.{id}.recordings")),
            ("ERROR", .ignored(type: "v2.users.{id}.conversations.{id}.recordings"))
        ]
        for (state, kind) in cases {
            let event = try decoder.decode(Bodies.recordingNotification(fileState: state).bytes)
            #expect(event.kind == kind, "\(state ?? "nil")")
            #expect(event.recordingId?.rawValue == Bodies.recording)
        }
        let transcoded = try decoder.decode(Bodies.recordingNotification(topicRecording: Bodies.recording).bytes)
        #expect(transcoded.kind == .recordingAvailable)
    }

    @Test func truncatedBodiesAreMalformed() {
        let body = Bodies.seed().bytes
        for cut in [1, 10, body.count / 2, body.count - 1] {
            let code = (try? decoder.decode(Array(body.prefix(cut)))).map { _ in "ok" }
            #expect(code == nil)
            do { _ = try decoder.decode(Array(body.prefix(cut))) } catch {
                #expect(error.code == .malformedJSON)
            }
        }
        expectDecodingCode(.emptyBody, [])
    }

    @Test func numbersWhereStringsBelong() {
        expectDecodingCode(.wrongType, Bodies.seed().replacingOccurrences(of: "\"3f0c9a1e-delivery-1\"", with: "4111111111111111").bytes)
        expectDecodingCode(
            .wrongType,
            Bodies.notification(
                body: Bodies.detailBody().replacingOccurrences(
                    of: "\"tel:+14155550123\"", with: "4155550123")
            ).bytes)
        expectDecodingCode(
            .wrongType,
            Bodies.recordingNotification().replacingOccurrences(
                of: "\"AVAILABLE\"", with: "1"
            ).bytes)
        expectDecodingCode(
            .wrongType,
            Bodies.notification(
                body: Bodies.detailBody().replacingOccurrences(
                    of: "1649237504949", with: "\"1649237504949\"")
            ).bytes)
        expectDecodingCode(.invalidValue, Bodies.seed(recordingId: "123-45-6789").bytes)
    }

    @Test func deepNestingIsRefusedBeforeParsing() {
        expectDecodingCode(.nestingTooDeep, Array(repeating: UInt8(ascii: "["), count: 10_000))
        expectDecodingCode(.nestingTooDeep, Array(String(repeating: "{\"a\":", count: 10_000).utf8))
        // An object that opens without a member name is malformed before it is deep.
        expectDecodingCode(.malformedJSON, Array(repeating: UInt8(ascii: "{"), count: 10_000))
        let deepInData = Bodies.seed(extraData: ", \"x\": " + String(repeating: "[", count: 40) + String(repeating: "]", count: 40))
        expectDecodingCode(.nestingTooDeep, deepInData.bytes)
        // Brackets inside strings (with escaped quotes) do not count.
        let inString = Bodies.seed(extraData: ", \"x\": \"\\\"" + String(repeating: "[", count: 100) + "\"")
        #expect(throws: Never.self) { try decoder.decode(inString.bytes) }
        let shallow = EventDecoder(limits: EventDecodingLimits(maxDepth: 2))
        expectDecodingCode(.nestingTooDeep, Bodies.seed().bytes, decoder: shallow)
    }

    @Test func invalidUTF8IsRefusedWithItsOffset() {
        let valid = Bodies.seed(extraData: ", \"note\": \"café ✓ 😀\"").bytes
        #expect(throws: Never.self) { try decoder.decode(valid) }
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC3]] {
            var body = Array(Bodies.seed().utf8)
            let at = body.firstIndex(of: UInt8(ascii: "Z"))!
            body.insert(contentsOf: bad, at: at)
            do {
                _ = try decoder.decode(body)
                Issue.record("expected invalidUTF8")
            } catch {
                #expect(error.code == .invalidUTF8)
                #expect(error.offset != nil && error.offset! >= at)
            }
        }
    }

    @Test func hugeBodiesAreTooLarge() {
        let huge = Array(repeating: UInt8(ascii: " "), count: 256 * 1024 + 1)
        expectDecodingCode(.bodyTooLarge, huge)
        expectDecodingCode(.bodyTooLarge, Bodies.seed().bytes, decoder: EventDecoder(limits: EventDecodingLimits(maxBodyBytes: 100)))
    }

    @Test func nonObjectsAndOtherShapesAreUnsupported() {
        expectDecodingCode(.unsupportedFormat, "[1,2]".bytes)
        expectDecodingCode(.unsupportedFormat, #"{"hello": "world"}"#.bytes)
        expectDecodingCode(.unsupportedFormat, #""4111111111111111""#.bytes)
    }

    @Test func errorsNeverCarryValues() {
        let pan = "4111111111111111", ssn = "123-45-6789"
        let bodies = [
            Bodies.seed(recordingId: pan), Bodies.seed(id: "x\(pan)é"), Bodies.seed(recordingId: ssn),
            Bodies.seed(extraData: ", \"\(pan)\": [" + String(repeating: "[", count: 50)),
            Bodies.notification(body: Bodies.detailBody(extra: ", \"ani\": 4111111111111111"))
        ]
        for body in bodies {
            do {
                _ = try decoder.decode(body.bytes)
            } catch {
                let text = "\(error) \(String(reflecting: error))"
                #expect(!text.contains(pan) && !text.contains("45-6789"), "\(text)")
            }
        }
    }
}
