import Testing
import VigilAnalysis
import VigilCore

let allKeys = "123A456B789C*0#D"

@Suite("DTMF detector")
struct DTMFDetectorTests {
    let synth = DTMFSynthesizer(sampleRate: 8000)

    /// `count` presses of `press` (its on/off times), after 30 ms of silence.
    func repeated(_ press: DTMFSynthesizer.Press, count: Int = 3) -> [Float] {
        synth.sequence(Array(repeating: press, count: count), leadingMilliseconds: 30)
    }

    @Test func allSixteenDigitsAtNominalFrequencies() {
        let events = detect(synth.sequence(allKeys, leadingMilliseconds: 100))
        #expect(keys(events) == allKeys)
        for (index, event) in events.enumerated() {
            #expect(abs(event.startMilliseconds - (100 + 120 * index)) <= 10, "\(event)")
            #expect(abs(event.durationMilliseconds - 60) <= 10, "\(event)")
            #expect(event.confidence > 0.8 && event.confidence <= 1, "\(event) \(event.quality)")
            #expect(abs(event.quality.twistDB) < 0.5)
            #expect(abs(event.quality.lowLevelDBm0 + 10) < 0.5)
            #expect(abs(event.quality.lowFrequencyDeviation) < 0.003)
        }
    }

    @Test(arguments: DTMFDigit.allCases)
    func frequencyToleranceOfEachTone(digit: DTMFDigit) {
        for offset in [-0.015, 0.015, -0.035, 0.035] {
            for lowTone in [true, false] {
                let press = DTMFSynthesizer.Press(
                    digit, onMilliseconds: 50, offMilliseconds: 50,
                    lowOffset: lowTone ? offset : 0, highOffset: lowTone ? 0 : offset)
                let found = keys(detect(repeated(press)))
                let expected = abs(offset) < 0.02 ? String(repeating: digit.rawValue, count: 3) : ""
                #expect(found == expected, "\(digit) \(lowTone ? "low" : "high") tone offset \(offset * 100) %")
            }
        }
    }

    @Test func frequencyToleranceWithBothTonesOffset() {
        for digit in DTMFDigit.allCases {
            for (low, high) in [(0.015, 0.015), (-0.015, -0.015), (0.015, -0.015), (-0.015, 0.015)] {
                let press = DTMFSynthesizer.Press(digit, onMilliseconds: 50, offMilliseconds: 50, lowOffset: low, highOffset: high)
                #expect(keys(detect(repeated(press, count: 1))) == String(digit.rawValue), "\(digit) \(low) \(high)")
            }
        }
    }

    /// Tone durations at 17 start alignments relative to the analysis grid (every 3 samples of a
    /// 51-sample half-block).
    func detections(durationMilliseconds: Double) -> Int {
        (0..<17).reduce(0) { total, alignment in
            let press = DTMFSynthesizer.Press(.five, onMilliseconds: durationMilliseconds, offMilliseconds: 60)
            return total + detect(synth.sequence([press], leadingMilliseconds: 20 + Double(alignment * 3) / 8)).count
        }
    }

    @Test func minimumToneDuration() {
        #expect(detections(durationMilliseconds: 40) == 17)
        #expect(detections(durationMilliseconds: 50) == 17)
        #expect(detections(durationMilliseconds: 60) == 17)
        #expect(detections(durationMilliseconds: 23) == 0)
        #expect(detections(durationMilliseconds: 25) == 0)
        // 30 ms is implementation-defined: accepted only when the tone happens to cover enough of
        // the analysis grid (about a third of alignments; see Documentation/dtmf-detection.md).
        let at30 = detections(durationMilliseconds: 30)
        #expect(at30 > 0 && at30 < 17)
    }

    @Test(arguments: DTMFDigit.allCases)
    func twistLimits(digit: DTMFDigit) {
        for (twist, accepted) in [(8.0, true), (-4.0, true), (0, true), (10.0, false), (-6.0, false)] {
            let press = DTMFSynthesizer.Press(digit, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: -12, twistDB: twist)
            let found = detect(repeated(press))
            #expect(keys(found) == (accepted ? String(repeating: digit.rawValue, count: 3) : ""), "\(digit) twist \(twist) dB")
            if accepted, let first = found.first {
                #expect(abs(first.quality.twistDB - twist) < 1, "measured twist \(first.quality.twistDB)")
            }
        }
    }

