import Foundation
import VigilAnalysis
import VigilCore

/// Synthetic "speech-like" and "music-like" signals for talk-off tests. These are not speech: they
/// reproduce the properties that fool DTMF receivers (harmonic series with formant peaks near the
/// DTMF bands, gliding pitch and formants, noise bursts, sustained musical chords).
enum TalkOffSignals {
    private static let vowels: [(Double, Double, Double)] = [
        (730, 1090, 2440), (270, 2290, 3010), (300, 870, 2240), (530, 1840, 2480),
        (570, 840, 2410), (660, 1720, 2410), (440, 1020, 2240), (490, 1350, 1690)
    ]

    static func uniform(_ rng: inout SplitMix64, _ range: ClosedRange<Double>) -> Double {
        Double.random(in: range, using: &rng)
    }

    /// Gain of a cascade of three resonators (formants) at frequency `f`.
    private static func formantGain(_ f: Double, _ formants: (Double, Double, Double)) -> Double {
        var gain = 1.0
        for (center, bandwidth) in [(formants.0, 90.0), (formants.1, 110.0), (formants.2, 140.0)] {
            let x = f / center
            gain /= ((1 - x * x) * (1 - x * x) + (f * bandwidth / (center * center)) * (f * bandwidth / (center * center))).squareRoot()
        }
        return gain
    }

    /// About `seconds` of speech-like signal at `sampleRate`.
    static func speech(seconds: Double, sampleRate: Int = 8000, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let total = Int(seconds * Double(sampleRate))
        var out = [Float]()
        out.reserveCapacity(total + sampleRate)
        let fs = Double(sampleRate)
        while out.count < total {
            let kind = uniform(&rng, 0...1)
            if kind < 0.7 {
                // Voiced segment: pitch glide + vowel glide.
                let duration = uniform(&rng, 0.08...0.45)
                let count = Int(duration * fs)
                let pitch0 = uniform(&rng, 100...250), pitch1 = uniform(&rng, 100...250)
                let v0 = vowels[Int(rng.next() % UInt64(vowels.count))]
                let v1 = vowels[Int(rng.next() % UInt64(vowels.count))]
                let level = uniform(&rng, -28 ... -8)
                var segment = [Float](repeating: 0, count: count)
                var phases = [Double](repeating: 0, count: 40)
                var gains = [Double](repeating: 0, count: 40)
                for index in 0..<count {
                    let t = Double(index) / Double(count)
                    let pitch = pitch0 + (pitch1 - pitch0) * t
                    let harmonics = min(39, Int(3600 / pitch))
                    if index % 32 == 0 {  // formant gains change slowly: refresh every 4 ms
                        let formants = (v0.0 + (v1.0 - v0.0) * t, v0.1 + (v1.1 - v0.1) * t, v0.2 + (v1.2 - v0.2) * t)
                        for harmonic in 1...harmonics {
                            gains[harmonic] = formantGain(Double(harmonic) * pitch, formants) / Double(harmonic)
                        }
                    }
                    var sample = 0.0
                    let step = 2 * Double.pi * pitch / fs
                    for harmonic in 1...harmonics {
                        phases[harmonic] += step * Double(harmonic)
                        sample += gains[harmonic] * sin(phases[harmonic])
                    }
                    segment[index] = Float(sample)
                }
                out += shaped(segment, levelDBm0: level, sampleRate: sampleRate)
            } else if kind < 0.85 {
                // Fricative-like noise burst (first-difference high-pass of white noise).
                let count = Int(uniform(&rng, 0.03...0.15) * fs)
                var previous = 0.0
                let segment = (0..<count).map { _ -> Float in
                    let value = rng.nextGaussian()
                    defer { previous = value }
                    return Float(value - 0.6 * previous)
                }
                out += shaped(segment, levelDBm0: uniform(&rng, -35 ... -18), sampleRate: sampleRate)
            } else {
                out += [Float](repeating: 0, count: Int(uniform(&rng, 0.02...0.2) * fs))
            }
        }
        return out
    }

    /// About `seconds` of music-like chords: 2–4 equal-tempered notes, each with 8 harmonics (1/k).
    static func music(seconds: Double, sampleRate: Int = 8000, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        let total = Int(seconds * Double(sampleRate))
        var out = [Float]()
        let fs = Double(sampleRate)
        while out.count < total {
            let count = Int(uniform(&rng, 0.2...0.8) * fs)
            let notes = (0..<Int(2 + rng.next() % 3)).map { _ in 440 * pow(2, Double(Int(rng.next() % 36) - 12) / 12) }
            let vibrato = uniform(&rng, 0...0.006)
            var segment = [Float](repeating: 0, count: count)
            for note in notes {
                for k in 1...8 where Double(k) * note < 3800 {
                    let f = Double(k) * note
                    for index in 0..<count {
                        let t = Double(index) / fs
                        let phase = 2 * Double.pi * f * t + vibrato * f / 5 * sin(2 * Double.pi * 5 * t)
                        segment[index] += Float(sin(phase) / Double(k))
                    }
                }
            }
            out += shaped(segment, levelDBm0: uniform(&rng, -25 ... -8), sampleRate: sampleRate)
        }
        return out
    }

    /// Scales to an RMS level and applies 15 ms raised-cosine attack and release.
    static func shaped(_ segment: [Float], levelDBm0: Double, sampleRate: Int) -> [Float] {
        guard !segment.isEmpty else { return [] }
        let rms = (segment.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(segment.count)).squareRoot()
        guard rms > 0 else { return segment }
        let target = DTMFLevel.amplitude(dBm0: levelDBm0) / 2.0.squareRoot()
        let scale = target / rms
        let ramp = min(segment.count / 2, sampleRate * 15 / 1000)
        return segment.enumerated().map { index, value in
            var gain = scale
            if index < ramp { gain *= 0.5 - 0.5 * cos(Double.pi * Double(index) / Double(ramp)) }
            let fromEnd = segment.count - 1 - index
            if fromEnd < ramp { gain *= 0.5 - 0.5 * cos(Double.pi * Double(fromEnd) / Double(ramp)) }
            return Float(Double(value) * gain)
        }
    }
}
