import Foundation

/// Level reference used throughout VigilAnalysis: a full-scale sine (amplitude 1.0 in `Float`
/// samples, i.e. ±32 768 in 16-bit) is **+3.17 dBm0**, the G.711 µ-law convention. A tone of amplitude
/// `a` therefore has level `20·log10(a) + 3.17` dBm0, and 0 dBm0 is amplitude 0.694.
public enum DTMFLevel {
    /// The level of a full-scale sine, +3.17 dBm0.
    public static let fullScaleSineDBm0 = 3.17

    /// The peak amplitude (full scale 1.0) of a sine at `dBm0`.
    public static func amplitude(dBm0: Double) -> Double {
        pow(10, (dBm0 - fullScaleSineDBm0) / 20)
    }

    /// The level in dBm0 of a sine with peak amplitude `amplitude`.
    public static func dBm0(amplitude: Double) -> Double {
        20 * log10(max(amplitude, 1e-12)) + fullScaleSineDBm0
    }
}

/// Signal-quality measures of one detected digit, averaged over the analysis windows that validated it.
public struct DTMFSignalQuality: Sendable, Hashable {
    /// Level of the low-group tone in dBm0 (see ``DTMFLevel``).
    public var lowLevelDBm0: Double
    /// Level of the high-group tone in dBm0.
    public var highLevelDBm0: Double
    /// `highLevel − lowLevel` in dB: positive is *normal* twist (high group louder), negative *reverse*.
    public var twistDB: Double
    /// Fraction of the window's power carried by the two tones (0…1); 1 is a clean dual tone.
    public var toneToTotalRatio: Double
    /// Estimated signal-to-noise ratio in dB, `10·log10(ratio / (1 − ratio))`, capped at 60 dB.
    public var snrDB: Double
    /// Measured relative frequency deviation of the low tone, e.g. `-0.012` for −1.2 %.
    public var lowFrequencyDeviation: Double
    /// Measured relative frequency deviation of the high tone.
    public var highFrequencyDeviation: Double
    /// Number of analysis windows (hop 6.375 ms) in which the digit was valid.
    public var validWindows: Int

    /// Creates a quality record.
    public init(
        lowLevelDBm0: Double, highLevelDBm0: Double, twistDB: Double, toneToTotalRatio: Double, snrDB: Double,
        lowFrequencyDeviation: Double, highFrequencyDeviation: Double, validWindows: Int
    ) {
        self.lowLevelDBm0 = lowLevelDBm0
        self.highLevelDBm0 = highLevelDBm0
        self.twistDB = twistDB
        self.toneToTotalRatio = toneToTotalRatio
        self.snrDB = snrDB
        self.lowFrequencyDeviation = lowFrequencyDeviation
        self.highFrequencyDeviation = highFrequencyDeviation
        self.validWindows = validWindows
    }

    /// A confidence in [0, 1] derived from the measures:
    /// `(0.5 + 0.5·s) · f · t · d` where `s` rises linearly from 0 at 6 dB S/N to 1 at 20 dB, `f` falls
    /// from 1 at ≤ 1.5 % frequency deviation to 0.5 at 3.5 %, `t` falls from 1 at ≤ 4 dB twist to 0.5 at
    /// 10 dB, and `d` is 0.8 for a digit seen in only 4 windows, rising to 1 at 8 windows (~57 ms).
    public var confidence: Double {
        func ramp(_ value: Double, from low: Double, to high: Double) -> Double {
            min(1, max(0, (value - low) / (high - low)))
        }
        let snr = ramp(snrDB, from: 6, to: 20)
        let deviation = max(abs(lowFrequencyDeviation), abs(highFrequencyDeviation))
        let frequency = 1 - 0.5 * ramp(deviation, from: 0.015, to: 0.035)
        let twist = 1 - 0.5 * ramp(abs(twistDB), from: 4, to: 10)
        let duration = 0.8 + 0.2 * ramp(Double(validWindows), from: 4, to: 8)
        return (0.5 + 0.5 * snr) * frequency * twist * duration
    }
}

/// One key press found by ``DTMFDetector``.
public struct DTMFDigitEvent: Sendable, Hashable, CustomStringConvertible {
    /// The key.
    public var digit: DTMFDigit
    /// The channel the digit was heard on (0 = external/customer, 1 = internal/agent); set by
    /// ``DTMFScanner``, 0 for a lone detector.
    public var channel: Int
    /// Estimated first sample of the tone, counted from the start of the stream.
    public var startSample: Int
    /// Estimated sample just after the tone.
    public var endSample: Int
    /// Sample rate of the analysed stream.
    public var sampleRate: Int
    /// Signal-quality measures.
    public var quality: DTMFSignalQuality

    /// Creates an event.
    public init(digit: DTMFDigit, channel: Int, startSample: Int, endSample: Int, sampleRate: Int, quality: DTMFSignalQuality) {
        self.digit = digit
        self.channel = channel
        self.startSample = startSample
        self.endSample = endSample
        self.sampleRate = sampleRate
        self.quality = quality
    }