    @Test func dynamicRangeOver35dBThroughMuLaw() {
        // −3 dBm0 per tone is the loudest that does not clip a full-scale µ-law channel.
        for digit in [DTMFDigit.one, .five, .nine, .d, .zero, .pound] {
            let presses = stride(from: -3.0, through: -39, by: -1).map {
                DTMFSynthesizer.Press(digit, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: $0)
            }
            let signal = ToneGenerator.muLawRoundTrip(synth.sequence(presses, leadingMilliseconds: 20))
            let found = detect(signal)
            #expect(found.count == presses.count, "\(digit)")
            #expect(found.allSatisfy { $0.digit == digit })
            for (event, press) in zip(found, presses) {
                #expect(abs(event.quality.lowLevelDBm0 - press.levelDBm0) < 1.5, "\(event.quality.lowLevelDBm0) vs \(press.levelDBm0)")
            }
        }
        for digit in DTMFDigit.allCases {
            let ends = [-3.0, -38].map { DTMFSynthesizer.Press(digit, onMilliseconds: 50, offMilliseconds: 50, levelDBm0: $0) }
            #expect(keys(detect(ToneGenerator.muLawRoundTrip(synth.sequence(ends)))) == String(repeating: digit.rawValue, count: 2))
        }
        // Below the floor (−42 dBm0 per tone) nothing is reported.
        #expect(detect(repeated(.init(.five, onMilliseconds: 60, levelDBm0: -46))).isEmpty)
    }

    /// 160 digits (each key 10 times), 50 ms on / 50 ms off, with white noise at `snrDB` below the
    /// dual tone's power (noise over the whole band, present in the gaps too), through µ-law.
    /// Returns (correct digits, total events).
    static func noiseRun(levelDBm0: Double, snrDB: Double, seed: UInt64) -> (correct: Int, events: Int) {
        let synth = DTMFSynthesizer(sampleRate: 8000)
        let presses = (0..<160).map {
            DTMFSynthesizer.Press(DTMFDigit.allCases[$0 % 16], onMilliseconds: 50, offMilliseconds: 50, levelDBm0: levelDBm0)
        }
        var signal = synth.sequence(presses, leadingMilliseconds: 50)
        var rng = SplitMix64(seed: seed)
        synth.generator.addWhiteNoise(to: &signal, snrDB: snrDB, using: &rng)
        let found = detect(ToneGenerator.muLawRoundTrip(signal))
        // Press i occupies 50 + 100·i … +50 ms; an event is correct when it starts in its slot with its key.
        var slots = Set<Int>()
        for event in found {
            let slot = Int((Double(event.startMilliseconds) - 50 + 25) / 100)
            if slot >= 0, slot < presses.count, presses[slot].digit == event.digit { slots.insert(slot) }
        }
        return (slots.count, found.count)
    }

    @Test(arguments: [-10.0, -25.0])
    func whiteNoiseAt15dBSNR(levelDBm0: Double) {
        let result = Self.noiseRun(levelDBm0: levelDBm0, snrDB: 15, seed: 15)
        #expect(result.correct >= 159, "\(result.correct) of 160 correct")
        #expect(result.events - result.correct <= 1, "\(result.events - result.correct) extra events")
    }

    @Test func cardNumberSixtyOnSixtyOffDecodesExactly() {
        let pan = "4111111111111111"
        #expect(keys(detect(synth.sequence(pan, leadingMilliseconds: 500))) == pan)
        // Also at the fastest dialling rate receivers must handle: 40 ms on / 40 ms off.
        #expect(keys(detect(synth.sequence("5105105105105100", onMilliseconds: 40, offMilliseconds: 40))) == "5105105105105100")
    }

    @Test func sameDigitTwiceIsTwoEventsButAShortDropoutIsOne() {
        let gap40 = synth.sequence([.init(.seven, onMilliseconds: 60, offMilliseconds: 40), .init(.seven, onMilliseconds: 60)])
        #expect(keys(detect(gap40)) == "77")
        let dropout10 = synth.sequence([.init(.seven, onMilliseconds: 60, offMilliseconds: 10), .init(.seven, onMilliseconds: 60)])
        let merged = detect(dropout10)
        #expect(keys(merged) == "7")
        #expect(abs((merged.first?.durationMilliseconds ?? 0) - 130) <= 10)
        let held = detect(synth.sequence([.init(.seven, onMilliseconds: 2000)]))
        #expect(keys(held) == "7")
        #expect(abs((held.first?.durationMilliseconds ?? 0) - 2000) <= 10)
    }

    @Test func timestampsWithinTenMilliseconds() {
        var rng = SplitMix64(seed: 3)
        var presses: [DTMFSynthesizer.Press] = []
        var starts: [Double] = []
        var clock = 37.0
        for _ in 0..<40 {
            let on = Double.random(in: 40...200, using: &rng)
            let off = Double.random(in: 45...500, using: &rng)
            let digit = DTMFDigit.allCases.randomElement(using: &rng)!
            presses.append(.init(digit, onMilliseconds: on, offMilliseconds: off))
            starts.append(clock)
            clock += on + off
        }
        let found = detect(synth.sequence(presses, leadingMilliseconds: 37))
        #expect(found.count == presses.count)
        for (event, (press, start)) in zip(found, zip(presses, starts)) {
            #expect(event.digit == press.digit)
            #expect(abs(Double(event.startMilliseconds) - start) <= 10, "\(event) expected start \(start)")
            #expect(abs(Double(event.durationMilliseconds) - press.onMilliseconds) <= 10, "\(event) expected \(press.onMilliseconds)")
        }
    }

