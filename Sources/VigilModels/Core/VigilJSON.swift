import Foundation

/// The single entry point for reading and writing every VigilModels type.
///
/// - Decoding is strict: the bytes are read once by ``StrictJSON`` (I-JSON, size, depth, UTF-8), which
///   records a tape that the decoder builds the value from — no second parse. Failures become a
///   ``ModelDecodingError`` with a stable code and a field path, never the offending value.
/// - Dates are ISO-8601 in UTC, read with or without fractional seconds
///   (`2026-05-01T10:00:00.000Z` and `2026-05-01T10:00:00Z`; those two forms by hand, anything else
///   through `Date.ISO8601FormatStyle`), and written with millisecond precision,
///   the form Genesys Cloud uses. Epoch-millisecond integer fields (`eventTime`, `startTimeMs`…)
///   stay `Int64`: they are not dates in the JSON, and converting them would lose nothing but cost
///   a conversion on every event.
/// - Output has sorted keys and unescaped slashes, so equal values encode to equal bytes (useful for
///   signatures and payload fingerprints).
///
/// ```swift
/// let verdict = try VigilJSON.decode(ComplianceVerdict.self, from: body)
/// let bytes = try VigilJSON.encode(verdict)
/// ```
public enum VigilJSON {
    /// Parses ISO-8601 with fractional seconds (this toolchain also accepts it without them).
    static let fractionalStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
    /// Parses ISO-8601 without fractional seconds (older Foundations need it separately).
    static let wholeSecondStyle = Date.ISO8601FormatStyle()

    /// A freshly configured Foundation decoder with Vigil's date strategy, for a host's own trusted
    /// data (Vigil's stores use it for what they wrote). It does **not** apply ``StrictJSON``: for bytes
    /// from outside, use ``decode(_:from:limits:)``.
    ///
    /// A computed property rather than a shared `let`: `JSONDecoder` is a mutable class, and a host
    /// that tweaks a shared instance would silently change decoding for every other caller.
    public static var decoder: JSONDecoder { makeDecoder() }

    /// A freshly configured encoder (sorted keys, unescaped slashes, millisecond dates).
    public static var encoder: JSONEncoder { makeEncoder() }

