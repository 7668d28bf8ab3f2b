import Foundation
import VigilAnalysis
import VigilCore
import VigilModels
import VigilTesting

enum Calls {
    static let sampleRate = 8000

    /// A stereo call of `seconds`: DTMF key strings at given times on `channel`, quiet speech-like
    /// noise on the other channel.
    static func stereo(
        seconds: Double, keys: [(atMs: Double, keys: String)], channel: Int = 0,
        encoding: AudioEncoding = .muLaw
    ) -> [UInt8] {
        let synth = DTMFSynthesizer(sampleRate: sampleRate)
        let count = Int(seconds * Double(sampleRate))
        var tones = [Float](repeating: 0, count: count)
        for entry in keys {
            let samples = synth.sequence(entry.keys)
            let start = Int(entry.atMs * Double(sampleRate) / 1000)
            for index in samples.indices where start + index < count { tones[start + index] = samples[index] }
        }
        let other = Array(TalkOffSignals.speech(seconds: seconds + 1, seed: 7).prefix(count))
        let channels = channel == 0 ? [tones, other] : [other, tones]
        return WAVEncoder.encode(channels, format: AudioFormat(encoding: encoding, sampleRate: sampleRate, channelCount: 2))
    }

    static func request(format: MediaFormat? = .wavUlaw) -> ComplianceRequest {
        ComplianceRequest(
            correlationId: CorrelationID("evt-sub-req-8847291")!,
            recordingId: GenesysID("a1b2c3d4-e5f6-7890-abcd-ef1234567890")!,
            conversationId: GenesysID("2f7bf00a-0000-4000-8000-000000000001")!,
            media: MediaLink(
                uri: PresignedURL(string: "https://media.example.com/rec.wav?sig=x")!,
                expiresAt: Date(timeIntervalSince1970: 2_000_000_000), format: format),
            requestedAt: Date(timeIntervalSince1970: 1_900_000_000))
    }

    /// Serves `bytes` in `chunkSize` pieces, pulled lazily; `pulled` counts the chunks handed out.
    static func serving(
        _ bytes: [UInt8], chunkSize: Int = 8000, pulled: Locked<Int> = Locked(0),
        status: Int = 200
    ) -> StubTransport {
        StubTransport { _, _ in
            let chunks = stride(from: 0, to: bytes.count, by: chunkSize).map {
                Array(bytes[$0..<min(bytes.count, $0 + chunkSize)])
            }
            let stream = AsyncStream<[UInt8]> {
                let index = pulled.withLock { $0 }
                guard index < chunks.count else { return nil }
                pulled.withLock { $0 += 1 }
                return chunks[index]
            }
            return (HTTPResponse(status: status), HTTPBody(stream))
        }
    }

    static func digitEvents(_ keys: String, channel: Int = 0, atMs: Int, onMs: Int = 60, offMs: Int = 60)
        -> [DTMFDigitEvent]
    {
        let quality = DTMFSignalQuality(
            lowLevelDBm0: -10, highLevelDBm0: -10, twistDB: 0, toneToTotalRatio: 0.99,
            snrDB: 40, lowFrequencyDeviation: 0, highFrequencyDeviation: 0, validWindows: 10)
        return keys.compactMap(DTMFDigit.init(character:)).enumerated().map { index, digit in
            let start = (atMs + index * (onMs + offMs)) * 8
            return DTMFDigitEvent(
                digit: digit, channel: channel, startSample: start, endSample: start + onMs * 8,
                sampleRate: 8000, quality: quality)
        }
    }
}
