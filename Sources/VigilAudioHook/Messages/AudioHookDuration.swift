/// A position or span in an AudioHook stream: an ISO-8601 duration such as `PT12.34S`, held exactly in
/// microseconds.
///
/// Parsing is strict: `P`, then optional days, then `T` with hours, minutes and seconds (seconds may
/// have up to six decimals); at least one component; no sign, no years or months (their length is
/// not fixed), no empty `PT`.
public struct AudioHookDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in microseconds (never negative).
    public let microseconds: Int64

    /// A duration of `microseconds` (clamped at zero).
    public init(microseconds: Int64) {
        self.microseconds = max(0, microseconds)
    }

    /// A duration of `milliseconds`.
    public init(milliseconds: Int) {
        self.init(microseconds: Int64(milliseconds) * 1000)
    }

    /// Zero.
    public static let zero = AudioHookDuration(microseconds: 0)

    /// The length in whole milliseconds (rounded down).
    public var milliseconds: Int { Int(microseconds / 1000) }

    /// Parses `text`; `nil` when it is not a duration of the accepted form.
    public init?(iso8601 text: String) {
        var bytes = Array(text.utf8)[...]
        guard bytes.popFirst() == UInt8(ascii: "P"), !bytes.isEmpty, bytes.count <= 40 else { return nil }
        var total: Int64 = 0
        var components = 0
        var inTime = false
        var order = 0  // D=1, H=2, M=3, S=4: each at most once, in this order
        while let first = bytes.first {
            if first == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                bytes.removeFirst()
                guard !bytes.isEmpty else { return nil }
                continue
            }
            var whole: Int64 = 0
            var digits = 0
            while let byte = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                whole = whole * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
                bytes.removeFirst()
                guard digits <= 12 else { return nil }
            }
            var fraction: Int64 = 0
            var fractionDigits = 0
            if bytes.first == UInt8(ascii: ".") {
                bytes.removeFirst()
                while let byte = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    guard fractionDigits < 6 else { return nil }
                    fraction = fraction * 10 + Int64(byte - UInt8(ascii: "0"))
                    fractionDigits += 1
                    bytes.removeFirst()
                }
                guard fractionDigits > 0 else { return nil }
            }
            guard digits > 0, let unit = bytes.popFirst() else { return nil }
            let rank: Int
            let scale: Int64
            switch (unit, inTime) {
            case (UInt8(ascii: "D"), false): rank = 1; scale = 86_400_000_000
            case (UInt8(ascii: "H"), true): rank = 2; scale = 3_600_000_000
            case (UInt8(ascii: "M"), true): rank = 3; scale = 60_000_000
            case (UInt8(ascii: "S"), true): rank = 4; scale = 1_000_000
            default: return nil
            }
            guard rank > order, fractionDigits == 0 || rank == 4 else { return nil }
            order = rank
            var micro = fraction
            for _ in fractionDigits..<6 { micro *= 10 }
            total += whole * scale + micro
            components += 1
        }
        guard components > 0 else { return nil }
        self.init(microseconds: total)
    }

    /// The canonical form: `PT` and seconds with up to six decimals, trailing zeros dropped
    /// (`PT0S`, `PT12.34S`, `PT3600S`).
    public var iso8601: String {
        let seconds = microseconds / 1_000_000
        var fraction = microseconds % 1_000_000
        guard fraction > 0 else { return "PT\(seconds)S" }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        return "PT\(seconds).\(padded)S"
    }

    /// ``iso8601``.
    public var description: String { iso8601 }

    /// Orders by length.
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.microseconds < rhs.microseconds }

    /// The sum.
    public static func + (lhs: Self, rhs: Self) -> Self { Self(microseconds: lhs.microseconds + rhs.microseconds) }
}
