/// Answer of `POST https://login.<domain>/oauth/token` (client credentials).
///
/// `description`, `debugDescription` and `dump` never show the token.
public struct OAuthTokenResponse: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The bearer token (never printed).
    public var accessToken: Sensitive<String>
    /// Token type, `bearer` (compare case-insensitively).
    public var tokenType: String
    /// Lifetime in seconds (5 minutes to 48 hours; default 24 hours).
    public var expiresIn: Int

    /// Creates a response.
    public init(accessToken: Sensitive<String>, tokenType: String = "bearer", expiresIn: Int) {
        self.accessToken = accessToken
        self.tokenType = tokenType
        self.expiresIn = expiresIn
    }

    enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
    }

    /// Decodes and validates (non-empty token, `expires_in` > 0).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accessToken = try c.decode(Sensitive<String>.self, forKey: .accessToken)
        guard !accessToken.value.isEmpty else { throw c.failure(.invalidValue, .accessToken, "must not be empty") }
        tokenType = try c.decode(String.self, forKey: .tokenType)
        expiresIn = Int(try c.decodeInteger(.expiresIn, in: 1...Int64(Int32.max)))
    }

    /// Whether the token is a bearer token.
    public var isBearer: Bool { tokenType.lowercased() == "bearer" }

    /// Type and lifetime; the token is `<redacted>`.
    public var description: String {
        "OAuthTokenResponse(accessToken: <redacted>, tokenType: \(tokenType), expiresIn: \(expiresIn))"
    }
}

/// An OAuth error answer: `{"error": …, "description": …, "error_description": …}`.
public struct OAuthErrorResponse: Codable, Sendable, Hashable {
    /// OAuth error code (e.g. `invalid_client`).
    public var error: String
    /// Genesys' description.
    public var description: String?
    /// RFC 6749 description.
    public var errorDescription: String?

    /// Creates an error response.
    public init(error: String, description: String? = nil, errorDescription: String? = nil) {
        self.error = error
        self.description = description
        self.errorDescription = errorDescription
    }

    enum CodingKeys: String, CodingKey {
        case error, description, errorDescription = "error_description"
    }
}
