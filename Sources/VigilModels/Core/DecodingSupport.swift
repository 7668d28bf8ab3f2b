import Foundation

/// The largest integer a JSON number can carry without loss in common JSON stacks (2^53).
let maxSafeJSONInteger: Double = 9_007_199_254_740_992

extension KeyedDecodingContainer {
    /// A value-free `DecodingError` at `key` that ``VigilJSON`` maps to `code`.
    func failure(_ code: ModelDecodingError.Code, _ key: Key, _ reason: String) -> DecodingError {
        .vigil(code, at: codingPath + [key], reason)
    }

    /// Decodes an integer strictly: a fractional or out-of-range number is a `wrongType`/`invalidValue`
    /// at `key` (Foundation would report it as an unlocated syntax error).
    func decodeInteger(_ key: Key, in range: ClosedRange<Int64>? = nil) throws -> Int64 {
        let number = try decode(Double.self, forKey: key)
        return try checkedInteger(number, key, range)
    }

    /// Optional form of ``decodeInteger(_:in:)``; absent or `null` gives `nil`.
    func decodeIntegerIfPresent(_ key: Key, in range: ClosedRange<Int64>? = nil) throws -> Int64? {
        guard let number = try decodeIfPresent(Double.self, forKey: key) else { return nil }
        return try checkedInteger(number, key, range)
    }

    private func checkedInteger(_ number: Double, _ key: Key, _ range: ClosedRange<Int64>?) throws -> Int64 {
        guard number.rounded(.towardZero) == number, abs(number) <= maxSafeJSONInteger else {
            throw failure(.wrongType, key, "expected integer")
        }
        let value = Int64(number)
        if let range, !range.contains(value) {
            throw failure(.invalidValue, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return value
    }

    /// Decodes a number and checks it lies in `range`.
    func decodeNumber(_ key: Key, in range: ClosedRange<Double>) throws -> Double {
        let number = try decode(Double.self, forKey: key)
        guard range.contains(number) else {
            throw failure(.invalidValue, key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return number
    }

    /// Decodes a string whose length (in `Character`s) lies in `length`.
    func decodeString(_ key: Key, length: ClosedRange<Int>) throws -> String {
        let string = try decode(String.self, forKey: key)
        try checkLength(string, key, length)
        return string
    }

    /// Optional form of ``decodeString(_:length:)``.
    func decodeStringIfPresent(_ key: Key, length: ClosedRange<Int>) throws -> String? {
        guard let string = try decodeIfPresent(String.self, forKey: key) else { return nil }
        try checkLength(string, key, length)
        return string
    }

    private func checkLength(_ string: String, _ key: Key, _ length: ClosedRange<Int>) throws {
        guard length.contains(string.count) else {
            throw failure(.invalidValue, key, "length must be between \(length.lowerBound) and \(length.upperBound)")
        }
    }
}

/// A string-keyed coding key for dynamic objects.
struct AnyCodingKey: CodingKey, Hashable {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

// MARK: - Enums

/// An enum that **will grow**: unknown wire values decode as `.other(String)` and round-trip unchanged.
///
/// Used where failing on a new value would drop real work on the floor (a new Genesys `fileState`
/// or `mediaType` must not stop a recording from being checked). Code that branches on such an enum
/// must treat `.other` conservatively (usually: needs a human).
public protocol OpenStringEnum: RawRepresentable<String>, Codable, Hashable, Sendable, CustomStringConvertible {
    /// Maps any wire string to a case; unknown strings become `.other`.
    init(rawValue: String)
}

extension OpenStringEnum {
    /// Decodes from a JSON string; never fails on an unknown value.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.init(rawValue: try container.decode(String.self))
    }

    /// Encodes the wire string (the original one for `.other`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The wire string.
    public var description: String { rawValue }
}

/// An enum whose set of values is **fixed by contract**: an unknown value is a decoding failure
/// (``ModelDecodingError/Code/unknownEnumValue``), because guessing would be unsafe or the value
/// configures behaviour Vigil cannot perform.
public protocol ClosedStringEnum: RawRepresentable<String>, CaseIterable, Codable, Hashable, Sendable,
    CustomStringConvertible
{}

extension ClosedStringEnum {
    /// Decodes from a JSON string; an unknown value throws `unknownEnumValue` at this field's path.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            let allowed = Self.allCases.map(\.rawValue).joined(separator: ", ")
            throw DecodingError.vigil(.unknownEnumValue, at: decoder.codingPath, "expected one of: \(allowed)")
        }
        self = value
    }

    /// Encodes the wire string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// The wire string.
    public var description: String { rawValue }
}
