import Testing
import VigilAnalysis

@Suite("DTMF talk-off")
struct TalkOffTests {
    @Test func noDigitsInSixtySecondsOfSpeechLikeSignal() {
        let speech = TalkOffSignals.speech(seconds: 60, seed: 1)
        #expect(speech.count >= 60 * 8000)
        var detector = DTMFDetector(sampleRate: 8000)
        let events = detector.process(ToneGenerator.muLawRoundTrip(speech)) + detector.finish()
        #expect(events.isEmpty, "\(events)")
        #expect(detector.statistics.windows > 9000)
    }

    @Test func noDigitsInMusicLikeChords() {
        let music = TalkOffSignals.music(seconds: 30, seed: 2)
        #expect(detect(music).isEmpty)
    }

    @Test func noDigitsInSpeechLikeSignalAt16kHz() {
        #expect(detect(TalkOffSignals.speech(seconds: 10, sampleRate: 16000, seed: 4), sampleRate: 16000, chunk: 320).isEmpty)
    }

    /// The talk-off signals are not trivially easy: with the safeguards relaxed (one window, tones
    /// only 30 % of the power, 3 dB relative peak, 10 % frequency tolerance) the same material
    /// produces false digits.
    @Test func talkOffSignalsDoFoolAWeakReceiver() {
        var weak = DTMFDetector.Configuration(sampleRate: 8000)
        weak.validationWindows = 1
        weak.minToneToTotalRatio = 0.3
        weak.relativePeakDB = 3
        weak.frequencyTolerance = 0.1
        let falseDigits =
            detect(TalkOffSignals.speech(seconds: 60, seed: 1), configuration: weak).count
            + detect(TalkOffSignals.music(seconds: 30, seed: 2), configuration: weak).count
        #expect(falseDigits >= 20)
    }

    @Test func digitsAreStillFoundInsideSpeech() {
        // A card number keyed while the other side talks on the same channel at a lower level.
        let synth = DTMFSynthesizer(sampleRate: 8000)
        let tones = synth.sequence("4111111111111111", levelDBm0: -8, leadingMilliseconds: 200)
        let speech = TalkOffSignals.speech(seconds: Double(tones.count) / 8000 + 1, seed: 6)
        // Speech 15 dB below the tones on average.
        let mixed = zip(tones, speech).map { $0 + $1 * 0.18 }
        #expect(keys(detect(mixed)) == "4111111111111111")
    }
}
