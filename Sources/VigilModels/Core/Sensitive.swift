import Foundation

/// A value that must never appear in logs: a secret (client secret, access token) or direct PII
/// (caller number, email address, callback name).
///
/// It encodes and decodes exactly like `Value`, but `description`, `debugDescription`, string
/// interpolation, `dump` and mirrors all print `<redacted>`. Read the value explicitly through
/// ``value`` where it is really needed.
public struct Sensitive<Value: Sendable>: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The wrapped value. Reading it is a deliberate act; never log it.
    public var value: Value

    /// Wraps a value.
    public init(_ value: Value) { self.value = value }

    /// Always `<redacted>`.
    public var description: String { "<redacted>" }
    /// Always `<redacted>`.
    public var debugDescription: String { "<redacted>" }
    /// A mirror with no children, so `dump` and reflection show only `<redacted>`.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}

extension Sensitive: Equatable where Value: Equatable {}
extension Sensitive: Hashable where Value: Hashable {}

extension Sensitive: Decodable where Value: Decodable {
    /// Decodes the bare value.
    public init(from decoder: any Decoder) throws {
        value = try decoder.singleValueContainer().decode(Value.self)
    }
}

extension Sensitive: Encodable where Value: Encodable {
    /// Encodes the bare value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}

extension Sensitive: ExpressibleByUnicodeScalarLiteral where Value == String {
    /// Creates a sensitive string from a literal.
    public init(unicodeScalarLiteral value: String) { self.init(value) }
}
extension Sensitive: ExpressibleByExtendedGraphemeClusterLiteral where Value == String {
    /// Creates a sensitive string from a literal.
    public init(extendedGraphemeClusterLiteral value: String) { self.init(value) }
}
extension Sensitive: ExpressibleByStringLiteral where Value == String {
    /// Creates a sensitive string from a literal.
    public init(stringLiteral value: String) { self.init(value) }
}

/// A pre-signed download URL (a recording `mediaUri`, a batch `resultUrl`, the media link in a
/// ``ComplianceRequest``).
///
/// Whoever holds such a URL can download the recording until it expires (Genesys: ≤ 60 minutes), so it
/// is a bearer credential: its description shows only scheme and host (`https://host/<redacted>`).
/// Decoding requires an absolute `http`/`https` URL with a host.
public struct PresignedURL: Hashable, Sendable, Codable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The full URL, signature included.
    public let url: URL

    /// Wraps a URL; `nil` unless it is absolute `http`/`https` with a host.
    public init?(_ url: URL) {
        guard let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
            let host = url.host, !host.isEmpty
        else { return nil }
        self.url = url
    }

    /// Parses and wraps a URL string.
    public init?(string: String) {
        guard let url = URL(string: string) else { return nil }
        self.init(url)
    }

    /// `scheme://host/<redacted>`.
    public var description: String { "\(url.scheme ?? "?")://\(url.host ?? "?")/<redacted>" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// A mirror with no children.
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Decodes a URL string; fails with `invalidValue` ("must be an absolute http(s) URL").
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let value = PresignedURL(string: try container.decode(String.self)) else {
            throw DecodingError.vigil(.invalidValue, at: decoder.codingPath, "must be an absolute http(s) URL")
        }
        self = value
    }

    /// Encodes the full URL string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(url.absoluteString)
    }
}
