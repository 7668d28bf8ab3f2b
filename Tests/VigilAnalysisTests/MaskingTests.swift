import Testing
import VigilAnalysis

@Suite("Evidence clip masking")
struct MaskingTests {
    @Test(arguments: [AudioEncoding.muLaw, .aLaw, .pcm16])
    func maskedSpansAreSilentAndTheRestIsByteIdentical(encoding: AudioEncoding) throws {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        let customer = synth.sequence("4111111111111111", leadingMilliseconds: 1000) + synth.generator.silence(milliseconds: 300)
        let agent = Array(TalkOffSignals.speech(seconds: Double(customer.count) / 8000 + 1, seed: 3).prefix(customer.count))
        let format = AudioFormat(encoding: encoding, sampleRate: 8000, channelCount: 2)
        let wav = WAVEncoder.encode([customer, agent], format: format)

        var scanner = DTMFScanner()
        let events = try scanner.consumeWAV(wav) + scanner.finish()
        #expect(keys(events) == "4111111111111111")

        // Mask the whole digit run with 20 ms of margin, plus an unrelated span in the middle.
        let first = try #require(events.first), last = try #require(events.last)
        let runSpan = (first.startMilliseconds - 20)..<(last.startMilliseconds + last.durationMilliseconds + 20)
        let spans = [runSpan, 100..<150]

        // Stream in awkward chunk sizes; must equal the one-shot result and keep the length.
        var masker = EvidenceClipMasker(maskedSpans: spans)
        var masked: [UInt8] = []
        var start = 0
        var size = 1
        while start < wav.count {
            let end = min(wav.count, start + size)
            masked += try masker.consume(wav[start..<end])
            start = end
            size = size * 3 % 997 + 1
        }
        try masker.finish()
        #expect(masker.format == format)
        #expect(masked == (try EvidenceClipMasker.mask(wav, spans: spans)))
        #expect(masked.count == wav.count)

        // Outside the spans: byte-identical. Inside: the encoding's silence.
        let dataStart = wav.count - (customer.count * format.blockAlign)
        let silence = encoding.silence[0]
        for index in wav.indices {
            let inData = index >= dataStart
            let frame = (index - dataStart) / format.blockAlign
            let millisecond = Double(frame) * 1000 / 8000
            let inSpan = inData && spans.contains { Double($0.lowerBound) <= millisecond && millisecond < Double($0.upperBound) }
            if inSpan {
                #expect(masked[index] == silence)
            } else if masked[index] != wav[index] {
                Issue.record("byte \(index) changed outside the masked spans")
                break
            }
        }

        // The detector finds nothing in the masked clip (the speech channel stays intact).
        var rescanner = DTMFScanner()
        #expect(try rescanner.consumeWAV(masked) + rescanner.finish() == [])
    }

    @Test func partialMaskKeepsTheUnmaskedDigits() throws {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        let samples = synth.sequence("12345678", leadingMilliseconds: 100)
        let format = AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1)
        let wav = WAVEncoder.encode([samples], format: format)
        // Digits 3–6 sit at 340…800 ms (120 ms per press).
        let masked = try EvidenceClipMasker.mask(wav, spans: [330..<810])
        var scanner = DTMFScanner()
        let found = try scanner.consumeWAV(masked) + scanner.finish()
        #expect(keys(found) == "1278")
        #expect(!found.contains { (330..<810).contains($0.startMilliseconds) })
    }

    @Test func maskerReportsDecodingErrors() {
        #expect(throws: AudioDecodingError.self) { _ = try EvidenceClipMasker.mask(Array("OggS....".utf8), spans: []) }
        let wav = WAVEncoder.encode([[0, 0.1, 0.2, 0.3]], format: AudioFormat(encoding: .pcm16, sampleRate: 8000, channelCount: 1))
        #expect(throws: AudioDecodingError.self) { _ = try EvidenceClipMasker.mask(Array(wav.dropLast(3)), spans: [0..<1]) }
    }
}