    /// Start of the tone in milliseconds from the start of the stream (rounded).
    public var startMilliseconds: Int { Int((Double(startSample) * 1000 / Double(sampleRate)).rounded()) }
    /// Duration of the tone in milliseconds (rounded).
    public var durationMilliseconds: Int {
        Int((Double(endSample - startSample) * 1000 / Double(sampleRate)).rounded())
    }
    /// ``DTMFSignalQuality/confidence``.
    public var confidence: Double { quality.confidence }

    /// e.g. `"5 @1200ms 60ms ch0"`.
    public var description: String { "\(digit) @\(startMilliseconds)ms \(durationMilliseconds)ms ch\(channel)" }
}

/// A streaming DTMF receiver (Goertzel), meeting the Q.24-style requirements listed in
/// `Documentation/dtmf-detection.md`.
///
/// Samples are analysed in half-blocks of `M` = 51 samples at 8 kHz (6.375 ms; 102 at 16 kHz). Each
/// analysis window is two consecutive half-blocks (`N` = 102 samples, 12.75 ms, bin spacing 78 Hz) and
/// windows advance by one half-block. A window is valid for a digit when, in order of cost:
/// window energy is above the floor; the strongest tone of each group dominates the others of its group
/// (relative peak); each tone is steady across the two halves; its frequency, measured from the phase
/// advance between the halves, is within the tolerance; the two tones carry most of the window's power
/// (this also rejects harmonics, speech and music); each tone is above the minimum level; and the twist
/// is within limits. A digit is reported after ``Configuration/validationWindows`` consecutive valid
/// windows of the same key and ends after ``Configuration/endGapWindows`` windows without it; the event
/// is returned when the digit ends (by `process(_:)` or ``finish()``).
///
/// No allocation happens per block; only the returned event arrays allocate, and only when non-empty.
public struct DTMFDetector: Sendable {
    /// Tunable limits. The defaults meet the requirements and are what the tests and the
    /// documentation table measure.
    public struct Configuration: Sendable, Hashable {
        /// Samples per second of the input. Tested: 8 000 and 16 000.
        public var sampleRate: Int
        /// Largest accepted relative frequency deviation of each tone (default 2.5 %, half-way between
        /// the must-accept 1.5 % and must-reject 3.5 %).
        public var frequencyTolerance: Double = 0.025
        /// Largest accepted normal twist (high group louder), dB. Default 9 (must accept 8).
        public var maxNormalTwistDB: Double = 9
        /// Largest accepted reverse twist (low group louder), dB. Default 5 (must accept 4).
        public var maxReverseTwistDB: Double = 5
        /// Quietest accepted level of each tone, dBm0. Default −42.
        public var minToneLevelDBm0: Double = -42
        /// How much the strongest tone of each group must exceed the second strongest, dB. Default 8.
        public var relativePeakDB: Double = 8
        /// Minimum fraction of the window's power carried by the two tones. Default 0.85
        /// (≈ 7.5 dB tone-to-rest ratio).
        public var minToneToTotalRatio: Double = 0.85
        /// Minimum amplitude ratio of each tone between the two halves of a window. Default 0.5: it
        /// rejects windows only partly covered by a tone (so tones under 25.5 ms can never validate)
        /// while tolerating the leakage of a loud tone of the other group at 8 dB twist.
        public var minSteadiness: Double = 0.5
        /// Consecutive valid windows needed to accept a digit. Default 4 (5 half-blocks, 31.9 ms).
        public var validationWindows: Int = 4
        /// Consecutive windows without the digit that end it. Default 5 (31.9 ms of hops): gaps of
        /// 24 ms or more always separate two presses of the same key, interruptions up to 16 ms never do.
        public var endGapWindows: Int = 5

        /// The default configuration for `sampleRate`.
        public init(sampleRate: Int) {
            self.sampleRate = sampleRate
        }
    }

    /// The configuration in use.
    public let configuration: Configuration
    /// Half-block length `M` in samples (51 at 8 kHz).
    public let halfBlockLength: Int

    // Precomputed per tone (0–3 low group, 4–7 high group).
    private let coefficients: SIMD8<Float>  // 2·cos ω
    private let cosines: SIMD8<Float>  // cos ω
    private let sines: SIMD8<Float>  // sin ω
    private let rotationCos: SIMD8<Float>  // cos(ω·M)
    private let rotationSin: SIMD8<Float>  // sin(ω·M)
    private let omegas: [Float]  // ω in radians per sample
    private let originCos: SIMD8<Float>  // cos(ω·(M−1))
    private let originSin: SIMD8<Float>  // sin(ω·(M−1))
    private let leakageInverse: [Float]  // 16 digit pairs × 4×4, row-major
    private let frequencyTolerance: Float
    private let minToneToTotalRatio: Float
    private let minWindowEnergy: Float
    private let minTonePower: Float
    private let relativePeak: Float
    private let maxNormalTwist: Float
    private let maxReverseTwist: Float
    private let steadiness2: Float

