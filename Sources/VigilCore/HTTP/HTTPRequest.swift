import Foundation

/// An HTTP request method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method token, e.g. `GET`.
    public let rawValue: String

    /// Creates a method from its token.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `GET`
    public static let get = HTTPMethod(rawValue: "GET")
    /// `POST`
    public static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`
    public static let put = HTTPMethod(rawValue: "PUT")
    /// `PATCH`
    public static let patch = HTTPMethod(rawValue: "PATCH")
    /// `DELETE`
    public static let delete = HTTPMethod(rawValue: "DELETE")
    /// `HEAD`
    public static let head = HTTPMethod(rawValue: "HEAD")

    /// The method token.
    public var description: String { rawValue }

    /// Whether RFC 9110 defines the method as idempotent (repeating it has the effect of doing it once).
    public var isIdempotent: Bool {
        switch rawValue {
        case "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE": return true
        default: return false
        }
    }
}

/// An HTTP request head: method, absolute URL, header fields and an optional per-request timeout.
///
/// The body travels separately as an ``HTTPBody`` so it can stream.
public struct HTTPRequest: Sendable, Hashable, CustomStringConvertible {
    /// The request method.
    public var method: HTTPMethod
    /// The absolute URL, including the query.
    public var url: URL
    /// The header fields.
    public var headerFields: HTTPFields
    /// How long the transport may wait for the response head (and between body bytes) before it fails
    /// with ``HTTPTransportError/Code/timedOut``. `nil` uses the transport's default.
    public var timeout: Duration?

    /// Creates a request.
    public init(method: HTTPMethod, url: URL, headerFields: HTTPFields = HTTPFields(), timeout: Duration? = nil) {
        self.method = method
        self.url = url
        self.headerFields = headerFields
        self.timeout = timeout
    }

    /// `METHOD scheme://host/path` — without the query (it may carry tokens) and without header values.
    public var description: String {
        "\(method) \(url.redactedForLogging)"
    }
}

/// An HTTP response head: status code and header fields.
public struct HTTPResponse: Sendable, Hashable, CustomStringConvertible {
    /// The status code, e.g. `200`.
    public var status: Int
    /// The header fields.
    public var headerFields: HTTPFields

    /// Creates a response head.
    public init(status: Int, headerFields: HTTPFields = HTTPFields()) {
        self.status = status
        self.headerFields = headerFields
    }

    /// Whether the status is in the 2xx range.
    public var isSuccess: Bool { (200..<300).contains(status) }

    /// `HTTP <status>`.
    public var description: String { "HTTP \(status)" }
}

extension URL {
    /// `scheme://host[:port]/path`, dropping user info, query and fragment, which may carry secrets
    /// (pre-signed media URLs carry their signature in the query).
    public var redactedForLogging: String {
        guard var components = URLComponents(url: self, resolvingAgainstBaseURL: false) else { return "<url>" }
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        return components.string ?? "<url>"
    }
}
