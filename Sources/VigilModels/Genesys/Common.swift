/// A reference to a Genesys entity by id, with its display name where the API provides one
/// (worktype, queue, status, workbin, division). Not used for users, whose names are personal data.
public struct EntityReference: Codable, Sendable, Hashable {
    /// The entity id.
    public var id: String
    /// Display name, if sent.
    public var name: String?
    /// API URI of the entity.
    public var selfUri: String?

    /// Creates a reference.
    public init(id: String, name: String? = nil, selfUri: String? = nil) {
        self.id = id
        self.name = name
        self.selfUri = selfUri
    }
}

/// A reference to a Genesys user: id and URI only. Names, emails and phone numbers the API may send
/// alongside are deliberately not decoded.
public struct UserReference: Codable, Sendable, Hashable {
    /// The user id.
    public var id: String
    /// API URI of the user.
    public var selfUri: String?

    /// Creates a reference.
    public init(id: String, selfUri: String? = nil) {
        self.id = id
        self.selfUri = selfUri
    }
}

/// The UTF-16 length Genesys (a JVM platform) applies to its string limits.
func genesysLength(_ string: String) -> Int { string.utf16.count }
