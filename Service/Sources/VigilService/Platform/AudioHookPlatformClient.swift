import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOConcurrencyHelpers
import NIOCore
import VigilAudioHook

/// Plays Genesys Cloud's side of an AudioHook Monitor session against a server, for tests, load runs
/// and the demo: a signed upgrade request, `open`, the audio in 100 ms frames (at real time or
/// faster), a `ping` every 5 s of audio, then `close` — and records what the server sent back.
public struct AudioHookPlatformClient: Sendable {
    /// What the server did.
    public struct Result: Sendable {
        /// Every message the server sent, with when it arrived.
        public var received: [(message: AudioHookMessage, at: ContinuousClock.Instant)]
        /// When each audio frame was written (index = frame number, 100 ms of audio each); a frame a
        /// pause held back has the instant `resumed` was sent.
        public var frameSentAt: [ContinuousClock.Instant]
        /// The close frame's code, if the server closed the WebSocket.
        public var closeCode: String?
        /// When `open` was written (the platform expects `opened` within 5 s of it).
        public var openSentAt: ContinuousClock.Instant?

        /// `open` → `opened`, when both happened.
        public var openedAfter: Duration? {
            guard let openSentAt, let opened = received.first(where: { if case .opened = $0.message.body { true } else { false } })
            else { return nil }
            return opened.at - openSentAt
        }
    }

    /// What happens during the call besides audio and pings — the platform's other behaviours.
    public struct Script: Sendable {
        /// Sessions this one continues (a reconnect after a drop); `open`'s position is then
        /// ``openPositionMilliseconds``.
        public var continuedSessions: [AudioHookMessage.ContinuedSession] = []
        /// `open`'s `position` (the conversation time already streamed, for a continued session).
        public var openPositionMilliseconds = 0
        /// Secure pauses: after `afterFrame` frames, `paused`; the next `milliseconds` of the audio are
        /// not sent (at the playing speed, the time passes); then `resumed` reporting them discarded.
        public var pauses: [(afterFrame: Int, milliseconds: Int)] = []
        /// Drop the connection (no `close`) after this many frames.
        public var dropAfterFrames: Int?
        /// After this many frames, send a `ping` whose `seq` skips one (a protocol violation).
        public var skipSequenceAfterFrame: Int?

        /// An ordinary call.
        public init() {}
    }

    /// The server's WebSocket URL, e.g. `ws://127.0.0.1:8080/audiohook/ws`.
    public let url: URL
    /// Signs the upgrade request.
    public let signer: AudioHookRequestSigner
    /// The organization the integration belongs to.
    public let organizationId: String
    private let logger: Logger

    /// Creates a client.
    public init(url: URL, signer: AudioHookRequestSigner, organizationId: String, logger: Logger) {
        self.url = url
        self.signer = signer
        self.organizationId = organizationId
        self.logger = logger
    }