    /// Builds the decoder behind ``decoder``.
    public static func makeDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            return try parseDate(container.decode(String.self), codingPath: decoder.codingPath)
        }
        return decoder
    }

    /// Builds the encoder behind ``encoder``.
    public static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(formatDate(date))
        }
        return encoder
    }

    /// Parses a Genesys/Vigil ISO-8601 timestamp; throws a value-free `DecodingError` otherwise.
    ///
    /// The two forms Genesys and Vigil write — `yyyy-MM-ddTHH:mm:ssZ` and `yyyy-MM-ddTHH:mm:ss.SSSZ` —
    /// are read by hand (``parseUTCTimestamp(_:)``: about 40 times faster than `ISO8601FormatStyle`, which
    /// was the largest single cost of decoding an event); anything else goes to the format styles.
    static func parseDate(_ string: String, codingPath: [any CodingKey]) throws -> Date {
        if let date = parseUTCTimestamp(string) { return date }
        if let date = try? fractionalStyle.parse(string) { return date }
        if let date = try? wholeSecondStyle.parse(string) { return date }
        throw DecodingError.vigil(.invalidValue, at: codingPath, "must be an ISO-8601 date-time")
    }

    /// Reads exactly `yyyy-MM-ddTHH:mm:ssZ` or `yyyy-MM-ddTHH:mm:ss.SSSZ` (years 1600–9999, real
    /// calendar dates, seconds 0–59); `nil` for anything else, which the caller hands to
    /// `ISO8601FormatStyle`. (Foundation's calendar is Julian before 1582, this one is Gregorian.)
    static func parseUTCTimestamp(_ string: String) -> Date? {
        var string = string
        return string.withUTF8 { bytes -> Date? in
            guard bytes.count == 20 || bytes.count == 24 else { return nil }
            func number(_ from: Int, _ count: Int) -> Int? {
                var value = 0
                for index in from..<(from + count) {
                    let digit = Int(bytes[index]) &- 48
                    guard digit >= 0 && digit <= 9 else { return nil }
                    value = value * 10 + digit
                }
                return value
            }
            guard bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: "T"),
                bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[bytes.count - 1] == UInt8(ascii: "Z"),
                let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
                let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
                year >= 1600, (1...12).contains(month), hour < 24, minute < 60, second < 60
            else { return nil }
            var milliseconds = 0
            if bytes.count == 24 {
                guard bytes[19] == UInt8(ascii: "."), let fraction = number(20, 3) else { return nil }
                milliseconds = fraction
            }
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            let monthDays = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            guard (1...monthDays).contains(day) else { return nil }
            // Days from 1970-01-01 to the civil date (H. Hinnant's algorithm).
            let y = month <= 2 ? year - 1 : year
            let era = y / 400
            let yearOfEra = y - era * 400
            let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            let days = era * 146_097 + dayOfEra - 719_468
            let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second
            return Date(timeIntervalSince1970: Double(seconds) + Double(milliseconds) / 1_000)
        }
    }

    /// Formats a date as `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, rounded to the nearest millisecond.
    ///
    /// `ISO8601FormatStyle` truncates the fraction, and a `Date` parsed from `….123Z` is stored as
    /// `….12299999…`; without the half-millisecond nudge it would re-encode as `….122Z`.
    public static func formatDate(_ date: Date) -> String {
        fractionalStyle.format(date.addingTimeInterval(0.0005))
    }

    private static let sharedDecoder = makeDecoder()
    private static let sharedEncoder = makeEncoder()

    /// Decodes `type` from JSON bytes.
    ///
    /// The bytes are first read by ``StrictJSON`` within `limits`: a document that is not I-JSON
    /// (duplicate member names, lone surrogates, out-of-range numbers, a byte order mark, trailing
    /// content…) is refused before any value is decoded, so every caller applies the same grammar.
    ///
    /// - Throws: ``ModelDecodingError`` naming the failing field path; never the value itself.
    public static func decode<T: Decodable>(
        _ type: T.Type, from data: Data, limits: StrictJSON.Limits = .standard
    ) throws(ModelDecodingError) -> T {
        let result = data.withUnsafeBytes { raw in
            Result { () throws(ModelDecodingError) in
                try StrictJSONDecoding.decode(type, from: raw.bindMemory(to: UInt8.self), limits: limits)
            }
        }
        return try result.get()
    }

    /// Decodes `type` from JSON bytes with Foundation's `JSONDecoder` (configured as ``makeDecoder()``)
    /// after the same strict read — the reference implementation ``decode(_:from:limits:)`` is tested
    /// against.
    public static func decodeWithFoundation<T: Decodable>(
        _ type: T.Type, from data: Data, limits: StrictJSON.Limits = .standard
    ) throws(ModelDecodingError) -> T {
        try StrictJSON.validate(data, limits: limits)
        return try ModelDecodingError.mapping { try sharedDecoder.decode(type, from: data) }
    }

    /// Decodes `type` from contiguous bytes, trying the hand-written `reading` first on the tape the one
    /// strict read recorded; when it answers `nil`, the same tape is decoded through `init(from:)`,
    /// which gives the value or the typed error (see ``TapeValue``).
    package static func decode<T: Decodable>(
        _ type: T.Type, from bytes: UnsafeBufferPointer<UInt8>, limits: StrictJSON.Limits = .standard,
        reading: (TapeValue) -> T?
    ) throws(ModelDecodingError) -> T {
        try StrictJSONDecoding.decode(type, from: bytes, limits: limits, reading: reading)
    }

    /// Decodes `type` from any sequence of bytes (for example a `[UInt8]` or a `ByteBuffer` view).
    public static func decode<T: Decodable>(
        _ type: T.Type, from bytes: some Sequence<UInt8>, limits: StrictJSON.Limits = .standard
    ) throws(ModelDecodingError) -> T {
        // Contiguous bytes (an array, a slice) are read in place, not copied into a `Data` first.
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(ModelDecodingError) in try StrictJSONDecoding.decode(type, from: buffer, limits: limits) }
        }
        if let result { return try result.get() }
        return try decode(type, from: Data(bytes), limits: limits)
    }

    /// Decodes `type` from a JSON string (UTF-8).
    public static func decode<T: Decodable>(
        _ type: T.Type, from json: String, limits: StrictJSON.Limits = .standard
    ) throws(ModelDecodingError) -> T {
        try decode(type, from: Data(json.utf8), limits: limits)
    }

    /// Encodes `value` as compact JSON with sorted keys.
    ///
    /// - Throws: ``ModelDecodingError`` with code ``ModelDecodingError/Code/encodingFailed``.
    public static func encode<T: Encodable>(_ value: T) throws(ModelDecodingError) -> Data {
        do {
            return try sharedEncoder.encode(value)
        } catch let EncodingError.invalidValue(_, context) {
            throw ModelDecodingError(
                code: .encodingFailed, path: renderPath(context.codingPath),
                reason: "value cannot be represented in JSON")
        } catch let error as ModelDecodingError {
            throw error
        } catch {
            throw ModelDecodingError(code: .encodingFailed, path: "", reason: "value cannot be encoded")
        }
    }

    /// Encodes `value` and returns the bytes as an array.
    public static func encodeBytes<T: Encodable>(_ value: T) throws(ModelDecodingError) -> [UInt8] {
        try [UInt8](encode(value))
    }
}
