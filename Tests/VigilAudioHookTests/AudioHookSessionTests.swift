import Foundation
import Testing
import VigilAnalysis

@testable import VigilAudioHook

/// Drives an `AudioHookSession` the way the platform does: JSON text frames with increasing `seq`,
/// `serverseq` acknowledging the last server message, and 100 ms frames of interleaved stereo PCMU.
struct PlatformScript {
    let sessionId = "30b0e395-84d3-4570-ac13-9a62d8f514c0"
    let organizationId = "d7934305-0972-4844-938e-9060eef73d05"
    var conversationId = "2f7bf00a-0000-4000-8000-000000000001"
    var seq = 0
    var serverSeq = 0
    var positionMs = 0
    var media = [AudioHookMessage.Media(format: "PCMU", channels: ["external", "internal"], rate: 8000)]

    mutating func message(_ body: AudioHookMessage.Body) -> [UInt8] {
        seq += 1
        return AudioHookMessage(
            id: sessionId, seq: seq, serverSeq: serverSeq, position: AudioHookDuration(milliseconds: positionMs),
            body: body
        ).encoded()
    }

    mutating func open(organizationId: String? = nil, continued: [AudioHookMessage.ContinuedSession] = []) -> [UInt8] {
        message(
            .open(
                .init(
                    organizationId: organizationId ?? self.organizationId, conversationId: conversationId,
                    participant: .init(id: "p-1", ani: "+15551234567", aniName: "Pat Doe", dnis: "+15557654321"),
                    media: media, continuedSessions: continued)))
    }

    /// Acknowledges the server messages of `output`.
    mutating func saw(_ output: AudioHookSession.Output) {
        if let last = output.messages.last { serverSeq = last.seq }
    }

    /// `seconds` of stereo PCMU: the customer (external) keys `keys`, faint noise elsewhere.
    static func call(seconds: Double, keys: [(atMs: Int, digits: String)]) -> [UInt8] {
        KeyedCallSynthesizer.liveCall(seconds: seconds, keys: keys, seed: 7)
    }
}

@Suite("AudioHook session state machine")
struct AudioHookSessionTests {
    private func session() -> AudioHookSession {
        AudioHookSession(
            configuration: .init(
                organizationId: "d7934305-0972-4844-938e-9060eef73d05",
                sessionId: "30b0e395-84d3-4570-ac13-9a62d8f514c0"))
    }

    @Test("A call: opened, pongs, the card flagged mid-call at its offset, its code after it, closed")
    func fullCall() throws {
        var session = session()
        var platform = PlatformScript()
        let opened = session.receive(text: platform.open())
        platform.saw(opened)
        let reply = try #require(opened.messages.first)
        #expect(reply.seq == 1 && reply.clientSeq == 1)
        guard case .opened(let media, _) = reply.body else {
            Issue.record("expected opened, got \(reply.body.type)")
            return
        }
        #expect(media == [AudioHookMessage.Media(format: "PCMU", channels: ["external", "internal"], rate: 8000)])

        let audio = PlatformScript.call(seconds: 30, keys: [(4_000, "4111111111111111"), (9_000, "123")])
        var cardAtMs: Int?, codeAtMs: Int?
        var card: ComplianceFinding?
        for (frameIndex, start) in stride(from: 0, to: audio.count, by: 1600).enumerated() {
            let out = session.receive(audio: audio[start..<min(audio.count, start + 1600)])
            #expect(out.error == nil)
            let nowMs = (frameIndex + 1) * 100
            for finding in out.findings {
                if finding.type == .pciMidCapture { cardAtMs = nowMs; card = finding }
                if finding.type == .pciCvvCapture { codeAtMs = nowMs }
            }
            if frameIndex % 50 == 49 {  // a ping every 5 s
                platform.positionMs = nowMs
                let pong = session.receive(text: platform.message(.ping(rtt: nil)))
                platform.saw(pong)
                #expect(pong.messages.map(\.body) == [.pong])
            }
        }
        // The 16th digit ends at 4 000 + 16 × 150 − 80 = 6 320 ms. A complete card is reported by the
        // digit that completes it: in the frame the detector confirms the tone's end (≤ 2 frames later),
        // not after the run's 2 s gap (that would be 8 820 ms).
        let flaggedAt = try #require(cardAtMs, "the card must be flagged while the call is live")
        #expect(flaggedAt >= 6_400 && flaggedAt <= 6_500, "flagged at \(flaggedAt) ms")
        #expect(try #require(card).offsetMs >= 3_990 && card!.offsetMs <= 4_010)
        #expect(card!.participant == "external")
        #expect(try #require(codeAtMs) < 30_000)

        platform.positionMs = 30_000
        let closed = session.receive(text: platform.message(.close(reason: "end")))
        #expect(closed.messages.map(\.body) == [.closed])
        #expect(session.state == .ended)
        #expect(session.findings.count == 2)
    }

