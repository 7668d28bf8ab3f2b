import Foundation
import VigilCore

extension SplitMix64 {
    /// A standard normal variate (Box–Muller).
    public mutating func nextGaussian() -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &self)
        let u2 = Double.random(in: 0..<1, using: &self)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}

/// Generates sums of sine waves, silence and white noise at a given sample rate, as `Float` samples
/// (full scale ±1.0). Levels are in dBm0 with ``DTMFLevel``'s reference (full-scale sine = +3.17 dBm0).
public struct ToneGenerator: Sendable {
    /// Samples per second.
    public let sampleRate: Int

    /// Creates a generator.
    public init(sampleRate: Int) { self.sampleRate = sampleRate }

    /// The number of samples in `milliseconds` (rounded).
    public func sampleCount(milliseconds: Double) -> Int {
        Int((milliseconds * Double(sampleRate) / 1000).rounded())
    }

    /// A sum of sines, each given as (frequency Hz, level dBm0), lasting `milliseconds`, starting at
    /// phase zero.
    public func tones(_ components: [(frequency: Double, levelDBm0: Double)], milliseconds: Double) -> [Float] {
        let count = sampleCount(milliseconds: milliseconds)
        var samples = [Float](repeating: 0, count: count)
        for component in components {
            let amplitude = DTMFLevel.amplitude(dBm0: component.levelDBm0)
            let step = 2 * Double.pi * component.frequency / Double(sampleRate)
            for index in 0..<count {
                samples[index] += Float(amplitude * sin(step * Double(index)))
            }
        }
        return samples
    }

    /// `milliseconds` of digital silence.
    public func silence(milliseconds: Double) -> [Float] {
        [Float](repeating: 0, count: sampleCount(milliseconds: milliseconds))
    }

    /// Gaussian white noise of power equal to a sine at `levelDBm0` (RMS = amplitude/√2).
    public func whiteNoise<G: RandomNumberGenerator>(
        count: Int, levelDBm0: Double, using generator: inout G
    ) -> [Float] {
        var rng = SplitMix64(seed: generator.next())
        let rms = DTMFLevel.amplitude(dBm0: levelDBm0) / 2.0.squareRoot()
        return (0..<count).map { _ in Float(rms * rng.nextGaussian()) }
    }

    /// Adds white noise to `samples` so that the ratio of the *signal's* mean power (measured over the
    /// non-silent samples, i.e. the tones) to the noise power is `snrDB`.
    public func addWhiteNoise<G: RandomNumberGenerator>(
        to samples: inout [Float], snrDB: Double, using generator: inout G
    ) {
        var energy = 0.0
        var active = 0
        for sample in samples where sample != 0 {
            energy += Double(sample) * Double(sample)
            active += 1
        }
        guard active > 0 else { return }
        let noiseRMS = (energy / Double(active) / pow(10, snrDB / 10)).squareRoot()
        var rng = SplitMix64(seed: generator.next())
        for index in samples.indices {
            samples[index] += Float(noiseRMS * rng.nextGaussian())
        }
    }

    /// Passes samples through G.711 µ-law encoding and decoding.
    public static func muLawRoundTrip(_ samples: [Float]) -> [Float] {
        samples.map { G711.muLawToFloat[Int(G711.muLawEncode($0))] }
    }

    /// Passes samples through G.711 A-law encoding and decoding.
    public static func aLawRoundTrip(_ samples: [Float]) -> [Float] {
        samples.map { G711.aLawToFloat[Int(G711.aLawEncode($0))] }
    }
}

/// Synthesises DTMF key presses: nominal or off-frequency tones, any level and twist, tone and gap
/// durations, for tests and for the demo's synthetic recordings.
public struct DTMFSynthesizer: Sendable {
    /// One key press to synthesise.
    public struct Press: Sendable, Hashable {
        /// The key.
        public var digit: DTMFDigit
        /// Tone duration in milliseconds.
        public var onMilliseconds: Double = 60
        /// Silence after the tone in milliseconds.
        public var offMilliseconds: Double = 60
        /// Mean level of the two tones in dBm0; each tone is `level ∓ twist/2`.
        public var levelDBm0: Double = -10
        /// `highLevel − lowLevel` in dB (positive = normal twist).
        public var twistDB: Double = 0
        /// Relative frequency offset of the low tone (0.015 = +1.5 %).
        public var lowOffset: Double = 0
        /// Relative frequency offset of the high tone.
        public var highOffset: Double = 0

        /// Creates a press with the given parameters.
        public init(
            _ digit: DTMFDigit, onMilliseconds: Double = 60, offMilliseconds: Double = 60, levelDBm0: Double = -10,
            twistDB: Double = 0, lowOffset: Double = 0, highOffset: Double = 0
        ) {
            self.digit = digit
            self.onMilliseconds = onMilliseconds
            self.offMilliseconds = offMilliseconds
            self.levelDBm0 = levelDBm0
            self.twistDB = twistDB
            self.lowOffset = lowOffset
            self.highOffset = highOffset
        }
    }

    /// The tone generator (and sample rate) used.
    public let generator: ToneGenerator

    /// Creates a synthesiser at `sampleRate`.
    public init(sampleRate: Int) { generator = ToneGenerator(sampleRate: sampleRate) }

    /// The tone of one press, without its trailing gap.
    public func tone(_ press: Press) -> [Float] {
        generator.tones(
            [
                (press.digit.lowFrequency * (1 + press.lowOffset), press.levelDBm0 - press.twistDB / 2),
                (press.digit.highFrequency * (1 + press.highOffset), press.levelDBm0 + press.twistDB / 2)
            ], milliseconds: press.onMilliseconds)
    }

    /// The presses one after another, each tone followed by its gap, after `leadingMilliseconds` of silence.
    public func sequence(_ presses: [Press], leadingMilliseconds: Double = 0) -> [Float] {
        var samples = generator.silence(milliseconds: leadingMilliseconds)
        for press in presses {
            samples += tone(press)
            samples += generator.silence(milliseconds: press.offMilliseconds)
        }
        return samples
    }

    /// A key string such as `"4111111111111111"` with uniform timing and level; characters that are not
    /// keys are skipped.
    public func sequence(
        _ keys: String, onMilliseconds: Double = 60, offMilliseconds: Double = 60, levelDBm0: Double = -10,
        leadingMilliseconds: Double = 0
    ) -> [Float] {
        let presses = keys.compactMap(DTMFDigit.init(character:)).map {
            Press($0, onMilliseconds: onMilliseconds, offMilliseconds: offMilliseconds, levelDBm0: levelDBm0)
        }
        return sequence(presses, leadingMilliseconds: leadingMilliseconds)
    }
}