    // Samples not yet analysed, staged so that several half-blocks run through the Goertzel kernel
    // together: slots 0–1 hold the two previous half-blocks (kept so a half skipped by the energy gate
    // can still be analysed when a later window needs it), then up to `batchHalves` new half-blocks.
    private static let historyHalves = 2
    private static let batchHalves = 4
    private var staging: [Float]
    private var stagedSamples = 0  // samples in the new region (after the history slots)

    // Ring of completed half-blocks: complex Goertzel outputs per tone, and energy. `ringHalf[slot]`
    // is the half-block whose Goertzel outputs the slot holds (an older one, or −1, when the energy
    // gate skipped the half-block now at that position).
    private static let ringSize = 16
    private var ringRe: [SIMD8<Float>] = .init(repeating: SIMD8(), count: ringSize)
    private var ringIm: [SIMD8<Float>] = .init(repeating: SIMD8(), count: ringSize)
    private var ringEnergy: [Float] = .init(repeating: 0, count: ringSize)
    private var ringHalf: [Int] = .init(repeating: -1, count: ringSize)
    private var halvesCompleted = 0
    private var previousHalfEnergy: Float = 0
    private var nextHalfForced = false

    /// Whether the energy gate may skip the Goertzel filters of half-blocks that no window above the
    /// energy floor needs. Off only in the tests that prove the gate changes no result.
    var gatesByEnergy = true
    /// The energy below which a window (two half-blocks) is rejected without its Goertzel outputs.
    var windowEnergyFloor: Float { minWindowEnergy }
    /// Half-blocks whose Goertzel filters ran (for the gate's tests).
    private(set) var filteredHalves = 0

    /// Sums of window measures. Windows in which both tones are steady within 10 % ("interior"
    /// windows) are summed separately: quality is reported from them when there are any, so that
    /// windows straddling the tone's edges do not bias level and S/N.
    private struct Accumulator: Sendable {
        struct Sums: Sendable {
            var count = 0
            var lowPower = 0.0
            var highPower = 0.0
            var ratio = 0.0
            var lowDeviation = 0.0
            var highDeviation = 0.0

            mutating func add(_ window: WindowResult) {
                count += 1
                lowPower += Double(window.lowPower)
                highPower += Double(window.highPower)
                ratio += Double(window.ratio)
                lowDeviation += Double(window.lowDeviation)
                highDeviation += Double(window.highDeviation)
            }
        }

        var all = Sums()
        var interior = Sums()

        mutating func add(_ window: WindowResult) {
            all.add(window)
            if window.interior { interior.add(window) }
        }

        var best: Sums { interior.count > 0 ? interior : all }
    }

    private struct WindowResult: Sendable {
        var digit: Int = -1
        var lowPower: Float = 0
        var highPower: Float = 0
        var ratio: Float = 0
        var lowDeviation: Float = 0
        var highDeviation: Float = 0
        var interior = false
    }

    // Digit state machine.
    private var candidate = -1
    private var candidateRun = 0
    private var candidateStartHalf = 0
    private var candidateAccumulator = Accumulator()
    private var current = -1
    private var currentStartSample = 0
    private var currentLastValidHalf = 0
    private var currentMisses = 0
    private var currentAccumulator = Accumulator()

    /// Creates a detector with the default configuration for `sampleRate` (8 000 or 16 000 tested;
    /// 4 000…192 000 accepted).
    public init(sampleRate: Int) {
        self.init(configuration: Configuration(sampleRate: sampleRate))
    }

    /// Creates a detector with an explicit configuration.
    public init(configuration: Configuration) {
        precondition((4000...192_000).contains(configuration.sampleRate), "sample rate out of range")
        self.configuration = configuration
        let rate = Double(configuration.sampleRate)
        let half = max(8, Int((51 * rate / 8000).rounded()))
        halfBlockLength = half
        staging = .init(repeating: 0, count: (Self.historyHalves + Self.batchHalves) * half)
        let frequencies = DTMFDigit.lowFrequencies + DTMFDigit.highFrequencies
        let omegas = frequencies.map { 2 * Double.pi * $0 / rate }
        self.omegas = omegas.map { Float($0) }
        originCos = vector { cos($0 * Double(half - 1)) }
        originSin = vector { sin($0 * Double(half - 1)) }
        leakageInverse = Self.leakageInverses(omegas: omegas, length: half)
        frequencyTolerance = Float(configuration.frequencyTolerance)
        minToneToTotalRatio = Float(configuration.minToneToTotalRatio)
        func vector(_ transform: (Double) -> Double) -> SIMD8<Float> {
            SIMD8(omegas.map { Float(transform($0)) })
        }
        coefficients = vector { 2 * cos($0) }
        cosines = vector { cos($0) }
        sines = vector { sin($0) }
        rotationCos = vector { cos($0 * Double(half)) }
        rotationSin = vector { sin($0 * Double(half)) }
        let windowLength = Double(2 * half)
        // Tone power p = a²/2; window energy of two tones at the floor is 2·p·N.
        let floorAmplitude = DTMFLevel.amplitude(dBm0: configuration.minToneLevelDBm0)
        let floorPower = floorAmplitude * floorAmplitude / 2
        minTonePower = Float(floorPower)
        minWindowEnergy = Float(2 * floorPower * windowLength)
        relativePeak = Float(pow(10, configuration.relativePeakDB / 10))
        maxNormalTwist = Float(pow(10, configuration.maxNormalTwistDB / 10))
        maxReverseTwist = Float(pow(10, configuration.maxReverseTwistDB / 10))
        steadiness2 = Float(configuration.minSteadiness * configuration.minSteadiness)
    }