    @Test("A discarded span and a pause count as conversation time")
    func discardedAndPausedSpans() throws {
        var session = session()
        var platform = PlatformScript()
        platform.saw(session.receive(text: platform.open()))
        let before = PlatformScript.call(seconds: 2, keys: [])
        _ = session.receive(audio: before)
        platform.positionMs = 2_000
        // 10 s the platform dropped, then a pause of 5 s reported by `resumed`.
        #expect(
            session.receive(
                text: platform.message(
                    .discarded(
                        .init(
                            start: .init(milliseconds: 2_000),
                            discarded: .init(milliseconds: 10_000))))
            ).error == nil)
        #expect(session.receive(text: platform.message(.paused)).error == nil)
        #expect(session.state == .open(paused: true))
        let whilePaused = session.receive(audio: before[0..<160])
        #expect(whilePaused.error?.code == .unexpectedMessage)
        #expect(whilePaused.messages.last.map { if case .disconnect = $0.body { true } else { false } } == true)

        var resumedSession = self.session()
        var again = PlatformScript()
        again.saw(resumedSession.receive(text: again.open()))
        _ = resumedSession.receive(audio: before)
        _ = resumedSession.receive(
            text: again.message(
                .discarded(
                    .init(
                        start: .init(milliseconds: 2_000),
                        discarded: .init(milliseconds: 10_000)))))
        _ = resumedSession.receive(text: again.message(.paused))
        _ = resumedSession.receive(
            text: again.message(
                .resumed(
                    .init(
                        start: .init(milliseconds: 2_000),
                        discarded: .init(milliseconds: 5_000)))))
        #expect(resumedSession.state == .open(paused: false))
        let keyed = PlatformScript.call(seconds: 8, keys: [(1_000, "4111111111111111")])
        var all: [ComplianceFinding] = []
        for start in stride(from: 0, to: keyed.count, by: 1600) {
            all += resumedSession.receive(audio: keyed[start..<min(keyed.count, start + 1600)]).findings
        }
        all += resumedSession.finish().findings
        let card = try #require(all.first { $0.type == .pciMidCapture })
        // 2 s received + 10 s discarded + 5 s paused + 1 s into the new audio.
        #expect(card.offsetMs >= 17_990 && card.offsetMs <= 18_010)
        #expect(resumedSession.discardedMilliseconds == 15_000)
        #expect(resumedSession.receivedMilliseconds == 10_000)
    }

    @Test("A session continuing a dropped one starts at the conversation time already streamed")
    func continuedSessionOffsets() throws {
        let continued = [AudioHookMessage.ContinuedSession(id: "11111111-2222-4333-8444-555555555555", serverSeq: 7, clientSeq: 9)]
        let keyed = PlatformScript.call(seconds: 6, keys: [(1_000, "4111111111111111")])
        func card(in session: inout AudioHookSession) -> ComplianceFinding? {
            var all: [ComplianceFinding] = []
            for start in stride(from: 0, to: keyed.count, by: 1600) {
                all += session.receive(audio: keyed[start..<min(keyed.count, start + 1600)]).findings
            }
            return (all + session.finish().findings).first { $0.type == .pciMidCapture }
        }
        // `open` at position PT30S: the platform counts position across the sessions.
        var byPosition = session()
        var platform = PlatformScript()
        platform.positionMs = 30_000
        #expect(byPosition.receive(text: platform.open(continued: continued)).error == nil)
        #expect(byPosition.startMilliseconds == 30_000)
        let first = try #require(card(in: &byPosition))
        #expect(first.offsetMs >= 30_990 && first.offsetMs <= 31_010)
        #expect(first.evidence.contains("at 31.0 s"))
        #expect(byPosition.conversationPositionMilliseconds == 36_000)

        // `open` at PT0S, the transport knows the continued session reached 45 s.
        var byLedger = session()
        var again = PlatformScript()
        _ = byLedger.receive(text: again.open(continued: continued))
        #expect(byLedger.startMilliseconds == 0)
        let applied = byLedger.continueConversation(fromMilliseconds: 45_000)
        #expect(applied)
        let second = try #require(card(in: &byLedger))
        #expect(second.offsetMs >= 45_990 && second.offsetMs <= 46_010)
        // Not once audio has arrived; not before `open`; a new call ignores a position on `open`.
        let afterAudio = byLedger.continueConversation(fromMilliseconds: 90_000)
        #expect(!afterAudio)
        var fresh = session()
        let beforeOpen = fresh.continueConversation(fromMilliseconds: 1_000)
        #expect(!beforeOpen)
        var positioned = PlatformScript()
        positioned.positionMs = 5_000
        _ = fresh.receive(text: positioned.open())
        #expect(fresh.startMilliseconds == 0)
    }

    @Test("A connection probe is opened and nothing is analysed")
    func probe() throws {
        var session = session()
        var platform = PlatformScript()
        platform.conversationId = AudioHookMessage.Open.probeConversationId
        let out = session.receive(text: platform.open())
        #expect(out.error == nil)
        #expect(out.messages.count == 1)
        #expect(session.isProbe)
        let audio = PlatformScript.call(seconds: 10, keys: [(1_000, "4111111111111111")])
        #expect(session.receive(audio: audio[0..<1600]).error == nil)
        platform.saw(out)
        let closed = session.receive(text: platform.message(.close(reason: "end")))
        #expect(closed.messages.map(\.body) == [.closed])
        #expect(session.findings.isEmpty)
    }

    @Test("Refusals: each answered with disconnect and a typed error, the session ends, nothing traps")
    func refusals() throws {
        func refused(_ build: (inout PlatformScript, inout AudioHookSession) -> AudioHookSession.Output) -> AudioHookSession.Output {
            var session = session()
            var platform = PlatformScript()
            return build(&platform, &session)
        }
        func expectDisconnect(
            _ out: AudioHookSession.Output, _ code: AudioHookError.Code, reason: String = "error",
            sourceLocation: SourceLocation = #_sourceLocation
        ) {
            #expect(out.error?.code == code, sourceLocation: sourceLocation)
            guard case .disconnect(let sent, _)? = out.messages.last?.body else {
                Issue.record("expected disconnect", sourceLocation: sourceLocation)
                return
            }
            #expect(sent == reason, sourceLocation: sourceLocation)
        }
        // Audio before open.
        expectDisconnect(refused { _, s in s.receive(audio: [0xFF, 0xFF]) }, .unexpectedMessage)
        // A ping before open.
        expectDisconnect(refused { p, s in s.receive(text: p.message(.ping(rtt: nil))) }, .unexpectedMessage)
        // Another organization than the signed one.
        expectDisconnect(
            refused { p, s in s.receive(text: p.open(organizationId: "11111111-2222-4333-8444-555555555555")) },
            .organizationMismatch, reason: "unauthorized")
        // Nothing analysable offered.
        expectDisconnect(
            refused { p, s in
                p.media = [.init(format: "opus", channels: ["external"], rate: 48000), .init(format: "PCMU", channels: ["external"], rate: 16000)]
                return s.receive(text: p.open())
            }, .unsupportedMedia)
        // seq skips one.
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                p.seq += 1
                return s.receive(text: p.message(.ping(rtt: nil)))
            }, .sequenceError)
        // seq repeats.
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                p.seq -= 1
                return s.receive(text: p.message(.ping(rtt: nil)))
            }, .sequenceError)
        // serverseq acknowledges a message never sent.
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                p.serverSeq = 5
                return s.receive(text: p.message(.ping(rtt: nil)))
            }, .sequenceError)
        // position goes back.
        expectDisconnect(
            refused { p, s in
                p.positionMs = 5_000
                p.saw(s.receive(text: p.open()))
                p.positionMs = 4_000
                return s.receive(text: p.message(.ping(rtt: nil)))
            }, .sequenceError)
        // A second open.
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                return s.receive(text: p.open())
            }, .unexpectedMessage)
        // A server message sent by the platform.
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                return s.receive(text: AudioHookMessage(id: p.sessionId, seq: 2, clientSeq: 1, body: .pong).encoded())
            }, .unexpectedMessage)
        // Another session id than the upgrade request's.
        expectDisconnect(
            refused { p, s in
                s.receive(
                    text: AudioHookMessage(
                        id: "11111111-2222-4333-8444-555555555555", seq: 1, serverSeq: 0,
                        position: .zero, body: .ping(rtt: nil)
                    ).encoded())
            }, .malformedMessage)
        // Not JSON, wrong version, an oversized audio frame.
        expectDisconnect(refused { _, s in s.receive(text: Array("{\"version\":".utf8)) }, .malformedMessage)
        expectDisconnect(
            refused { p, s in
                var text = String(decoding: p.open(), as: UTF8.self)
                text = text.replacingOccurrences(of: "\"version\":\"2\"", with: "\"version\":\"1\"")
                return s.receive(text: Array(text.utf8))
            }, .unsupportedVersion)
        expectDisconnect(
            refused { p, s in
                p.saw(s.receive(text: p.open()))
                return s.receive(audio: [UInt8](repeating: 0xFF, count: 70_000))
            }, .frameTooLarge)
        // After the session ended, input is ignored.
        var ended = session()
        var platform = PlatformScript()
        _ = ended.receive(audio: [0xFF])
        #expect(ended.state == .ended)
        #expect(ended.receive(text: platform.open()).messages.isEmpty)
    }

    @Test("Neither a refusal nor a session's description carries the caller's number or name")
    func noPIIInErrors() throws {
        var refused = AudioHookSession(configuration: .init(organizationId: "11111111-2222-4333-8444-555555555555"))
        var platform = PlatformScript()
        let out = refused.receive(text: platform.open())
        #expect(out.error?.code == .organizationMismatch)
        let text = "\(out.error.map(String.init(describing:)) ?? "")" + out.messages.map { String(decoding: $0.encoded(), as: UTF8.self) }.joined()
        #expect(!text.contains("5551234567") && !text.contains("Pat Doe"))

        var accepted = session()
        var again = PlatformScript()
        #expect(accepted.receive(text: again.open()).error == nil)
        let participant = try #require(accepted.opened?.participant)
        #expect(participant.ani == "+15551234567")  // the value is there…
        #expect(!"\(participant)".contains("555") && !"\(participant)".contains("Pat"))  // …and never printed
    }
}
