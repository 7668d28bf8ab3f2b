import Foundation

/// A recording annotation (`POST /api/v2/conversations/{cid}/recordings/{rid}/annotations`, create or
/// update; also returned inside ``Recording/annotations``).
///
/// Decoding a response does not re-check Genesys' limits; a body Vigil is about to send is checked
/// with ``validateForCreate()`` (or built with ``flag(name:type:locationMs:durationMs:description:)``).
public struct Annotation: Codable, Sendable, Hashable {
    /// Annotation id (assigned by Genesys).
    public var id: String?
    /// Name.
    public var name: String?
    /// Type (the allowed values are not enumerated by the API; bookmarks exist).
    public var type: String?
    /// Offset in milliseconds from the start of the recording.
    public var location: Int64?
    /// Duration in milliseconds.
    public var durationMs: Int64?
    /// Offset relative to the whole conversation.
    public var absoluteLocation: Int64?
    /// Duration relative to the whole conversation.
    public var absoluteDurationMs: Int64?
    /// Offset in the recording media.
    public var recordingLocation: Int64?
    /// Duration in the recording media.
    public var recordingDurationMs: Int64?
    /// Offset in real time.
    public var realtimeLocation: Int64?
    /// Who created it (id only).
    public var user: UserReference?
    /// Free text, at most 500 characters on create.
    public var description: String?
    /// Why media was paused, for pause annotations.
    public var reason: AnnotationReason?
    /// Nested annotations.
    public var annotations: [Annotation]?
    /// API URI.
    public var selfUri: String?

    /// Creates an annotation.
    public init(
        id: String? = nil, name: String? = nil, type: String? = nil, location: Int64? = nil,
        durationMs: Int64? = nil, description: String? = nil, reason: AnnotationReason? = nil
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.location = location
        self.durationMs = durationMs
        self.description = description
        self.reason = reason
    }

    /// The longest `description` Genesys accepts.
    public static let maxDescriptionLength = 500

    /// Checks a body before it is sent: `description` ≤ 500 UTF-16 units, `location` and `durationMs` ≥ 0.
    public func validateForCreate() throws(ModelValidationError) {
        if let description, genesysLength(description) > Self.maxDescriptionLength {
            throw ModelValidationError(
                code: .invalidValue, path: "description",
                reason: "length must be at most \(Self.maxDescriptionLength)")
        }
        if let location, location < 0 {
            throw ModelValidationError(code: .invalidValue, path: "location", reason: "must not be negative")
        }
        if let durationMs, durationMs < 0 {
            throw ModelValidationError(code: .invalidValue, path: "durationMs", reason: "must not be negative")
        }
    }

    /// Builds and validates an annotation to create at `locationMs` (e.g. a verdict's `timestampOffsetMs`).
    public static func flag(
        name: String, type: String, locationMs: Int64, durationMs: Int64 = 0,
        description: String? = nil
    ) throws(ModelValidationError) -> Annotation {
        let annotation = Annotation(
            name: name, type: type, location: locationMs, durationMs: durationMs,
            description: description)
        try annotation.validateForCreate()
        return annotation
    }
}

/// `Annotation.reason` for pause annotations.
///
/// **Open**: Genesys may add pause reasons; an unknown one is still a pause.
public enum AnnotationReason: OpenStringEnum {
    /// `Hold`.
    case hold
    /// `SecurePause`.
    case securePause
    /// `FlowOrQueue`.
    case flowOrQueue
    /// `Pause`.
    case pause
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "Hold": self = .hold
        case "SecurePause": self = .securePause
        case "FlowOrQueue": self = .flowOrQueue
        case "Pause": self = .pause
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .hold: "Hold"
        case .securePause: "SecurePause"
        case .flowOrQueue: "FlowOrQueue"
        case .pause: "Pause"
        case let .other(value): value
        }
    }
}

/// Body of `PUT /api/v2/conversations/{conversationId}/tags`.
public struct ConversationTagsUpdate: Codable, Sendable, Hashable {
    /// The external tag to set on the conversation (e.g. `compliance-flag`).
    public var externalTag: String

    /// Creates the body.
    public init(externalTag: String) { self.externalTag = externalTag }
}

/// Body of `PATCH /api/v2/conversations/{cid}/participants/{pid}/attributes` (string → string).
public struct ParticipantAttributes: Codable, Sendable, Hashable {
    /// The attributes to set, e.g. `["complianceFlag": "true"]`.
    public var attributes: [String: String]

    /// Creates the body.
    public init(attributes: [String: String]) { self.attributes = attributes }
}

/// Body of `PUT /api/v2/recordings/deletionprotection?protect=true|false`: the conversations whose
/// recordings are protected from deletion (legal hold) or released, at most 100 per request.
public struct ConversationDeletionProtectionQuery: Codable, Sendable, Hashable {
    /// The most conversations one request may name.
    public static let maximumConversations = 100
    /// Conversation ids.
    public var conversationIds: [String]

    /// Creates the body.
    public init(conversationIds: [String]) { self.conversationIds = conversationIds }
}
