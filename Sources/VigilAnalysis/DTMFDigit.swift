/// A DTMF key: one low-group ("row") and one high-group ("column") frequency.
///
/// | | 1209 Hz | 1336 Hz | 1477 Hz | 1633 Hz |
/// |---|---|---|---|---|
/// | **697 Hz** | 1 | 2 | 3 | A |
/// | **770 Hz** | 4 | 5 | 6 | B |
/// | **852 Hz** | 7 | 8 | 9 | C |
/// | **941 Hz** | * | 0 | # | D |
public enum DTMFDigit: Character, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Key 1 (697 + 1209 Hz).
    case one = "1"
    /// Key 2 (697 + 1336 Hz).
    case two = "2"
    /// Key 3 (697 + 1477 Hz).
    case three = "3"
    /// Key A (697 + 1633 Hz).
    case a = "A"
    /// Key 4 (770 + 1209 Hz).
    case four = "4"
    /// Key 5 (770 + 1336 Hz).
    case five = "5"
    /// Key 6 (770 + 1477 Hz).
    case six = "6"
    /// Key B (770 + 1633 Hz).
    case b = "B"
    /// Key 7 (852 + 1209 Hz).
    case seven = "7"
    /// Key 8 (852 + 1336 Hz).
    case eight = "8"
    /// Key 9 (852 + 1477 Hz).
    case nine = "9"
    /// Key C (852 + 1633 Hz).
    case c = "C"
    /// Key * (941 + 1209 Hz).
    case star = "*"
    /// Key 0 (941 + 1336 Hz).
    case zero = "0"
    /// Key # (941 + 1477 Hz).
    case pound = "#"
    /// Key D (941 + 1633 Hz).
    case d = "D"

    /// The low-group frequencies in Hz: 697, 770, 852, 941.
    public static let lowFrequencies: [Double] = [697, 770, 852, 941]
    /// The high-group frequencies in Hz: 1209, 1336, 1477, 1633.
    public static let highFrequencies: [Double] = [1209, 1336, 1477, 1633]

    /// The key at `row` (0–3, low group) and `column` (0–3, high group).
    public init(row: Int, column: Int) {
        self = Self.allCases[row * 4 + column]
    }

    /// The key for a character (`"0"`–`"9"`, `"*"`, `"#"`, `"A"`–`"D"`, lowercase accepted), or `nil`.
    public init?(character: Character) {
        guard let digit = Self(rawValue: Character(character.uppercased())) else { return nil }
        self = digit
    }

    /// Index of the low-group tone (0 = 697 Hz … 3 = 941 Hz).
    public var row: Int { Self.allCases.firstIndex(of: self)! / 4 }
    /// Index of the high-group tone (0 = 1209 Hz … 3 = 1633 Hz).
    public var column: Int { Self.allCases.firstIndex(of: self)! % 4 }
    /// The low-group frequency in Hz.
    public var lowFrequency: Double { Self.lowFrequencies[row] }
    /// The high-group frequency in Hz.
    public var highFrequency: Double { Self.highFrequencies[column] }

    /// The key's character.
    public var description: String { String(rawValue) }
}
