/// The fields every conversation detail event body shares (`v2.detail.events.conversation.{id}.*`).
///
/// `eventTime` and `callbackScheduledTime` are epoch **milliseconds** and stay `Int64` (that is what is
/// on the wire; `Date(timeIntervalSince1970: Double(ms) / 1000)` when a `Date` is needed).
/// Contact details (`ani`, `dnis`, addresses, callback name and numbers, subject) are ``Sensitive``:
/// usable, never printed. Only `eventTime` and `conversationId` are required.
public struct ConversationEventFields: Codable, Sendable, Hashable {
    /// When the event happened, epoch ms.
    public var eventTime: Int64
    /// The conversation.
    public var conversationId: GenesysID
    /// The participant the event is about.
    public var participantId: GenesysID?
    /// The session (communication) id.
    public var sessionId: String?
    /// Media type.
    public var mediaType: MediaType?
    /// Provider (e.g. `Edge`, `PureCloud Webchat v2`).
    public var provider: String?
    /// Direction.
    public var direction: CallDirection?
    /// Caller number (PII).
    public var ani: Sensitive<String>?
    /// Dialed number (PII).
    public var dnis: Sensitive<String>?
    /// To-address (PII).
    public var addressTo: Sensitive<String>?
    /// From-address (PII).
    public var addressFrom: Sensitive<String>?
    /// Callback contact name (PII).
    public var callbackUserName: Sensitive<String>?
    /// Callback numbers (PII).
    public var callbackNumbers: Sensitive<[String]>?
    /// Scheduled callback time, epoch ms.
    public var callbackScheduledTime: Int64?
    /// Email/message subject (may be PII).
    public var subject: Sensitive<String>?
    /// Message type (messaging).
    public var messageType: String?
    /// External contacts on the conversation.
    public var conversationExternalContactIds: [String]?
    /// External organizations on the conversation.
    public var conversationExternalOrganizationIds: [String]?
    /// Division (present on some topics).
    public var divisionId: String?
    /// Utilization label (present on some topics).
    public var utilizationLabel: String?

    /// Creates the shared fields.
    public init(
        eventTime: Int64, conversationId: GenesysID, participantId: GenesysID? = nil,
        sessionId: String? = nil, mediaType: MediaType? = nil, direction: CallDirection? = nil
    ) {
        self.eventTime = eventTime
        self.conversationId = conversationId
        self.participantId = participantId
        self.sessionId = sessionId
        self.mediaType = mediaType
        self.direction = direction
    }
}

/// `v2.detail.events.conversation.{id}.customer.end`: the customer left (the usual "conversation ended" trigger).
@dynamicMemberLookup
public struct CustomerEndEvent: Codable, Sendable, Hashable {
    /// The shared fields (also reachable directly, e.g. `event.conversationId`).
    public var fields: ConversationEventFields
    /// How the customer disconnected.
    public var disconnectType: DisconnectType?
    /// External organization id.
    public var externalOrganizationId: String?
    /// External contact id.
    public var externalContactId: String?
    /// Interacting duration, ms.
    public var interactingDurationMs: Int64?

    /// Creates an event.
    public init(
        fields: ConversationEventFields, disconnectType: DisconnectType? = nil,
        interactingDurationMs: Int64? = nil
    ) {
        self.fields = fields
        self.disconnectType = disconnectType
        self.interactingDurationMs = interactingDurationMs
    }

    /// Reads a shared field.
    public subscript<T>(dynamicMember keyPath: KeyPath<ConversationEventFields, T>) -> T { fields[keyPath: keyPath] }

    enum CodingKeys: String, CodingKey {
        case disconnectType, externalOrganizationId, externalContactId, interactingDurationMs
    }

    /// Decodes the flat body.
    public init(from decoder: any Decoder) throws {
        fields = try ConversationEventFields(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        disconnectType = try c.decodeIfPresent(DisconnectType.self, forKey: .disconnectType)
        externalOrganizationId = try c.decodeIfPresent(String.self, forKey: .externalOrganizationId)
        externalContactId = try c.decodeIfPresent(String.self, forKey: .externalContactId)
        interactingDurationMs = try c.decodeIfPresent(Int64.self, forKey: .interactingDurationMs)
    }

    /// Encodes the flat body.
    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(disconnectType, forKey: .disconnectType)
        try c.encodeIfPresent(externalOrganizationId, forKey: .externalOrganizationId)
        try c.encodeIfPresent(externalContactId, forKey: .externalContactId)
        try c.encodeIfPresent(interactingDurationMs, forKey: .interactingDurationMs)
    }
}

