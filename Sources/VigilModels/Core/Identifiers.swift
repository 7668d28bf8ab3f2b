import Foundation

/// A Genesys Cloud entity id: a UUID, always rendered in lowercase (`2f7bf00a-0fc2-4d6a-9b56-92238191433e`).
///
/// Used for the identifiers the pipeline routes and deduplicates on (conversation, recording and
/// participant ids). Decoding accepts either letter case and normalises to lowercase, so the same
/// recording always yields the same idempotency key; anything that is not a UUID fails with
/// ``ModelDecodingError/Code/invalidValue`` (a verdict about "recording 42" must never be trusted).
public struct GenesysID: Hashable, Comparable, Sendable, Codable, LosslessStringConvertible {
    /// The lowercase canonical string.
    public let rawValue: String

    /// Wraps a `UUID`.
    public init(_ uuid: UUID) {
        rawValue = uuid.uuidString.lowercased()
    }

    /// Parses a canonical 36-character UUID string (hex digits in either case, dashes after 8, 12, 16
    /// and 20 digits, as `UUID(uuidString:)` requires); returns `nil` for anything else.
    ///
    /// Checked and lowercased by hand: `UUID(uuidString:)` parses with `sscanf` and `uuidString`
    /// formats with `printf` on Linux, which made ids the costliest fields of an event.
    public init?(_ description: String) {
        var text = description
        let lowered: String? = text.withUTF8 { bytes in
            guard bytes.count == 36 else { return nil }
            return String(unsafeUninitializedCapacity: 36) { output in
                for index in 0..<36 {
                    let byte = bytes[index]
                    if index == 8 || index == 13 || index == 18 || index == 23 {
                        guard byte == UInt8(ascii: "-") else { return 0 }
                        output[index] = byte
                        continue
                    }
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): output[index] = byte
                    case UInt8(ascii: "A")...UInt8(ascii: "F"): output[index] = byte | 0x20
                    default: return 0
                    }
                }
                return 36
            }
        }
        guard let lowered, lowered.utf8.count == 36 else { return nil }
        rawValue = lowered
    }

    /// A new random id (tests, simulators).
    public static func random() -> GenesysID { GenesysID(UUID()) }

    /// The id as a `UUID`.
    public var uuid: UUID { UUID(uuidString: rawValue)! }

    /// The lowercase canonical string.
    public var description: String { rawValue }

    /// Orders by the canonical string.
    public static func < (lhs: GenesysID, rhs: GenesysID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Decodes a UUID string; fails with `invalidValue` ("must be a UUID") otherwise.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let id = GenesysID(try container.decode(String.self)) else {
            throw DecodingError.vigil(.invalidValue, at: decoder.codingPath, "must be a UUID")
        }
        self = id
    }

    /// Encodes the lowercase string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A correlation id that links an event, the compliance request, the verdict and every remediation
/// step (the seed's `correlationId`, e.g. `evt-sub-req-8847291`).
///
/// Restricted to 1–128 characters from `A–Z a–z 0–9 . _ : -`: it is logged everywhere and echoed by an
/// external engine, so the character set rules out log injection and smuggled payloads.
public struct CorrelationID: Hashable, Sendable, Codable, LosslessStringConvertible {
    /// The id string.
    public let rawValue: String

    /// Validates and wraps a correlation id; `nil` if empty, longer than 128, or using other characters.
    public init?(_ description: String) {
        guard Self.isValid(description) else { return nil }
        rawValue = description
    }

    /// A new random correlation id (a lowercase UUID).
    public static func random() -> CorrelationID { CorrelationID(UUID().uuidString.lowercased())! }

    /// The id string.
    public var description: String { rawValue }

    static func isValid(_ string: String) -> Bool {
        let bytes = string.utf8
        guard (1...128).contains(bytes.count) else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: ":"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }

    /// Decodes and validates; fails with `invalidValue` otherwise.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let id = CorrelationID(try container.decode(String.self)) else {
            throw DecodingError.vigil(
                .invalidValue, at: decoder.codingPath,
                "must be 1-128 characters from A-Z a-z 0-9 . _ : -")
        }
        self = id
    }

    /// Encodes the string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A pseudonymous token standing in for a PII value (caller number, email, account id) in minimised
/// metadata, as produced by the redaction layer's tokenizer.
///
/// VigilModels cannot prove a string is a token, but it rejects what is obviously raw PII: it must be
/// 8–256 characters from `A–Z a–z 0–9 _ - . :`, contain at least one letter (so a bare card, phone
/// or social-security number is refused) and no `@`, `+` or spaces (emails, formatted phone numbers).
public struct PseudonymousToken: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The token string.
    public let rawValue: String

    /// Validates and wraps a token; `nil` when it looks like raw PII or breaks the format.
    public init?(_ rawValue: String) {
        guard Self.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    static func isValid(_ string: String) -> Bool {
        let bytes = string.utf8
        guard (8...256).contains(bytes.count) else { return false }
        var hasLetter = false
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                hasLetter = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: ":"):
                continue
            default:
                return false
            }
        }
        return hasLetter
    }

    /// The token itself (tokens are safe to log by construction).
    public var description: String { rawValue }

    /// Decodes and validates; fails with `invalidValue` ("must be a pseudonymous token").
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let token = PseudonymousToken(try container.decode(String.self)) else {
            throw DecodingError.vigil(.invalidValue, at: decoder.codingPath, "must be a pseudonymous token")
        }
        self = token
    }

    /// Encodes the string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