    /// Counts of analysis windows and of the safeguard that rejected each, for tuning and diagnostics.
    public struct Statistics: Sendable, Hashable {
        /// Windows analysed.
        public var windows = 0
        /// Rejected: window energy below the floor (silence).
        public var belowEnergyFloor = 0
        /// Rejected: a second tone in a group within ``Configuration/relativePeakDB`` of the strongest.
        public var relativePeak = 0
        /// Rejected: a tone's amplitude differs too much between the two halves of the window.
        public var unsteady = 0
        /// Rejected: a tone's measured frequency is outside ``Configuration/frequencyTolerance``.
        public var frequency = 0
        /// Rejected: the two tones carry too little of the window's power (speech, music, noise, harmonics).
        public var toneToTotal = 0
        /// Rejected: a tone is below ``Configuration/minToneLevelDBm0``.
        public var level = 0
        /// Rejected: twist beyond the limits.
        public var twist = 0
        /// Windows valid for some digit.
        public var valid = 0
    }

    /// Window counts since the detector was created (not reset by ``finish()``).
    public private(set) var statistics = Statistics()

    /// For each digit (row, column), the inverse of the 4×4 real matrix that maps the two tones'
    /// complex amplitudes `(a_L, b_L, a_H, b_H)` to the DFT values `(Re X_L, Im X_L, Re X_H, Im X_H)`
    /// of an `length`-sample block, including each tone's negative-frequency image and the leakage of
    /// each tone into the other's bin.
    private static func leakageInverses(omegas: [Double], length: Int) -> [Float] {
        func kernel(_ delta: Double) -> (Double, Double) {  // Σ_{n<M} e^{jΔn}
            var re = 0.0, im = 0.0
            for n in 0..<length {
                re += cos(delta * Double(n))
                im += sin(delta * Double(n))
            }
            return (re, im)
        }
        var result: [Float] = []
        result.reserveCapacity(256)
        let m = Double(length)
        for row in 0..<4 {
            for column in 4..<8 {
                let wl = omegas[row], wh = omegas[column]
                let d1 = kernel(-2 * wl), d2 = kernel(wh - wl), d3 = kernel(-wh - wl)
                let e1 = kernel(-2 * wh), e2 = kernel(wl - wh), e3 = kernel(-wl - wh)
                let matrix: [[Double]] = [
                    [m + d1.0, d1.1, d2.0 + d3.0, -d2.1 + d3.1],
                    [d1.1, m - d1.0, d2.1 + d3.1, d2.0 - d3.0],
                    [e2.0 + e3.0, -e2.1 + e3.1, m + e1.0, e1.1],
                    [e2.1 + e3.1, e2.0 - e3.0, e1.1, m - e1.0]
                ]
                result += invert(matrix).flatMap { $0.map { Float($0) } }
            }
        }
        return result
    }

    /// Gauss–Jordan inversion with partial pivoting of a small, well-conditioned matrix.
    private static func invert(_ matrix: [[Double]]) -> [[Double]] {
        let size = matrix.count
        var a = matrix
        var inverse = (0..<size).map { row in (0..<size).map { $0 == row ? 1.0 : 0.0 } }
        for column in 0..<size {
            let pivot = (column..<size).max { abs(a[$0][column]) < abs(a[$1][column]) }!
            a.swapAt(column, pivot)
            inverse.swapAt(column, pivot)
            let scale = a[column][column]
            for k in 0..<size {
                a[column][k] /= scale
                inverse[column][k] /= scale
            }
            for row in 0..<size where row != column {
                let factor = a[row][column]
                guard factor != 0 else { continue }
                for k in 0..<size {
                    a[row][k] -= factor * a[column][k]
                    inverse[row][k] -= factor * inverse[column][k]
                }
            }
        }
        return inverse
    }

    /// Samples consumed so far.
    public var samplesProcessed: Int { halvesCompleted * halfBlockLength + stagedSamples }

    /// Analyses the next samples (full scale ±1.0) and returns the digits that ended within them.
    ///
    /// Every complete half-block in `samples` is analysed before the call returns, so the events do
    /// not depend on how the stream is cut into calls.
    public mutating func process(_ samples: UnsafeBufferPointer<Float>) -> [DTMFDigitEvent] {
        var events: [DTMFDigitEvent] = []
        guard let base = samples.baseAddress, !samples.isEmpty else { return events }
        let m = halfBlockLength
        let batchCapacity = Self.batchHalves * m
        let newRegion = Self.historyHalves * m
        var offset = 0
        while offset < samples.count {
            let take = min(batchCapacity - stagedSamples, samples.count - offset)
            staging.withUnsafeMutableBufferPointer { buffer in
                (buffer.baseAddress! + newRegion + stagedSamples).update(from: base + offset, count: take)
            }
            offset += take
            stagedSamples += take
            if stagedSamples == batchCapacity {
                analyseStagedHalves(&events)
            }
        }
        if stagedSamples >= m {
            analyseStagedHalves(&events)
        }
        return events
    }