/// `v2.detail.events.conversation.{id}.user.end`: an agent (user) left the conversation.
@dynamicMemberLookup
public struct UserEndEvent: Codable, Sendable, Hashable {
    /// The shared fields.
    public var fields: ConversationEventFields
    /// How the user disconnected.
    public var disconnectType: DisconnectType?
    /// The user.
    public var userId: String?
    /// The queue.
    public var queueId: String?
    /// Interacting duration, ms.
    public var interactingDurationMs: Int64?
    /// Held duration, ms.
    public var heldDurationMs: Int64?
    /// Alerting duration, ms.
    public var alertingDurationMs: Int64?
    /// Contacting duration, ms.
    public var contactingDurationMs: Int64?
    /// Dialing duration, ms.
    public var dialingDurationMs: Int64?
    /// Callback duration, ms.
    public var callbackDurationMs: Int64?

    /// Creates an event.
    public init(fields: ConversationEventFields, userId: String? = nil, queueId: String? = nil) {
        self.fields = fields
        self.userId = userId
        self.queueId = queueId
    }

    /// Reads a shared field.
    public subscript<T>(dynamicMember keyPath: KeyPath<ConversationEventFields, T>) -> T { fields[keyPath: keyPath] }

    enum CodingKeys: String, CodingKey {
        case disconnectType, userId, queueId, interactingDurationMs, heldDurationMs, alertingDurationMs
        case contactingDurationMs, dialingDurationMs, callbackDurationMs
    }

    /// Decodes the flat body.
    public init(from decoder: any Decoder) throws {
        fields = try ConversationEventFields(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        disconnectType = try c.decodeIfPresent(DisconnectType.self, forKey: .disconnectType)
        userId = try c.decodeIfPresent(String.self, forKey: .userId)
        queueId = try c.decodeIfPresent(String.self, forKey: .queueId)
        interactingDurationMs = try c.decodeIfPresent(Int64.self, forKey: .interactingDurationMs)
        heldDurationMs = try c.decodeIfPresent(Int64.self, forKey: .heldDurationMs)
        alertingDurationMs = try c.decodeIfPresent(Int64.self, forKey: .alertingDurationMs)
        contactingDurationMs = try c.decodeIfPresent(Int64.self, forKey: .contactingDurationMs)
        dialingDurationMs = try c.decodeIfPresent(Int64.self, forKey: .dialingDurationMs)
        callbackDurationMs = try c.decodeIfPresent(Int64.self, forKey: .callbackDurationMs)
    }

    /// Encodes the flat body.
    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(disconnectType, forKey: .disconnectType)
        try c.encodeIfPresent(userId, forKey: .userId)
        try c.encodeIfPresent(queueId, forKey: .queueId)
        try c.encodeIfPresent(interactingDurationMs, forKey: .interactingDurationMs)
        try c.encodeIfPresent(heldDurationMs, forKey: .heldDurationMs)
        try c.encodeIfPresent(alertingDurationMs, forKey: .alertingDurationMs)
        try c.encodeIfPresent(contactingDurationMs, forKey: .contactingDurationMs)
        try c.encodeIfPresent(dialingDurationMs, forKey: .dialingDurationMs)
        try c.encodeIfPresent(callbackDurationMs, forKey: .callbackDurationMs)
    }
}

/// The wrap-up part shared by ``AfterCallWorkEvent`` and ``WrapupEvent``.
public struct WrapupFields: Codable, Sendable, Hashable {
    /// The user (agent), where sent.
    public var userId: String?
    /// The queue.
    public var queueId: String?
    /// Wrap-up code id.
    public var wrapupCode: String?
    /// Agent notes (free text: may contain PII).
    public var wrapupNotes: Sensitive<String>?
    /// Wrap-up duration, ms.
    public var wrapupDurationMs: Int64?

    /// Creates wrap-up fields.
    public init(
        userId: String? = nil, queueId: String? = nil, wrapupCode: String? = nil,
        wrapupNotes: Sensitive<String>? = nil, wrapupDurationMs: Int64? = nil
    ) {
        self.userId = userId
        self.queueId = queueId
        self.wrapupCode = wrapupCode
        self.wrapupNotes = wrapupNotes
        self.wrapupDurationMs = wrapupDurationMs
    }
}

/// `v2.detail.events.conversation.{id}.wrapup`: a wrap-up code was applied.
@dynamicMemberLookup
public struct WrapupEvent: Codable, Sendable, Hashable {
    /// The shared fields.
    public var fields: ConversationEventFields
    /// The wrap-up fields.
    public var wrapup: WrapupFields

