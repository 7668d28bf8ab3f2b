import Foundation

/// Vigil's canonical **seed-style webhook**: the delivery a `recording:*` event subscription posts.
///
/// ```json
/// { "id": "3f0c…", "event": "recording:recordingAvailable", "timestamp": "2026-05-01T10:05:20.000Z",
///   "correlationId": "evt-sub-req-8847291",
///   "data": { "recordingId": "…", "conversationId": "…", "mediaUri": "https://…", … } }
/// ```
///
/// - `id`: the delivery id (the same on every retry of one delivery), 1–128 characters from the
///   ``CorrelationID`` alphabet; used with the timestamp for replay protection.
/// - `event`: the ``RecordingEventName``.
/// - `timestamp`: when the event was emitted (ISO-8601); the receiver checks it against its window.
/// - `correlationId`: optional; the receiver derives one from `id` when absent.
/// - `data`: the ``RecordingEventData`` restricted to `eventData.include`.
///
/// Genesys Cloud itself does not send this shape (see DESIGN §3); EventBridge and Notification
/// deliveries use ``EventBridgeEnvelope`` and ``NotificationMessage``.
public struct RecordingWebhookEvent: Codable, Sendable, Hashable {
    /// Delivery id.
    public var id: String
    /// Event name.
    public var event: RecordingEventName
    /// Emission time.
    public var timestamp: Date
    /// Correlation id, if the sender supplied one.
    public var correlationId: CorrelationID?
    /// The event payload.
    public var data: RecordingEventData

    /// Creates an event.
    public init(
        id: String, event: RecordingEventName, timestamp: Date, correlationId: CorrelationID? = nil,
        data: RecordingEventData
    ) {
        self.id = id
        self.event = event
        self.timestamp = timestamp
        self.correlationId = correlationId
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case id, event, timestamp, correlationId, data }

    /// Decodes and validates the delivery id.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let id = try c.decode(String.self, forKey: .id)
        guard CorrelationID.isValid(id) else {
            throw c.failure(.invalidValue, .id, "must be 1-128 characters from A-Z a-z 0-9 . _ : -")
        }
        self.id = id
        event = try c.decode(RecordingEventName.self, forKey: .event)
        timestamp = try c.decode(Date.self, forKey: .timestamp)
        correlationId = try c.decodeIfPresent(CorrelationID.self, forKey: .correlationId)
        data = try c.decode(RecordingEventData.self, forKey: .data)
    }
}

/// The seed's recording event payload (`eventData.include` fields), minimised by construction.
///
/// Only the fields below are decoded; anything else a sender adds (extension, email,
/// `externalCallerId`…) is dropped at the boundary and never reaches a log or a queue.
/// `mediaUri` is a ``PresignedURL`` (never printed in full).
public struct RecordingEventData: Codable, Sendable, Hashable {
    /// The recording (required; must be a UUID).
    public var recordingId: GenesysID
    /// The conversation (a Vigil addition: the real recording API is addressed by conversation id).
    public var conversationId: GenesysID?
    /// Pre-signed media link, if included. Vigil re-resolves media through the API before download.
    public var mediaUri: PresignedURL?
    /// Participant identifiers and roles (no names, numbers or addresses).
    public var participants: [EventParticipant]?
    /// Recording start.
    public var startTime: Date?
    /// Recording end (not before ``startTime``).
    public var endTime: Date?
    /// Conversation direction.
    public var direction: CallDirection?
    /// Channel (``MediaType`` values, e.g. `VOICE`).
    public var channel: MediaType?
    /// Key/value tags.
    public var tags: [RecordingTag]?

    /// Creates a payload.
    public init(
        recordingId: GenesysID, conversationId: GenesysID? = nil, mediaUri: PresignedURL? = nil,
        participants: [EventParticipant]? = nil, startTime: Date? = nil, endTime: Date? = nil,
        direction: CallDirection? = nil, channel: MediaType? = nil, tags: [RecordingTag]? = nil
    ) {
        self.recordingId = recordingId
        self.conversationId = conversationId
        self.mediaUri = mediaUri
        self.participants = participants
        self.startTime = startTime
        self.endTime = endTime
        self.direction = direction
        self.channel = channel
        self.tags = tags
    }

    enum CodingKeys: String, CodingKey {
        case recordingId, conversationId, mediaUri, participants, startTime, endTime, direction, channel, tags
    }