    /// Analyses the next samples (any contiguous collection of `Float`, e.g. `[Float]` or `ArraySlice`).
    public mutating func process(_ samples: some Collection<Float>) -> [DTMFDigitEvent] {
        if let events = samples.withContiguousStorageIfAvailable({ process($0) }) {
            return events
        }
        return Array(samples).withUnsafeBufferPointer { process($0) }
    }

    /// Ends the stream: returns a digit still sounding at the end, if it was already validated.
    /// The detector is reset and can be reused for a new stream.
    public mutating func finish() -> [DTMFDigitEvent] {
        var events: [DTMFDigitEvent] = []
        if current >= 0 {
            events.append(endCurrent())
        }
        let statistics = statistics
        let gatesByEnergy = gatesByEnergy
        self = DTMFDetector(configuration: configuration)
        self.statistics = statistics
        self.gatesByEnergy = gatesByEnergy
        return events
    }

    // MARK: - Energy gate and Goertzel

    /// Analyses the complete half-blocks staged after the history slots, then keeps the last two of
    /// them as history and moves an incomplete half-block to the front of the new region.
    ///
    /// The energy gate: a window whose energy is below the floor is rejected without its Goertzel
    /// outputs, so a half-block's filters run only when some window needs them: a window above the
    /// floor needs its own two halves (validation), the half before it (`estimateStart`, when it
    /// opens a digit) and the half after it (`estimateEnd`, when it closes one). The half before is
    /// at most two half-blocks back, which is why two are kept as history; the half after is forced.
    private mutating func analyseStagedHalves(_ events: inout [DTMFDigitEvent]) {
        let m = halfBlockLength
        let complete = stagedSamples / m
        let first = halvesCompleted
        let history = Self.historyHalves
        // Bit i: the window ending at half `first + i` is above the energy floor.
        var passes: UInt32 = 0
        // Bit k: half `first − history + k` needs its Goertzel outputs (k < history: a kept one).
        var needed: UInt32 = 0
        var previous = previousHalfEnergy
        staging.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            for i in 0..<complete {
                let half = first + i
                let energy = Self.energy(start + (history + i) * m, count: m)
                ringEnergy[half % Self.ringSize] = energy
                let pass = half >= 1 && previous + energy >= minWindowEnergy
                if !gatesByEnergy || pass || nextHalfForced {
                    needed |= 1 << (history + i)
                }
                if pass {
                    passes |= 1 << i
                    for earlier in max(0, half - 2)..<half where !isComputed(earlier) {
                        needed |= 1 << (history + earlier - first)
                    }
                }
                nextHalfForced = pass
                previous = energy
            }
        }
        previousHalfEnergy = previous
        // The needed half-blocks, four at a time through the kernel.
        var group = (0, 0, 0, 0)
        var filled = 0
        var remaining = needed
        while remaining != 0 {
            let k = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            switch filled {
            case 0: group.0 = k
            case 1: group.1 = k
            case 2: group.2 = k
            default: group.3 = k
            }
            filled += 1
            if filled == 4 || remaining == 0 {
                goertzel(staged: group, count: filled, firstStaged: first - history)
                filled = 0
            }
        }
        for i in 0..<complete {
            halvesCompleted = first + i + 1
            guard halvesCompleted >= 2 else { continue }
            let window: WindowResult
            statistics.windows += 1
            if passes & (1 << i) != 0 {
                window = evaluateWindow(half: first + i)
                if window.digit >= 0 { statistics.valid += 1 }
            } else {
                statistics.belowEnergyFloor += 1
                window = WindowResult()
            }
            advance(with: window, endingAt: first + i, &events)
        }
        // Keep the last `history` complete half-blocks and the incomplete one.
        let keepFrom = complete * m
        let kept = history * m + stagedSamples - complete * m
        staging.withUnsafeMutableBufferPointer { buffer in
            let start = buffer.baseAddress!
            start.update(from: start + keepFrom, count: kept)
        }
        stagedSamples -= complete * m
    }

    private func isComputed(_ half: Int) -> Bool {
        ringHalf[half % Self.ringSize] == half
    }

    /// Sum of squares of `count` samples: the energy of a half-block as the gate computes it.
    static func energy(_ pointer: UnsafePointer<Float>, count: Int) -> Float {
        var sum = SIMD4<Float>()
        var i = 0
        let raw = UnsafeRawPointer(pointer)
        while i + 4 <= count {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD4<Float>.self)
            sum += v * v
            i += 4
        }
        var energy = sum.sum()
        while i < count {
            energy += pointer[i] * pointer[i]
            i += 1
        }
        return energy
    }

    /// Runs the Goertzel filters of `count` (1…4) staged half-blocks, given by their staging slots,
    /// and stores the outputs in the ring.
    private mutating func goertzel(staged slots: (Int, Int, Int, Int), count: Int, firstStaged: Int) {
        let m = halfBlockLength
        let outputs: (low: Goertzel4, high: Goertzel4) = staging.withUnsafeBufferPointer { buffer in
            let start = buffer.baseAddress!
            let p0 = start + slots.0 * m
            let p1 = count > 1 ? start + slots.1 * m : p0
            let p2 = count > 2 ? start + slots.2 * m : p0
            let p3 = count > 3 ? start + slots.3 * m : p0
            return (
                Self.goertzel4(p0, p1, p2, p3, count: m, coefficients: coefficients.lowHalf),
                Self.goertzel4(p0, p1, p2, p3, count: m, coefficients: coefficients.highHalf)
            )
        }
        for lane in 0..<count {
            let half = firstStaged + (lane == 0 ? slots.0 : lane == 1 ? slots.1 : lane == 2 ? slots.2 : slots.3)
            store(
                half: half, s1: SIMD8(lowHalf: outputs.low.s1(lane), highHalf: outputs.high.s1(lane)),
                s2: SIMD8(lowHalf: outputs.low.s2(lane), highHalf: outputs.high.s2(lane)))
        }
    }

    private mutating func store(half: Int, s1: SIMD8<Float>, s2: SIMD8<Float>) {
        let slot = half % Self.ringSize
        // y = s[M−1] − e^{−jω}·s[M−2]; the DFT is y·e^{−jω(M−1)}, a rotation common to both halves.
        ringRe[slot] = s1 - cosines * s2
        ringIm[slot] = sines * s2
        ringHalf[slot] = half
        filteredHalves += 1
    }

    /// The last two states `s[M−1]`, `s[M−2]` of one tone group's four filters in four half-blocks.
    private struct Goertzel4 {
        var a0, a1, a2, a3: SIMD4<Float>
        var b0, b1, b2, b3: SIMD4<Float>

        func s1(_ lane: Int) -> SIMD4<Float> { lane == 0 ? a0 : lane == 1 ? a1 : lane == 2 ? a2 : a3 }
        func s2(_ lane: Int) -> SIMD4<Float> { lane == 0 ? b0 : lane == 1 ? b1 : lane == 2 ? b2 : b3 }
    }

    /// Four interleaved Goertzel recursions `s = (x − s″) + 2cos ω · s′`, one per half-block, each over
    /// the four tones of a group in the lanes of a `SIMD4<Float>`: four independent dependency chains
    /// keep the vector units busy, and the subtraction comes first so that only the multiply-add is
    /// on the chain.
    private static func goertzel4(
        _ p0: UnsafePointer<Float>, _ p1: UnsafePointer<Float>, _ p2: UnsafePointer<Float>, _ p3: UnsafePointer<Float>,
        count: Int, coefficients c: SIMD4<Float>
    ) -> Goertzel4 {
        var a0 = SIMD4<Float>(), a1 = a0, a2 = a0, a3 = a0
        var b0 = a0, b1 = a0, b2 = a0, b3 = a0
        for n in 0..<count {
            let t0 = (SIMD4(repeating: p0[n]) - b0) + c * a0
            let t1 = (SIMD4(repeating: p1[n]) - b1) + c * a1
            let t2 = (SIMD4(repeating: p2[n]) - b2) + c * a2
            let t3 = (SIMD4(repeating: p3[n]) - b3) + c * a3
            b0 = a0; b1 = a1; b2 = a2; b3 = a3
            a0 = t0; a1 = t1; a2 = t2; a3 = t3
        }
        return Goertzel4(a0: a0, a1: a1, a2: a2, a3: a3, b0: b0, b1: b1, b2: b2, b3: b3)
    }

    // MARK: - Window validation

    /// Complex amplitudes `(c_low, c_high)` of the digit's two tones at the start of a stored
    /// half-block, jointly estimated so that each tone's leakage into the other's bin (and each tone's
    /// negative-frequency image) is removed: the 4×4 real system precomputed for this tone pair is
    /// inverted at initialisation.
    private func toneAmplitudes(slot: Int, pair: Int, low: Int, high: Int) -> (Float, Float, Float, Float) {
        // DFT values referred to the half-block start: X = y·e^{−jω(M−1)}.
        let yLr = ringRe[slot][low], yLi = ringIm[slot][low]
        let yHr = ringRe[slot][high], yHi = ringIm[slot][high]
        let xLr = yLr * originCos[low] + yLi * originSin[low]
        let xLi = yLi * originCos[low] - yLr * originSin[low]
        let xHr = yHr * originCos[high] + yHi * originSin[high]
        let xHi = yHi * originCos[high] - yHr * originSin[high]
        let m = pair * 16
        let aL = leakageInverse[m + 0] * xLr + leakageInverse[m + 1] * xLi + leakageInverse[m + 2] * xHr + leakageInverse[m + 3] * xHi
        let bL = leakageInverse[m + 4] * xLr + leakageInverse[m + 5] * xLi + leakageInverse[m + 6] * xHr + leakageInverse[m + 7] * xHi
        let aH = leakageInverse[m + 8] * xLr + leakageInverse[m + 9] * xLi + leakageInverse[m + 10] * xHr + leakageInverse[m + 11] * xHi
        let bH = leakageInverse[m + 12] * xLr + leakageInverse[m + 13] * xLi + leakageInverse[m + 14] * xHr + leakageInverse[m + 15] * xHi
        return (aL, bL, aH, bH)
    }

    /// Steadiness, frequency deviation and offset-corrected power of one tone from its complex
    /// amplitudes in the two halves; `nil` (with the statistic counted) when a check fails.
    private mutating func measureTone(
        _ tone: Int, first: (Float, Float), second: (Float, Float)
    ) -> (deviation: Float, power: Float, interior: Bool)? {
        let powerA = first.0 * first.0 + first.1 * first.1
        let powerB = second.0 * second.0 + second.1 * second.1
        guard min(powerA, powerB) >= steadiness2 * max(powerA, powerB) else {
            statistics.unsteady += 1
            return nil
        }
        // Phase advance over one half-block, minus the nominal ω·M.
        let wr = second.0 * first.0 + second.1 * first.1
        let wi = second.1 * first.0 - second.0 * first.1
        let zr = wr * rotationCos[tone] + wi * rotationSin[tone]
        let zi = wi * rotationCos[tone] - wr * rotationSin[tone]
        let deltaOmega = atan2(zi, zr) / Float(halfBlockLength)
        let deviation = deltaOmega / omegas[tone]
        guard abs(deviation) <= frequencyTolerance else {
            statistics.frequency += 1
            return nil
        }
        // Amplitude lost to the frequency offset over M samples: |D_M(Δω)/M|².
        let m = Float(halfBlockLength)
        let halfAngle = deltaOmega / 2
        var gain: Float = 1
        if abs(halfAngle) > 1e-6 {
            let dirichlet = sin(m * halfAngle) / (m * sin(halfAngle))
            gain = max(0.5, dirichlet * dirichlet)
        }
        // A tone a·cos(ωn + φ) has complex amplitude c = (a/2)·e^{jφ}; its power a²/2 is 2|c|².
        let interior = min(powerA, powerB) >= 0.81 * max(powerA, powerB)
        return (deviation, (powerA + powerB) / gain, interior)
    }

    private mutating func evaluateWindow(half: Int) -> WindowResult {
        var result = WindowResult()
        let first = ((half - 1) % Self.ringSize)
        let second = (half % Self.ringSize)
        let energy = ringEnergy[first] + ringEnergy[second]  // above the floor: checked by the gate

        // Full-window power per tone, |y_A + e^{−jωM}·y_B|², for the relative-peak test (78 Hz bins).
        let reA = ringRe[first], imA = ringIm[first]
        let reB = ringRe[second], imB = ringIm[second]
        let re = reA + rotationCos * reB + rotationSin * imB
        let im = imA + rotationCos * imB - rotationSin * reB
        let power = re * re + im * im
        // Per group: the strongest tone and the strongest of the other three (a tie counts as a
        // runner-up equal to the peak), without indexing the vector by a variable.
        guard let bestLow = dominantTone(power.lowHalf), let highLane = dominantTone(power.highHalf) else {
            statistics.relativePeak += 1
            return result
        }
        let bestHigh = 4 + highLane

        let pair = bestLow * 4 + highLane
        let a = toneAmplitudes(slot: first, pair: pair, low: bestLow, high: bestHigh)
        let b = toneAmplitudes(slot: second, pair: pair, low: bestLow, high: bestHigh)
        guard let low = measureTone(bestLow, first: (a.0, a.1), second: (b.0, b.1)),
            let high = measureTone(bestHigh, first: (a.2, a.3), second: (b.2, b.3))
        else { return result }

        let n = Float(2 * halfBlockLength)
        let ratio = (low.power + high.power) / (energy / n)
        guard ratio >= minToneToTotalRatio else {
            statistics.toneToTotal += 1
            return result
        }
        guard low.power >= minTonePower, high.power >= minTonePower else {
            statistics.level += 1
            return result
        }
        guard high.power <= low.power * maxNormalTwist, low.power <= high.power * maxReverseTwist else {
            statistics.twist += 1
            return result
        }

        result.digit = pair
        result.lowPower = low.power
        result.highPower = high.power
        result.ratio = ratio  // uncapped: the tones' cross terms make single windows err by a few % either way
        result.lowDeviation = low.deviation
        result.highDeviation = high.deviation
        result.interior = low.interior && high.interior
        return result
    }

    // MARK: - Digit state machine

    private mutating func advance(with window: WindowResult, endingAt half: Int, _ events: inout [DTMFDigitEvent]) {
        let digit = window.digit
        if digit == candidate {
            candidateRun += 1
        } else {
            candidate = digit
            candidateRun = 1
            candidateStartHalf = half - 1
            candidateAccumulator = Accumulator()
        }
        if digit >= 0 { candidateAccumulator.add(window) }

        if current >= 0 {
            if digit == current {
                currentMisses = 0
                currentLastValidHalf = half
                currentAccumulator.add(window)
            } else {
                currentMisses += 1
                let replaced = digit >= 0 && candidateRun >= configuration.validationWindows
                if currentMisses >= configuration.endGapWindows || replaced {
                    events.append(endCurrent())
                }
            }
        }
        if current < 0, candidate >= 0, candidateRun >= configuration.validationWindows {
            current = candidate
            currentStartSample = estimateStart(firstHalf: candidateStartHalf, digit: candidate)
            currentLastValidHalf = half
            currentMisses = 0
            currentAccumulator = candidateAccumulator
        }
    }

    /// The lane of the strongest of four tone powers, when it exceeds each of the other three by the
    /// relative-peak margin; `nil` otherwise (ties included).
    private func dominantTone(_ power: SIMD4<Float>) -> Int? {
        // Written out: the generic `SIMD.max()` is not inlined and costs a call per window.
        let p0 = power[0], p1 = power[1], p2 = power[2], p3 = power[3]
        let peak = max(max(p0, p1), max(p2, p3))
        let lane = p0 == peak ? 0 : p1 == peak ? 1 : p2 == peak ? 2 : 3
        let runnerUp: Float  // a tie makes the runner-up equal to the peak, and the test fail
        switch lane {
        case 0: runnerUp = max(p1, max(p2, p3))
        case 1: runnerUp = max(p0, max(p2, p3))
        case 2: runnerUp = max(max(p0, p1), p3)
        default: runnerUp = max(max(p0, p1), p2)
        }
        return runnerUp * relativePeak <= peak ? lane : nil
    }

    /// Mean amplitude of the digit's two tones in a stored half-block.
    private func amplitude(half: Int, digit: Int) -> Float {
        guard half >= 0, half < halvesCompleted, halvesCompleted - half <= Self.ringSize else { return 0 }
        let slot = half % Self.ringSize
        assert(ringHalf[slot] == half, "half-block \(half) was skipped by the energy gate but is needed")
        let magnitude = (ringRe[slot] * ringRe[slot] + ringIm[slot] * ringIm[slot]).squareRoot()
        return (magnitude[digit / 4] + magnitude[4 + digit % 4]) / 2
    }

    private func estimateStart(firstHalf: Int, digit: Int) -> Int {
        let m = Float(halfBlockLength)
        let reference = max(amplitude(half: firstHalf, digit: digit), amplitude(half: firstHalf + 1, digit: digit))
        guard reference > 0 else { return firstHalf * halfBlockLength }
        let before = min(1, amplitude(half: firstHalf - 1, digit: digit) / reference)
        // The fraction of a half-block is rounded in Float, the position added in Int: a Float
        // position loses whole samples past 2^24 (35 min at 8 kHz) and would depend on where the
        // stream started.
        if before > 0.1 {
            return max(0, firstHalf * halfBlockLength - Int((before * m).rounded(.up)))
        }
        let own = min(1, amplitude(half: firstHalf, digit: digit) / reference)
        return (firstHalf + 1) * halfBlockLength - Int((own * m).rounded(.up))
    }

    private func estimateEnd(lastHalf: Int, digit: Int) -> Int {
        let m = Float(halfBlockLength)
        let reference = max(amplitude(half: lastHalf, digit: digit), amplitude(half: lastHalf - 1, digit: digit))
        guard reference > 0 else { return (lastHalf + 1) * halfBlockLength }
        let after = min(1, amplitude(half: lastHalf + 1, digit: digit) / reference)
        if after > 0.1 {
            return (lastHalf + 1) * halfBlockLength + Int(after * m)
        }
        let own = min(1, amplitude(half: lastHalf, digit: digit) / reference)
        return lastHalf * halfBlockLength + Int(own * m)
    }

    private mutating func endCurrent() -> DTMFDigitEvent {
        let accumulator = currentAccumulator.best
        let count = Double(max(1, accumulator.count))
        let lowPower = accumulator.lowPower / count
        let highPower = accumulator.highPower / count
        let ratio = min(accumulator.ratio / count, 1)
        let lowLevel = DTMFLevel.dBm0(amplitude: (2 * lowPower).squareRoot())
        let highLevel = DTMFLevel.dBm0(amplitude: (2 * highPower).squareRoot())
        let snr = ratio >= 1 ? 60 : min(60, 10 * log10(max(ratio, 1e-9) / (1 - ratio)))
        let quality = DTMFSignalQuality(
            lowLevelDBm0: lowLevel, highLevelDBm0: highLevel, twistDB: highLevel - lowLevel,
            toneToTotalRatio: ratio, snrDB: snr,
            lowFrequencyDeviation: accumulator.lowDeviation / count,
            highFrequencyDeviation: accumulator.highDeviation / count,
            validWindows: currentAccumulator.all.count)
        let end = max(currentStartSample + 1, estimateEnd(lastHalf: currentLastValidHalf, digit: current))
        let event = DTMFDigitEvent(
            digit: DTMFDigit.allCases[current], channel: 0, startSample: currentStartSample, endSample: end,
            sampleRate: configuration.sampleRate, quality: quality)
        current = -1
        currentMisses = 0
        currentAccumulator = Accumulator()
        return event
    }
}