    /// Creates an event.
    public init(fields: ConversationEventFields, wrapup: WrapupFields = WrapupFields()) {
        self.fields = fields
        self.wrapup = wrapup
    }

    /// Reads a shared field.
    public subscript<T>(dynamicMember keyPath: KeyPath<ConversationEventFields, T>) -> T { fields[keyPath: keyPath] }

    /// Decodes the flat body.
    public init(from decoder: any Decoder) throws {
        fields = try ConversationEventFields(from: decoder)
        wrapup = try WrapupFields(from: decoder)
    }

    /// Encodes the flat body.
    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
        try wrapup.encode(to: encoder)
    }
}

/// `v2.detail.events.conversation.{id}.acw`: after-call work finished. Its body has the same fields as
/// ``WrapupEvent`` (shared conversation fields plus the wrap-up fields), so it is the same type.
public typealias AfterCallWorkEvent = WrapupEvent

/// How a participant disconnected.
///
/// **Open**: the reference lists the values with "…"; a new reason must not lose the end event.
/// (Genesys' own `OTHER` is ``otherReason`` because `other(_:)` is the catch-all.)
public enum DisconnectType: OpenStringEnum {
    /// `ENDPOINT`.
    case endpoint
    /// `CLIENT`.
    case client
    /// `SYSTEM`.
    case system
    /// `TRANSFER`.
    case transfer
    /// `ERROR`.
    case error
    /// `PEER`.
    case peer
    /// Genesys' literal `OTHER`.
    case otherReason
    /// `SPAM`.
    case spam
    /// `TIMEOUT`.
    case timeout
    /// `TRANSPORT_FAILURE`.
    case transportFailure
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "ENDPOINT": self = .endpoint
        case "CLIENT": self = .client
        case "SYSTEM": self = .system
        case "TRANSFER": self = .transfer
        case "ERROR": self = .error
        case "PEER": self = .peer
        case "OTHER": self = .otherReason
        case "SPAM": self = .spam
        case "TIMEOUT": self = .timeout
        case "TRANSPORT_FAILURE": self = .transportFailure
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .endpoint: "ENDPOINT"
        case .client: "CLIENT"
        case .system: "SYSTEM"
        case .transfer: "TRANSFER"
        case .error: "ERROR"
        case .peer: "PEER"
        case .otherReason: "OTHER"
        case .spam: "SPAM"
        case .timeout: "TIMEOUT"
        case .transportFailure: "TRANSPORT_FAILURE"
        case let .other(value): value
        }
    }
}

/// The body of the user-scoped recording topics
/// (`v2.users.{id}.conversations.{id}.recordings[.{id}]`, `v2.users.{id}.recordings`).
///
/// Lenient beyond `id`: these topics were never observed on EventBridge (reference §2.2, UNVERIFIED).
public struct RecordingEventRecording: Codable, Sendable, Hashable {
    /// Recording id.
    public var id: GenesysID
    /// Conversation id.
    public var conversationId: GenesysID?
    /// Storage state.
    public var fileState: FileState?
    /// Media links per channel.
    public var mediaUris: [RecordingEventMediaUri]?
    /// Estimated transcode time, ms.
    public var estimatedTranscodeTimeMs: Int64?
    /// Actual transcode time, ms.
    public var actualTranscodeTimeMs: Int64?

    /// Creates a body.
    public init(
        id: GenesysID, conversationId: GenesysID? = nil, fileState: FileState? = nil,
        mediaUris: [RecordingEventMediaUri]? = nil
    ) {
        self.id = id
        self.conversationId = conversationId
        self.fileState = fileState
        self.mediaUris = mediaUris
    }
}

/// One media link in a ``RecordingEventRecording``.
public struct RecordingEventMediaUri: Codable, Sendable, Hashable {
    /// Channel id.
    public var channelId: String?
    /// Pre-signed media link.
    public var mediaUri: PresignedURL?
    /// Waveform link (treated as sensitive: it may be pre-signed too).
    public var waveUri: Sensitive<String>?
    /// Waveform samples.
    public var waveformData: [Double]?

    /// Creates a media link.
    public init(
        channelId: String? = nil, mediaUri: PresignedURL? = nil, waveUri: Sensitive<String>? = nil,
        waveformData: [Double]? = nil
    ) {
        self.channelId = channelId
        self.mediaUri = mediaUri
        self.waveUri = waveUri
        self.waveformData = waveformData
    }
}
