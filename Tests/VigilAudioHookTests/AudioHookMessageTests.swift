import Testing
import VigilTesting

@testable import VigilAudioHook

@Suite("AudioHook messages")
struct AudioHookMessageTests {
    @Test(
        "ISO-8601 durations: the forms the protocol uses, exact to the microsecond",
        arguments: [
            ("PT0S", 0), ("PT12.34S", 12_340_000), ("PT1M2.5S", 62_500_000), ("PT1H", 3_600_000_000),
            ("P1DT1S", 86_401_000_000), ("PT0.000001S", 1), ("PT3600S", 3_600_000_000), ("PT2M", 120_000_000)
        ] as [(String, Int64)])
    func durations(text: String, microseconds: Int64) throws {
        let duration = try #require(AudioHookDuration(iso8601: text))
        #expect(duration.microseconds == microseconds)
        #expect(AudioHookDuration(iso8601: duration.iso8601) == duration)
    }

    @Test(
        "Durations that are not of the accepted form are refused",
        arguments: [
            "", "P", "PT", "T1S", "PT-1S", "PT1.S", "PT.5S", "PT1S1M", "PT1M1M", "P1Y", "P1M", "PT1.5M", "PT1.1234567S",
            "pt1s", "PT1s", "PT 1S", "PT1SX", "P1D1S"
        ])
    func badDurations(text: String) {
        #expect(AudioHookDuration(iso8601: text) == nil)
    }

    @Test("Canonical output")
    func canonical() {
        #expect(AudioHookDuration(milliseconds: 12_340).iso8601 == "PT12.34S")
        #expect(AudioHookDuration(milliseconds: 0).iso8601 == "PT0S")
        #expect(AudioHookDuration(microseconds: 1_000_001).iso8601 == "PT1.000001S")
    }

    @Test("The reference open decodes; every field is read")
    func referenceOpen() throws {
        // Constructed from the TS types of purecloudlabs/audiohook-reference-implementation (protocol/message.ts).
        let text = """
            { "version": "2", "id": "30B0E395-84D3-4570-AC13-9A62D8F514C0", "type": "open", "seq": 1, "serverseq": 0, "position": "PT0S",
              "parameters": { "organizationId": "d7934305-0972-4844-938e-9060eef73d05",
                              "conversationId": "090eaa2f-72fa-480a-83e0-8667ff89c0ec",
                              "participant": { "id": "883efee8-3d6c-4537-b500-6d7ca4b92fa0", "ani": "+15551234567", "aniName": "John Doe", "dnis": "+15557654321" },
                              "media": [ { "type": "audio", "format": "PCMU", "channels": ["external","internal"], "rate": 8000 },
                                         { "type": "audio", "format": "PCMU", "channels": ["external"], "rate": 8000 } ],
                              "language": "en-US" } }
            """
        let message = try AudioHookMessage.decode(Array(text.utf8))
        #expect(message.id == "30b0e395-84d3-4570-ac13-9a62d8f514c0")
        #expect(message.seq == 1 && message.serverSeq == 0 && message.position == .zero)
        guard case .open(let open) = message.body else {
            Issue.record("expected open")
            return
        }
        #expect(open.conversationId == "090eaa2f-72fa-480a-83e0-8667ff89c0ec")
        #expect(open.media.count == 2 && open.media[1].channels == ["external"])
        #expect(open.language == "en-US")
        #expect(open.participant.ani == "+15551234567")
        #expect(!open.isProbe)
        #expect(!"\(open.participant)".contains("555"))
    }

    @Test("Every message type survives encode → decode")
    func roundTrip() throws {
        let id = "30b0e395-84d3-4570-ac13-9a62d8f514c0"
        let span = AudioHookMessage.Discard(start: .init(milliseconds: 1_500), discarded: .init(milliseconds: 250))
        let fromPlatform: [AudioHookMessage.Body] = [
            .open(
                .init(
                    organizationId: "d7934305-0972-4844-938e-9060eef73d05", conversationId: AudioHookMessage.Open.probeConversationId,
                    participant: .init(id: "p", ani: "", aniName: "", dnis: ""),
                    media: [.init(format: "L16", channels: ["internal"], rate: 8000)], language: "fr-FR",
                    continuedSessions: [.init(id: "090eaa2f-72fa-480a-83e0-8667ff89c0ec", serverSeq: 3, clientSeq: 9)])),
            .ping(rtt: .init(milliseconds: 42)), .ping(rtt: nil), .close(reason: "end"), .paused, .resumed(span), .discarded(span),
            .update(language: "de-DE"), .error(code: 429, message: "slow down \"now\"\n", retryAfter: .init(milliseconds: 3_000))
        ]
        for body in fromPlatform {
            let message = AudioHookMessage(id: id, seq: 7, serverSeq: 3, position: .init(milliseconds: 12_340), body: body)
            #expect(try AudioHookMessage.decode(message.encoded()) == message)
        }
        let fromServer: [AudioHookMessage.Body] = [
            .opened(media: [.init(format: "PCMU", channels: ["external", "internal"], rate: 8000)], startPaused: false),
            .pong, .closed, .pause, .resume, .disconnect(reason: "error", info: "audiohook.sequenceError"), .updated,
            .event(entities: [.init(type: "vigil.finding", data: ["offsetMs": .number(4000), "ok": .bool(true), "n": .null])]),
            .reconnect(info: nil)
        ]
        for body in fromServer {
            let message = AudioHookMessage(id: id, seq: 2, clientSeq: 5, body: body)
            #expect(try AudioHookMessage.decode(message.encoded()) == message)
        }
        // Integers stay integers on the wire; a non-finite number, which JSON cannot carry, becomes null.
        let text = String(
            decoding: AudioHookMessage(
                id: id, seq: 2, clientSeq: 5,
                body: .event(entities: [
                    .init(type: "x", data: ["bad": .number(.infinity)])
                ])
            ).encoded(), as: UTF8.self)
        #expect(text.contains("\"seq\":2") && text.contains("\"clientseq\":5"))
        #expect(text.contains("\"bad\":null"))
    }