    /// Streams one call.
    ///
    /// - Parameters:
    ///   - audio: interleaved stereo PCMU (external, internal), 8 kHz.
    ///   - speed: 1 for real time; larger plays faster (0 = as fast as the socket takes it).
    ///   - nonce: the signature's nonce (a fresh UUID by default; reuse one to test replay refusal).
    ///   - headers: override the signed headers (to send a tampered request).
    ///   - script: pauses, a drop, a continued session, a sequence error.
    public func stream(
        conversationId: String, sessionId: String = UUID().uuidString.lowercased(), audio: [UInt8],
        speed: Double = 1, nonce: String = UUID().uuidString,
        headers override: [(name: String, value: String)]? = nil, script: Script = Script()
    ) async throws -> Result {
        let authority = "\(url.host ?? "127.0.0.1")\(url.port.map { ":\($0)" } ?? "")"
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        let signed =
            override
            ?? signer.headers(
                target: target, authority: authority, organizationId: organizationId,
                sessionId: sessionId, correlationId: UUID().uuidString.lowercased(),
                nonce: nonce, created: Date())
        var fields = HTTPFields()
        for (name, value) in signed where name.lowercased() != "host" {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        let received = NIOLockedValueBox([(message: AudioHookMessage, at: ContinuousClock.Instant)]())
        let sent = NIOLockedValueBox([ContinuousClock.Instant]())
        let openSentAt = NIOLockedValueBox<ContinuousClock.Instant?>(nil)
        let organizationId = organizationId
        let close = try await WebSocketClient.connect(
            url: url.absoluteString, configuration: .init(additionalHeaders: fields), logger: logger
        ) { inbound, outbound, _ in
            var seq = 0
            var serverSeq = 0
            var position = 0
            func send(_ body: AudioHookMessage.Body) async throws {
                seq += 1
                let message = AudioHookMessage(
                    id: sessionId, seq: seq, serverSeq: serverSeq,
                    position: AudioHookDuration(milliseconds: position), body: body)
                try await outbound.write(.text(String(decoding: message.encoded(), as: UTF8.self)))
            }
            // Read the server's messages concurrently; remember the last seq to acknowledge it.
            let lastServerSeq = NIOLockedValueBox(0)
            let reader = Task {
                for try await frame in inbound.messages(maxSize: 1 << 16) {
                    guard case .text(let text) = frame, let message = try? AudioHookMessage.decode(Array(text.utf8)) else { continue }
                    lastServerSeq.withLockedValue { $0 = message.seq }
                    received.withLockedValue { $0.append((message, .now)) }
                }
            }
            position = script.openPositionMilliseconds
            try await send(
                .open(
                    .init(
                        organizationId: organizationId, conversationId: conversationId,
                        participant: .init(
                            id: UUID().uuidString.lowercased(), ani: "+15550100", aniName: "Test Caller",
                            dnis: "+15550199"),
                        media: [.init(format: "PCMU", channels: ["external", "internal"], rate: 8000)],
                        continuedSessions: script.continuedSessions)))
            openSentAt.withLockedValue { $0 = .now }
            // Wait (up to 5 s, the platform's budget) for `opened` before sending audio.
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, lastServerSeq.withLockedValue({ $0 }) == 0 {
                try await Task.sleep(for: .milliseconds(2))
            }
            func disconnected() -> Bool {
                received.withLockedValue { $0.contains { if case .disconnect = $0.message.body { true } else { false } } }
            }
            let frameBytes = 1600  // 100 ms of stereo PCMU
            let frameCount = (audio.count + frameBytes - 1) / frameBytes
            let start = ContinuousClock.now
            var frame = 0, sentFrames = 0
            while frame < frameCount, !disconnected() {
                if script.dropAfterFrames == sentFrames {  // the connection goes away: no `close`
                    reader.cancel()
                    return
                }
                if let pause = script.pauses.first(where: { $0.afterFrame == frame }) {
                    serverSeq = lastServerSeq.withLockedValue { $0 }
                    try await send(.paused)
                    let skipped = min(frameCount - frame, (pause.milliseconds + 99) / 100)
                    if speed > 0 { try await Task.sleep(until: start + .milliseconds(Int(Double((frame + skipped) * 100) / speed))) }
                    let pausedAt = position
                    position += skipped * 100
                    try await send(
                        .resumed(
                            .init(
                                start: AudioHookDuration(milliseconds: pausedAt),
                                discarded: AudioHookDuration(milliseconds: skipped * 100))))
                    let resumedAt = ContinuousClock.now
                    sent.withLockedValue { $0 += Array(repeating: resumedAt, count: skipped) }
                    frame += skipped
                    continue
                }
                if speed > 0 {
                    let due = start + .milliseconds(Int(Double(frame * 100) / speed))
                    if due > .now { try await Task.sleep(until: due) }
                }
                let offset = frame * frameBytes
                var buffer = ByteBufferAllocator().buffer(capacity: frameBytes)
                buffer.writeBytes(audio[offset..<min(audio.count, offset + frameBytes)])
                try await outbound.write(.binary(buffer))
                sent.withLockedValue { $0.append(.now) }
                frame += 1
                sentFrames += 1
                position += 100
                if script.skipSequenceAfterFrame == frame {
                    seq += 1  // the skipped number
                    try await send(.ping(rtt: nil))
                } else if frame % 50 == 0 {
                    serverSeq = lastServerSeq.withLockedValue { $0 }
                    try await send(.ping(rtt: nil))
                }
            }
            if !disconnected() {
                serverSeq = lastServerSeq.withLockedValue { $0 }
                try await send(.close(reason: "end"))
            }
            // Wait for `closed` (or the server hanging up: the library then cancels this handler — the
            // call is over, not failed).
            let closeDeadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < closeDeadline, !disconnected(), !Task.isCancelled,
                !received.withLockedValue({ $0.contains { if case .closed = $0.message.body { true } else { false } } })
            {
                try? await Task.sleep(for: .milliseconds(5))
            }
            reader.cancel()
        }
        return Result(
            received: received.withLockedValue { $0 }, frameSentAt: sent.withLockedValue { $0 },
            closeCode: close.map { "\($0.closeCode)" }, openSentAt: openSentAt.withLockedValue { $0 })
    }
}
