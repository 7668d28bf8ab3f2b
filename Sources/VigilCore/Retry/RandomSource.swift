import Foundation

/// A source of uniform random numbers in `[0, 1)`, injectable so jittered schedules are testable.
///
/// ```swift
/// let policy = ExponentialBackoffPolicy(random: .seeded(42))   // deterministic in tests
/// ```
public struct RandomSource: Sendable {
    private let generate: @Sendable () -> Double

    /// Creates a source from a closure returning values in `[0, 1)`.
    public init(_ generate: @escaping @Sendable () -> Double) {
        self.generate = generate
    }

    /// The next value, clamped into `[0, 1)`.
    public func next() -> Double {
        let value = generate()
        guard value.isFinite, value >= 0 else { return 0 }
        return value < 1 ? value : 1.0.nextDown
    }

    /// The system's cryptographically secure generator.
    public static let system = RandomSource { Double.random(in: 0..<1) }

    /// Always returns `value` (e.g. `0.5` for the middle of every jitter range, `0.999` for the top).
    public static func constant(_ value: Double) -> RandomSource {
        RandomSource { value }
    }

    /// A deterministic sequence from `seed` (SplitMix64), safe to share between tasks.
    public static func seeded(_ seed: UInt64) -> RandomSource {
        let state = Locked(seed)
        return RandomSource { Double(state.withLock(splitMix64) >> 11) * 0x1.0p-53 }
    }
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fast, seedable pseudo-random generator, deterministic
/// for a given seed on every platform — for reproducible jitter, synthetic test signals and simulator
/// choices. Not for secrets.
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    /// The generator's state (the seed, advanced once per value).
    public var state: UInt64

    /// A generator starting at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 { splitMix64(&state) }

    /// A uniform value in [0, 1), from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}

/// One step of SplitMix64: advances `state` and returns the next 64 bits.
private func splitMix64(_ state: inout UInt64) -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}