    /// Decodes and validates (`endTime` ≥ `startTime`).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        recordingId = try c.decode(GenesysID.self, forKey: .recordingId)
        conversationId = try c.decodeIfPresent(GenesysID.self, forKey: .conversationId)
        mediaUri = try c.decodeIfPresent(PresignedURL.self, forKey: .mediaUri)
        participants = try c.decodeIfPresent([EventParticipant].self, forKey: .participants)
        startTime = try c.decodeIfPresent(Date.self, forKey: .startTime)
        endTime = try c.decodeIfPresent(Date.self, forKey: .endTime)
        if let startTime, let endTime, endTime < startTime {
            throw c.failure(.invalidValue, .endTime, "must not be before startTime")
        }
        direction = try c.decodeIfPresent(CallDirection.self, forKey: .direction)
        channel = try c.decodeIfPresent(MediaType.self, forKey: .channel)
        tags = try c.decodeIfPresent([RecordingTag].self, forKey: .tags)
    }
}

/// A participant reference in ``RecordingEventData``: identifiers and role only.
public struct EventParticipant: Codable, Sendable, Hashable {
    /// The Genesys participant id.
    public var participantId: GenesysID
    /// The participant's role, if known.
    public var purpose: ParticipantPurpose?
    /// The Genesys user id, for agents.
    public var userId: GenesysID?

    /// Creates a participant reference.
    public init(participantId: GenesysID, purpose: ParticipantPurpose? = nil, userId: GenesysID? = nil) {
        self.participantId = participantId
        self.purpose = purpose
        self.userId = userId
    }
}

/// A key/value tag (the seed's `{"key": …, "value": …}`); key 1–128, value ≤ 1,024 characters.
public struct RecordingTag: Codable, Sendable, Hashable {
    /// Tag key.
    public var key: String
    /// Tag value.
    public var value: String

    /// Creates a tag.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }

    enum CodingKeys: String, CodingKey { case key, value }

    /// The lengths a key may have, in characters.
    static let keyLength = 1...128
    /// The lengths a value may have, in characters.
    static let valueLength = 0...1024

    /// Decodes and validates the lengths.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        key = try c.decodeString(.key, length: Self.keyLength)
        value = try c.decodeString(.value, length: Self.valueLength)
    }
}

// MARK: - The hand-written reader (the receiver's hot shape)

extension RecordingWebhookEvent {
    /// Reads the event straight from the tape, exactly as ``init(from:)`` does; `nil` for anything it
    /// would not read the same way (``init(from:)`` then gives the value or the error).
    package init?(tape root: TapeValue) {
        guard let id = root.required("id", { $0.string }), CorrelationID.isValid(id),
            let event = root.required("event", { $0.string.map(RecordingEventName.init(rawValue:)) }),
            let timestamp = root.required("timestamp", \.utcTimestamp),
            let correlationId = root.optional("correlationId", { $0.string.flatMap(CorrelationID.init) }),
            let data = root.required("data", RecordingEventData.init(tape:))
        else { return nil }
        self.init(id: id, event: event, timestamp: timestamp, correlationId: correlationId, data: data)
    }
}

extension RecordingEventData {
    /// Reads the payload straight from the tape, exactly as ``init(from:)`` does; `nil` otherwise.
    package init?(tape object: TapeValue) {
        guard object.isObject,
            let recordingId = object.required("recordingId", \.genesysID),
            let conversationId = object.optional("conversationId", \.genesysID),
            let mediaUri = object.optional("mediaUri", { $0.string.flatMap(PresignedURL.init(string:)) }),
            let participants = object.optional("participants", { $0.array(of: EventParticipant.init(tape:)) }),
            let startTime = object.optional("startTime", \.utcTimestamp),
            let endTime = object.optional("endTime", \.utcTimestamp)
        else { return nil }
        if let startTime, let endTime, endTime < startTime { return nil }
        guard let direction = object.optional("direction", { $0.string.map(CallDirection.init(rawValue:)) }),
            let channel = object.optional("channel", { $0.string.map(MediaType.init(rawValue:)) }),
            let tags = object.optional("tags", { $0.array(of: RecordingTag.init(tape:)) })
        else { return nil }
        self.init(
            recordingId: recordingId, conversationId: conversationId, mediaUri: mediaUri, participants: participants,
            startTime: startTime, endTime: endTime, direction: direction, channel: channel, tags: tags)
    }
}

extension EventParticipant {
    /// Reads a participant as the synthesized `init(from:)` does; `nil` otherwise.
    init?(tape object: TapeValue) {
        guard object.isObject,
            let participantId = object.required("participantId", \.genesysID),
            let purpose = object.optional("purpose", { $0.string.map(ParticipantPurpose.init(rawValue:)) }),
            let userId = object.optional("userId", \.genesysID)
        else { return nil }
        self.init(participantId: participantId, purpose: purpose, userId: userId)
    }
}

extension RecordingTag {
    /// Reads a tag as ``init(from:)`` does (key 1–128, value 0–1 024 characters); `nil` otherwise.
    init?(tape object: TapeValue) {
        guard object.isObject,
            let key = object.required("key", { $0.string }), Self.keyLength.contains(key.count),
            let value = object.required("value", { $0.string }), Self.valueLength.contains(value.count)
        else { return nil }
        self.init(key: key, value: value)
    }
}
