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
        /// When each audio frame was written (index = frame number, 100 ms of audio each).
        public var frameSentAt: [ContinuousClock.Instant]
        /// The close frame's code, if the server closed the WebSocket.
        public var closeCode: String?
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
    public func stream(conversationId: String, sessionId: String = UUID().uuidString.lowercased(), audio: [UInt8],
                       speed: Double = 1, nonce: String = UUID().uuidString,
                       headers override: [(name: String, value: String)]? = nil) async throws -> Result {
        let authority = "\(url.host ?? "127.0.0.1")\(url.port.map { ":\($0)" } ?? "")"
        var target = url.path.isEmpty ? "/" : url.path
        if let query = url.query { target += "?" + query }
        let signed = override ?? signer.headers(target: target, authority: authority, organizationId: organizationId,
                                                sessionId: sessionId, correlationId: UUID().uuidString.lowercased(),
                                                nonce: nonce, created: Date())
        var fields = HTTPFields()
        for (name, value) in signed where name.lowercased() != "host" {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        let received = NIOLockedValueBox([(message: AudioHookMessage, at: ContinuousClock.Instant)]())
        let sent = NIOLockedValueBox([ContinuousClock.Instant]())
        let organizationId = organizationId
        let close = try await WebSocketClient.connect(
            url: url.absoluteString, configuration: .init(additionalHeaders: fields), logger: logger
        ) { inbound, outbound, _ in
            var seq = 0
            var serverSeq = 0
            var position = 0
            func send(_ body: AudioHookMessage.Body) async throws {
                seq += 1
                let message = AudioHookMessage(id: sessionId, seq: seq, serverSeq: serverSeq,
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
            try await send(.open(.init(organizationId: organizationId, conversationId: conversationId,
                                       participant: .init(id: UUID().uuidString.lowercased(), ani: "+15550100", aniName: "Test Caller",
                                                          dnis: "+15550199"),
                                       media: [.init(format: "PCMU", channels: ["external", "internal"], rate: 8000)])))
            // Wait (up to 5 s, the platform's budget) for `opened` before sending audio.
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, lastServerSeq.withLockedValue({ $0 }) == 0 {
                try await Task.sleep(for: .milliseconds(2))
            }
            let frameBytes = 1600  // 100 ms of stereo PCMU
            let start = ContinuousClock.now
            for (index, offset) in stride(from: 0, to: audio.count, by: frameBytes).enumerated() {
                if speed > 0 {
                    let due = start + .milliseconds(Int(Double(index * 100) / speed))
                    if due > .now { try await Task.sleep(until: due) }
                }
                var buffer = ByteBufferAllocator().buffer(capacity: frameBytes)
                buffer.writeBytes(audio[offset..<min(audio.count, offset + frameBytes)])
                try await outbound.write(.binary(buffer))
                sent.withLockedValue { $0.append(.now) }
                position = (index + 1) * 100
                if (index + 1) % 50 == 0 {
                    serverSeq = lastServerSeq.withLockedValue { $0 }
                    try await send(.ping(rtt: nil))
                }
            }
            serverSeq = lastServerSeq.withLockedValue { $0 }
            try await send(.close(reason: "end"))
            // Wait for `closed` (or the server hanging up).
            let closeDeadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < closeDeadline,
                  !received.withLockedValue({ $0.contains { if case .closed = $0.message.body { true } else { false } } }) {
                try await Task.sleep(for: .milliseconds(5))
            }
            reader.cancel()
        }
        return Result(received: received.withLockedValue { $0 }, frameSentAt: sent.withLockedValue { $0 },
                      closeCode: close.map { "\($0.closeCode)" })
    }
}
