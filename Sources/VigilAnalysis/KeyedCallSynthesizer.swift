import Foundation
import VigilCore

/// Synthesised call recordings for demos, simulators, tests and load runs: mono µ-law 8 kHz WAVs in
/// which the customer keys digits as DTMF — a Luhn-valid test card number (a violation) or something
/// harmless (nothing, a PIN, a date, a phone number, a 16-digit number failing Luhn).
///
/// ```swift
/// let calls = KeyedCallSynthesizer()
/// let wav = calls.wav(keying: KeyedCallSynthesizer.testCards[0], variant: 1)   // keyed from 1.7 s
/// ```
///
/// Renderings are cached per keying and variant, so thousands of recordings cost a few syntheses.
/// Thread-safe.
public final class KeyedCallSynthesizer: @unchecked Sendable {
    /// Luhn-valid test card numbers (the card networks' published test numbers).
    public static let testCards = [
        "4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
        "4012888888881881", "5105105105105100"
    ]
    /// Harmless keying: nothing, a PIN, a date, a phone number, a 16-digit number failing the Luhn
    /// check, a short code.
    public static let cleanKeying = ["", "4821", "20260501", "4155550123", "4111111111111112", "", "1234", "", "987654"]

    /// Where the keying starts, in milliseconds from the start of the recording, for `variant` (0…2:
    /// 1.2 s, 1.7 s, 2.2 s).
    public static func keyingOffsetMilliseconds(variant: Int) -> Int { 1_200 + 1_000 * variant / 2 }

    private let lock = NSLock()
    private var cache: [String: [UInt8]] = [:]
    private let synthesizer = DTMFSynthesizer(sampleRate: 8000)

    /// Creates a synthesizer.
    public init() {}

    /// A WAV (µ-law, 8 kHz, mono) with `keying` keyed as DTMF from
    /// ``keyingOffsetMilliseconds(variant:)``, then 0.8 s of silence. An empty `keying` is silence only.
    public func wav(keying: String, variant: Int) -> [UInt8] {
        let key = "\(keying)#\(variant)"
        if let cached = lock.withLock({ cache[key] }) { return cached }
        let lead = Double(Self.keyingOffsetMilliseconds(variant: variant))
        var samples =
            keying.isEmpty
            ? synthesizer.generator.silence(milliseconds: lead)
            : synthesizer.sequence(keying, leadingMilliseconds: lead)
        samples += synthesizer.generator.silence(milliseconds: 800)
        let bytes = WAVEncoder.encode([samples], format: AudioFormat(encoding: .muLaw, sampleRate: 8000, channelCount: 1))
        lock.withLock { cache[key] = bytes }
        return bytes
    }

    /// A live call as AudioHook streams it: `seconds` of interleaved stereo PCMU at 8 kHz (external =
    /// the customer, internal = the agent), faint line noise (−55 dBm0) on both, the customer keying each
    /// of `keys` from its offset (70 ms tones, 80 ms gaps: a digit every 150 ms). Not cached.
    public static func liveCall(seconds: Double, keys: [(atMs: Int, digits: String)], seed: UInt64 = 3) -> [UInt8] {
        let rate = 8000
        let synth = DTMFSynthesizer(sampleRate: rate)
        var rng = SplitMix64(seed: seed)
        let count = Int(seconds * Double(rate))
        var customer = synth.generator.whiteNoise(count: count, levelDBm0: -55, using: &rng)
        let agent = synth.generator.whiteNoise(count: count, levelDBm0: -55, using: &rng)
        for (atMs, digits) in keys {
            let tones = synth.sequence(digits, onMilliseconds: 70, offMilliseconds: 80)
            let start = atMs * rate / 1000
            for index in tones.indices where start + index < count { customer[start + index] += tones[index] }
        }
        var bytes = [UInt8]()
        bytes.reserveCapacity(2 * count)
        for index in 0..<count {
            bytes.append(G711.muLawEncode(customer[index]))
            bytes.append(G711.muLawEncode(agent[index]))
        }
        return bytes
    }

    /// When the last of `digits` keyed from `atMs` ends in ``liveCall(seconds:keys:seed:)``, in ms.
    public static func liveKeyingEndMilliseconds(atMs: Int, digits: String) -> Int { atMs + digits.count * 150 - 80 }
}
