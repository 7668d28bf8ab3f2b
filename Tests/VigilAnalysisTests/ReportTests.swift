import Foundation
import Testing
import VigilAnalysis
import VigilCore

/// Generates the detection / false-alarm table of Documentation/dtmf-detection.md and a throughput
/// figure. Not part of the normal run: enable with `VIGIL_DTMF_REPORT=1` (table) or
/// `VIGIL_DTMF_BENCH=1` (throughput, meaningful only with `swift test -c release`).
@Suite("DTMF report")
struct DTMFReport {
    static let synth = DTMFSynthesizer(sampleRate: 8000)

    static func rate(_ hits: Int, _ total: Int) -> String {
        String(format: "%.1f %%", 100 * Double(hits) / Double(max(total, 1)))
    }

    /// Presses of every key, `repeats` each, detected count of the right key.
    static func detected(_ make: (DTMFDigit) -> DTMFSynthesizer.Press, repeats: Int = 3, muLaw: Bool = false) -> (Int, Int) {
        var hits = 0, total = 0
        for digit in DTMFDigit.allCases {
            let press = make(digit)
            var signal = synth.sequence(Array(repeating: press, count: repeats), leadingMilliseconds: 30)
            if muLaw { signal = ToneGenerator.muLawRoundTrip(signal) }
            hits += detect(signal).filter { $0.digit == digit }.count
            total += repeats
        }
        return (hits, total)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_DTMF_REPORT"] != nil))
    func table() {
        var out = "| Sweep | Condition | Detected | Note |\n|---|---|---|---|\n"
        let nominal = Self.detected({ .init($0, onMilliseconds: 50, offMilliseconds: 50) }, repeats: 10, muLaw: true)
        out += "| Nominal, µ-law | 16 keys × 10, 50 ms on/off, −10 dBm0 | \(Self.rate(nominal.0, nominal.1)) (\(nominal.0)/\(nominal.1)) | |\n"
        for offset in [-4.0, -3.5, -3.0, -2.5, -2.0, -1.5, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0] {
            let low = Self.detected { .init($0, onMilliseconds: 50, offMilliseconds: 50, lowOffset: offset / 100) }
            let high = Self.detected { .init($0, onMilliseconds: 50, offMilliseconds: 50, highOffset: offset / 100) }
            let note = abs(offset) <= 1.5 ? "must detect" : abs(offset) >= 3.5 ? "must reject" : ""
            out +=
                "| Frequency offset | \(String(format: "%+.1f", offset)) % low tone / high tone | \(Self.rate(low.0, low.1)) / \(Self.rate(high.0, high.1)) | \(note) |\n"
        }
        // Acceptance band per tone (Mitel-style bandwidth test): 0.1 % steps, 5 presses, all 5 found.
        for digit in [DTMFDigit.one, .five, .nine, .d] {
            var bands: [String] = []
            for lowTone in [true, false] {
                let accepted = (-50...50).filter { step in
                    let offset = Double(step) / 1000
                    let press = DTMFSynthesizer.Press(
                        digit, onMilliseconds: 50, offMilliseconds: 50,
                        lowOffset: lowTone ? offset : 0, highOffset: lowTone ? 0 : offset)
                    return detect(Self.synth.sequence(Array(repeating: press, count: 5), leadingMilliseconds: 30)).filter { $0.digit == digit }.count
                        == 5
                }
                bands.append(String(format: "%+.1f … %+.1f %%", Double(accepted.min() ?? 0) / 10, Double(accepted.max() ?? 0) / 10))
            }
            out +=
                "| Acceptance band, key \(digit) | low \(Int(digit.lowFrequency)) Hz / high \(Int(digit.highFrequency)) Hz | \(bands[0]) / \(bands[1]) | 5/5 presses |\n"
        }
        for twist in [-7.0, -6, -5, -4, -3, 0, 4, 6, 8, 9, 10, 11] {
            let result = Self.detected { .init($0, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: -12, twistDB: twist) }
            let note = twist == 8 || twist == -4 ? "must detect" : twist >= 10 || twist <= -6 ? "must reject (our margin)" : ""
            out += "| Twist (high − low) | \(String(format: "%+.0f", twist)) dB | \(Self.rate(result.0, result.1)) | \(note) |\n"
        }
        for level in [-3.0, -10, -20, -30, -36, -38, -40, -42, -44, -48] {
            let result = Self.detected({ .init($0, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: level) }, muLaw: true)
            out += "| Level per tone, µ-law | \(Int(level)) dBm0 | \(Self.rate(result.0, result.1)) | |\n"
        }
        for duration in [20.0, 23, 25, 26, 28, 30, 32, 34, 36, 38, 40] {
            var hits = 0
            for alignment in 0..<51 {
                let press = DTMFSynthesizer.Press(.five, onMilliseconds: duration, offMilliseconds: 60)
                hits += detect(Self.synth.sequence([press], leadingMilliseconds: 20 + Double(alignment) / 8)).count
            }
            out +=
                "| Tone duration | \(Int(duration)) ms, 51 alignments | \(Self.rate(hits, 51)) | \(duration <= 23 ? "must reject" : duration >= 40 ? "must detect" : "") |\n"
        }
        for gap in [5.0, 10, 15, 20, 25, 30, 40] {
            var split = 0
            for alignment in 0..<51 {
                let presses: [DTMFSynthesizer.Press] = [.init(.seven, onMilliseconds: 50, offMilliseconds: gap), .init(.seven, onMilliseconds: 50)]
                split += detect(Self.synth.sequence(presses, leadingMilliseconds: 20 + Double(alignment) / 8)).count == 2 ? 1 : 0
            }
            out +=
                "| Gap between two presses of 7 | \(Int(gap)) ms, 51 alignments: reported as two | \(Self.rate(split, 51)) | \(gap >= 40 ? "must split" : "") |\n"
        }
        for snr in [24.0, 18, 15, 12, 10, 8, 6] {
            let result = DTMFDetectorTests.noiseRun(levelDBm0: -10, snrDB: snr, seed: UInt64(snr * 10))
            out +=
                "| White noise, µ-law | S/N \(Int(snr)) dB, 160 keys | \(Self.rate(result.correct, 160)) | \(result.events - result.correct) extra/wrong events |\n"
        }
        // False alarms.
        var speechSeconds = 0.0, speechFalse = 0
        for seed in 100..<110 {
            let speech = TalkOffSignals.speech(seconds: 60, seed: UInt64(seed))
            speechSeconds += Double(speech.count) / 8000
            speechFalse += detect(ToneGenerator.muLawRoundTrip(speech)).count
        }
        out += "| Talk-off: speech-like | \(Int(speechSeconds)) s, 10 seeds, µ-law | \(speechFalse) false digits | |\n"
        var musicSeconds = 0.0, musicFalse = 0
        for seed in 200..<205 {
            let music = TalkOffSignals.music(seconds: 60, seed: UInt64(seed))
            musicSeconds += Double(music.count) / 8000
            musicFalse += detect(music).count
        }
        out += "| Talk-off: music-like chords | \(Int(musicSeconds)) s, 5 seeds | \(musicFalse) false digits | |\n"
        var rng = SplitMix64(seed: 99)
        var noiseFalse = 0
        for level in [-10.0, -20, -30, -40] {
            noiseFalse += detect(Self.synth.generator.whiteNoise(count: 8000 * 60, levelDBm0: level, using: &rng)).count
        }
        out += "| White noise only | 4 × 60 s at −10/−20/−30/−40 dBm0 | \(noiseFalse) false digits | |\n"
        print("\n" + out)
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_DTMF_BENCH"] != nil))
    func throughput() throws {
        // Ten minutes of 8 kHz µ-law: speech-like signal with a card number every 30 s.
        var samples: [Float] = []
        var rng = SplitMix64(seed: 5)
        while samples.count < 8000 * 600 {
            samples += TalkOffSignals.speech(seconds: 27, seed: rng.next())
            samples += Self.synth.sequence("4111111111111111", onMilliseconds: 60, offMilliseconds: 60)
        }
        let seconds = Double(samples.count) / 8000
        let wav = WAVEncoder.encode([samples], format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1))
        func cpuTime() -> Double { Double(clock()) / Double(CLOCKS_PER_SEC) }
        var bestBaseline = Double.infinity, bestDetector = Double.infinity
        var sink: Float = 0
        var digits = 0
        for _ in 0..<5 {
            var start = cpuTime()
            var decoder = WAVStreamDecoder()
            for offset in stride(from: 0, to: wav.count, by: 65_536) {
                if let block = try decoder.consume(wav[offset..<min(wav.count, offset + 65_536)]) {
                    for value in block.channels[0] { sink += value }
                }
            }
            try decoder.finish()
            bestBaseline = min(bestBaseline, cpuTime() - start)

            start = cpuTime()
            var scanner = DTMFScanner()
            var events: [DTMFDigitEvent] = []
            for offset in stride(from: 0, to: wav.count, by: 65_536) {
                events += try scanner.consumeWAV(wav[offset..<min(wav.count, offset + 65_536)])
            }
            events += try scanner.finish()
            bestDetector = min(bestDetector, cpuTime() - start)
            digits = events.count
        }
        print(
            String(
                format: "audio %.0f s; decode+sum %.4f s CPU (%.0fx real time); decode+DTMF %.4f s CPU (%.0fx real time); %d digits; sink %f",
                seconds, bestBaseline, seconds / bestBaseline, bestDetector, seconds / bestDetector, digits, sink))
    }
}