    @Test func sixteenKilohertzThroughWAV() throws {
        let synth16 = DTMFSynthesizer(sampleRate: 16000)
        let samples = synth16.sequence(allKeys, onMilliseconds: 45, offMilliseconds: 45, leadingMilliseconds: 80)
        let wav = WAVEncoder.encode([samples], format: AudioFormat(encoding: .pcm16, sampleRate: 16000, channelCount: 1))
        var scanner = DTMFScanner()
        let found = try scanner.consumeWAV(wav) + scanner.finish()
        #expect(keys(found) == allKeys)
        #expect(found.allSatisfy { $0.sampleRate == 16000 })
        #expect(abs((found.first?.startMilliseconds ?? 0) - 80) <= 10)
        // Frequency limits hold at 16 kHz too.
        let off = synth16.sequence([
            .init(.five, onMilliseconds: 50, offMilliseconds: 50, lowOffset: 0.035),
            .init(.five, onMilliseconds: 50, offMilliseconds: 50, highOffset: -0.015)
        ])
        #expect(keys(detect(off, sampleRate: 16000, chunk: 320)) == "5")
    }

    @Test(arguments: [AudioEncoding.muLaw, .aLaw, .pcm16])
    func stereoRecordingReportsTheChannel(encoding: AudioEncoding) throws {
        let customer = synth.sequence("4111111111111111", leadingMilliseconds: 300)
        var agent = TalkOffSignals.speech(seconds: Double(customer.count) / 8000, seed: 9)
        agent = Array(agent.prefix(customer.count)) + [Float](repeating: 0, count: max(0, customer.count - agent.count))
        let format = AudioFormat(encoding: encoding, sampleRate: 8000, channelCount: 2)
        let wav = WAVEncoder.encode([customer, agent], format: format)
        var scanner = DTMFScanner()
        var found: [DTMFDigitEvent] = []
        for start in stride(from: 0, to: wav.count, by: 4096) {
            found += try scanner.consumeWAV(wav[start..<min(wav.count, start + 4096)])
        }
        found += try scanner.finish()
        #expect(keys(found) == "4111111111111111")
        #expect(found.allSatisfy { $0.channel == 0 })
        // And a digit on the agent side only is reported on channel 1.
        let swapped = WAVEncoder.encode([agent, customer], format: format)
        var other = DTMFScanner()
        let onAgent = try other.consumeWAV(swapped) + other.finish()
        #expect(keys(onAgent) == "4111111111111111")
        #expect(onAgent.allSatisfy { $0.channel == 1 })
    }

    @Test func resultsDoNotDependOnChunking() {
        var signal = synth.sequence("0123456789", onMilliseconds: 47, offMilliseconds: 53, leadingMilliseconds: 11)
        var rng = SplitMix64(seed: 1)
        synth.generator.addWhiteNoise(to: &signal, snrDB: 20, using: &rng)
        let reference = detect(signal, chunk: signal.count)
        #expect(keys(reference) == "0123456789")
        for chunk in [1, 7, 51, 102, 160, 4000] {
            #expect(detect(signal, chunk: chunk) == reference, "chunk \(chunk)")
        }
    }

    @Test func confidenceFollowsSignalQuality() {
        let clean = detect(synth.sequence("5")).first
        var noisy = synth.sequence("5")
        var rng = SplitMix64(seed: 2)
        synth.generator.addWhiteNoise(to: &noisy, snrDB: 12, using: &rng)
        let noisyEvent = detect(noisy).first
        let twisted = detect(synth.sequence([.init(.five, twistDB: 7, lowOffset: 0.018)])).first
        #expect((clean?.confidence ?? 0) > 0.9)
        #expect((noisyEvent?.confidence ?? 1) < (clean?.confidence ?? 0))
        #expect((twisted?.confidence ?? 1) < (clean?.confidence ?? 0))
        for event in [clean, noisyEvent, twisted].compactMap({ $0 }) {
            #expect((0...1).contains(event.confidence))
        }
        #expect((noisyEvent?.quality.snrDB ?? 99) < (clean?.quality.snrDB ?? 0))
    }

    @Test func digitMapping() {
        #expect(DTMFDigit(row: 3, column: 2) == .pound)
        #expect(DTMFDigit.zero.lowFrequency == 941 && DTMFDigit.zero.highFrequency == 1336)
        #expect(DTMFDigit(character: "b") == .b)
        #expect(DTMFDigit(character: "x") == nil)
        #expect(String(DTMFDigit.allCases.map(\.rawValue)) == allKeys)
    }
}
