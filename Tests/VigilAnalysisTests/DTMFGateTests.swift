import Testing
import VigilCore

@testable import VigilAnalysis

/// The energy gate skips the Goertzel filters of half-blocks that no window above the energy floor
/// needs. These tests run the same audio through a gated and an ungated detector and require the
/// same events (start, end, quality, bit for bit) and the same window statistics, on signals built to
/// sit on the gate's edges: tones whose windows straddle the floor, digits that begin and end next
/// to silence at every sample phase, speech and music around keyed digits, and every chunk size.
@Suite("DTMF energy gate changes no result")
struct DTMFGateTests {
    private func run(_ samples: [Float], sampleRate: Int, chunks: [Int], gated: Bool)
        -> (events: [DTMFDigitEvent], statistics: DTMFDetector.Statistics, processed: Int)
    {
        var detector = DTMFDetector(sampleRate: sampleRate)
        detector.gatesByEnergy = gated
        var events: [DTMFDigitEvent] = []
        var start = 0
        var index = 0
        while start < samples.count {
            let end = min(samples.count, start + chunks[index % chunks.count])
            events += detector.process(samples[start..<end])
            start = end
            index += 1
        }
        let processed = detector.samplesProcessed
        events += detector.finish()
        return (events, detector.statistics, processed)
    }

    private func expectSame(
        _ samples: [Float], sampleRate: Int = 8000, chunks: [Int] = [160],
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> [DTMFDigitEvent] {
        let gated = run(samples, sampleRate: sampleRate, chunks: chunks, gated: true)
        let ungated = run(samples, sampleRate: sampleRate, chunks: chunks, gated: false)
        #expect(gated.events == ungated.events, sourceLocation: sourceLocation)
        #expect(gated.statistics == ungated.statistics, sourceLocation: sourceLocation)
        #expect(gated.processed == samples.count, sourceLocation: sourceLocation)
        return gated.events
    }

    @Test("Levels around the floor, at every onset phase of a half-block", arguments: [8000, 16000])
    func levelsAroundTheFloor(sampleRate: Int) {
        let synth = DTMFSynthesizer(sampleRate: sampleRate)
        let half = DTMFDetector(sampleRate: sampleRate).halfBlockLength
        var found = 0
        for level in stride(from: -50.0, through: -36.0, by: 1.0) {
            for phase in stride(from: 0, to: half, by: max(1, half / 6)) {
                var samples = [Float](repeating: 0, count: phase)
                samples += synth.sequence([
                    .init(.five, onMilliseconds: 45, offMilliseconds: 30, levelDBm0: level),
                    .init(.five, onMilliseconds: 45, offMilliseconds: 25, levelDBm0: level, twistDB: 6),
                    .init(.nine, onMilliseconds: 40, offMilliseconds: 60, levelDBm0: level, twistDB: -4)
                ])
                found += expectSame(samples, sampleRate: sampleRate).count
            }
        }
        // The sweep must cross the level limit: digits found at the loud end, none at the quiet end.
        #expect(found > 0)
        #expect(expectSame(synth.sequence("5", levelDBm0: -50), sampleRate: sampleRate).isEmpty)
    }

    @Test("A tone rising and falling out of silence, with noise near the floor")
    func rampsAndNoise() {
        var rng = SplitMix64(seed: 11)
        let synth = DTMFSynthesizer(sampleRate: 8000)
        var samples: [Float] = []
        for (index, digit) in DTMFDigit.allCases.enumerated() {
            var tone = synth.tone(.init(digit, onMilliseconds: 50 + Double(index * 7), levelDBm0: -38))
            for i in tone.indices {  // a fade in and out over the first and last 10 ms
                let edge = Float(min(i, tone.count - 1 - i)) / 80
                tone[i] *= min(1, edge)
            }
            samples += synth.generator.whiteNoise(count: 37 * (index + 1), levelDBm0: -47, using: &rng)
            samples += tone
        }
        synth.generator.addWhiteNoise(to: &samples, snrDB: 14, using: &rng)
        let events = expectSame(samples, chunks: [1, 50, 51, 52, 203, 204, 205, 4096])
        #expect(events.count >= 10)
    }

    @Test("Keyed digits inside speech and music, every chunk size from 1 to 409")
    func speechMusicAndChunking() {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        var samples = TalkOffSignals.shaped(TalkOffSignals.speech(seconds: 2, seed: 7), levelDBm0: -20, sampleRate: 8000)
        samples += synth.sequence("4111", onMilliseconds: 70, offMilliseconds: 50, levelDBm0: -15)
        samples += TalkOffSignals.shaped(TalkOffSignals.music(seconds: 1.5, seed: 3), levelDBm0: -25, sampleRate: 8000)
        samples += synth.sequence("123#", onMilliseconds: 45, offMilliseconds: 40, levelDBm0: -30)
        samples += [Float](repeating: 0, count: 800)
        #expect(keys(expectSame(samples)).hasSuffix("4111123#"))
        for chunk in [1, 7, 50, 51, 102, 203, 204, 205, 409] {
            _ = expectSame(samples, chunks: [chunk, chunk * 3 + 1])
        }
    }

    @Test("The gate skips the filters of silent half-blocks")
    func theGateSkipsSilence() {
        var detector = DTMFDetector(sampleRate: 8000)
        let silence = [Float](repeating: 0, count: 8000)
        _ = detector.process(silence)
        // Nothing above the floor: every window is rejected by energy and no half-block was filtered.
        #expect(detector.statistics.belowEnergyFloor == detector.statistics.windows)
        #expect(detector.filteredHalves == 0)
        let tone = DTMFSynthesizer(sampleRate: 8000).sequence("7", levelDBm0: -10)
        _ = detector.process(tone)
        #expect(detector.filteredHalves > 0)
        #expect(detector.filteredHalves < detector.samplesProcessed / detector.halfBlockLength / 2)
    }
}