    @Test("Strict decoding: each defect is a typed error naming the field, not its value")
    func strict() {
        func code(_ text: String) -> AudioHookError.Code? {
            do {
                _ = try AudioHookMessage.decode(Array(text.utf8))
                return nil
            } catch {
                #expect(!error.description.contains("5551234567"))
                return error.code
            }
        }
        let head = #""version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":1,"serverseq":0,"position":"PT0S""#
        #expect(code("{\(head),\"type\":\"ping\",\"parameters\":{}}") == nil)
        #expect(code("{\(head),\"type\":\"dance\",\"parameters\":{}}") == .malformedMessage)
        #expect(code("{\(head),\"type\":\"ping\"}") == .malformedMessage)  // no parameters
        #expect(code("{\(head),\"type\":\"close\",\"parameters\":{}}") == .malformedMessage)  // no reason
        #expect(code("{\(head),\"type\":\"close\",\"parameters\":{\"reason\":5}}") == .malformedMessage)
        #expect(code("{\(head),\"type\":\"discarded\",\"parameters\":{\"start\":\"1.5\",\"discarded\":\"PT1S\"}}") == .malformedMessage)
        #expect(
            code(
                #"{"version":"3","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":1,"serverseq":0,"position":"PT0S","type":"ping","parameters":{}}"#)
                == .unsupportedVersion)
        #expect(
            code(#"{"version":"2","id":"not-a-uuid","seq":1,"serverseq":0,"position":"PT0S","type":"ping","parameters":{}}"#) == .malformedMessage)
        #expect(
            code(
                #"{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":0,"serverseq":0,"position":"PT0S","type":"ping","parameters":{}}"#)
                == .malformedMessage)
        #expect(
            code(#"{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":1,"position":"PT0S","type":"ping","parameters":{}}"#)
                == .malformedMessage)  // platform message without serverseq
        // A server message without clientseq.
        #expect(code(#"{"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","seq":1,"type":"pong","parameters":{}}"#) == .malformedMessage)
        #expect(
            code(
                "{\(head),\"type\":\"open\",\"parameters\":{\"organizationId\":\"x\",\"conversationId\":\"y\",\"participant\":{\"id\":\"p\",\"ani\":\"+15551234567\"},\"media\":[]}}"
            ) == .malformedMessage)
        #expect(code("not json") == .malformedMessage)
        #expect(code(String(repeating: " ", count: 70_000)) == .frameTooLarge)
    }
}

/// AudioHook text frames against the shared ambiguity table: refused as malformed, never half-read.
@Suite("AudioHook messages: one reading of a frame")
struct AmbiguousAudioHookMessageTests {
    static let open = """
        {"version":"2","id":"30b0e395-84d3-4570-ac13-9a62d8f514c0","type":"open","seq":1,"serverseq":0,"position":"PT0S",
         "parameters":{"organizationId":"d7934305-0972-4844-938e-9060eef73d05","conversationId":"090eaa2f-72fa-480a-83e0-8667ff89c0ec",
         "participant":{"id":"883efee8-3d6c-4537-b500-6d7ca4b92fa0","ani":"+15551234567","aniName":"John Doe","dnis":"+15557654321"},
         "media":[{"type":"audio","format":"PCMU","channels":["external","internal"],"rate":8000}],"language":"en-US"}}
        """

    @Test func ambiguousFramesAreMalformed() throws {
        let reference = try AudioHookMessage.decode(Array(Self.open.utf8))
        let variants = AmbiguousJSON.refusals(
            of: Self.open, at: ["parameters"], member: "conversationId",
            alternative: #""00000000-0000-4000-8000-000000000001""#)
        #expect(variants.count == 16)
        for variant in variants {
            do {
                _ = try AudioHookMessage.decode(variant.bytes)
                Issue.record("accepted: \(variant)")
            } catch {
                #expect(error.code == .malformedMessage, "\(variant)")
                #expect(!error.description.contains("0000-4000"), "\(variant)")
                #expect(!error.description.contains("5551234567"), "\(variant)")
            }
        }
        for variant in AmbiguousJSON.equivalents(of: Self.open, member: "conversationId") {
            #expect(try AudioHookMessage.decode(variant.bytes) == reference, "\(variant)")
        }
    }
}
