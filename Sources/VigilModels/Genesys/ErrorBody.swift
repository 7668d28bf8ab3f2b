/// The Genesys Cloud error body (`ErrorBody`), returned with 4xx/5xx.
///
/// Everything is optional: error bodies come from many services and proxies, and failing to decode an
/// error would hide the real failure. `code` (e.g. `too.many.requests`) is kept as a string — new codes
/// appear constantly and the HTTP status is what drives retries. It is deliberately not an `Error`:
/// `message` may echo request values, so the platform client wraps what it needs in its own typed error.
public struct ErrorBody: Codable, Sendable, Hashable {
    /// Human-readable message (may echo request values; do not log verbatim at high levels).
    public var message: String?
    /// Stable error code, e.g. `too.many.requests`, `not.found`.
    public var code: String?
    /// HTTP status.
    public var status: Int?
    /// Entity id involved.
    public var entityId: String?
    /// Entity name involved.
    public var entityName: String?
    /// Message template.
    public var messageWithParams: String?
    /// Template parameters.
    public var messageParams: [String: JSONValue]?
    /// Genesys' request/context id (quote it in support cases).
    public var contextId: String?
    /// Field-level details.
    public var details: [ErrorDetail]?
    /// Nested errors.
    public var errors: [ErrorBody]?
    /// The rate limit that was hit, for 429s.
    public var limit: ErrorLimit?

    /// Creates an error body.
    public init(message: String? = nil, code: String? = nil, status: Int? = nil, contextId: String? = nil) {
        self.message = message
        self.code = code
        self.status = status
        self.contextId = contextId
    }
}

/// A field-level detail of an ``ErrorBody``.
public struct ErrorDetail: Codable, Sendable, Hashable {
    /// Error code.
    public var errorCode: String?
    /// Offending field name.
    public var fieldName: String?
    /// Entity id.
    public var entityId: String?
    /// Entity name.
    public var entityName: String?

    /// Creates a detail.
    public init(errorCode: String? = nil, fieldName: String? = nil, entityId: String? = nil, entityName: String? = nil) {
        self.errorCode = errorCode
        self.fieldName = fieldName
        self.entityId = entityId
        self.entityName = entityName
    }
}

/// The limit block of a rate-limit ``ErrorBody``.
public struct ErrorLimit: Codable, Sendable, Hashable {
    /// Limit key.
    public var key: String?
    /// Limit namespace.
    public var namespace: String?
    /// Limit value.
    public var value: Int64?

    /// Creates a limit.
    public init(key: String? = nil, namespace: String? = nil, value: Int64? = nil) {
        self.key = key
        self.namespace = namespace
        self.value = value
    }
}
