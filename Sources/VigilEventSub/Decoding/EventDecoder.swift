import Foundation
import VigilModels

/// Decodes a webhook body into one ``RecordingLifecycleEvent``.
///
/// Accepted envelopes (told apart by their keys, in one `JSONDecoder` pass):
/// - **EventBridge** (`detail-type` present): `EventBridgeEnvelope` whose `detail` is a Notification
///   message; `detail-type` must be the topic pattern of `detail.topicName`.
/// - **Notification API** (`topicName` present): `NotificationMessage`.
///   `v2.detail.events.conversation.{id}.customer.end` / `.user.end` / `.acw` / `.wrapup` →
///   ``RecordingLifecycleEvent/Kind/conversationEnded``;
///   `v2.users.{id}.conversations.{id}.recordings[.{id}]` → by `fileState`: `AVAILABLE`/`RESTORED` →
///   available, `UPLOADING` or absent → completed, anything else ignored. The conversation (and
///   recording) id in the topic must equal the body's.
/// - **Seed webhook** (`event` and `data` present): `RecordingWebhookEvent`; `recording:recording*`
///   names map to their kinds, and `data.conversationId` is required.
///
/// Anything else well-formed — other topics, unknown event names, heartbeats — decodes to
/// ``RecordingLifecycleEvent/Kind/ignored(type:)``: acknowledged and counted, never an error (an error
/// would make the sender retry it forever).
///
/// The body is read by `StrictJSON` first, in one pass that enforces size, nesting depth, UTF-8 and
/// I-JSON (RFC 7493): a member named twice at any depth (which JSONDecoder would resolve to the
/// first value and Python, JavaScript and Go to the last), a lone surrogate, an out-of-range number,
/// a byte order mark or trailing content is refused before anything is decoded. Types are strict (a
/// number where a string belongs fails), unknown fields are ignored and never stored.
public struct EventDecoder: Sendable {
    /// The limits the strict reader enforces.
    public var limits: EventDecodingLimits

    /// Creates a decoder.
    public init(limits: EventDecodingLimits = EventDecodingLimits()) {
        self.limits = limits
    }

    /// Decodes `body`.
    ///
    /// - Throws: ``EventDecodingError``.
    public func decode(_ body: [UInt8]) throws(EventDecodingError) -> RecordingLifecycleEvent {
        guard !body.isEmpty else { throw EventDecodingError(code: .emptyBody, reason: "body is empty") }
        let incoming: IncomingEvent
        do {
            let limits = StrictJSON.Limits(maxBytes: limits.maxBodyBytes, maxDepth: limits.maxDepth)
            incoming = try body.withUnsafeBufferPointer { bytes in
                Result { () throws(ModelDecodingError) in
                    try VigilJSON.decode(IncomingEvent.self, from: bytes, limits: limits, reading: IncomingEvent.init(tape:))
                }
            }.get()
        } catch {
            if error.code == .wrongType && error.path.isEmpty {
                throw EventDecodingError(code: .unsupportedFormat, reason: "the body is not a JSON object")
            }
            throw EventDecodingError(error)
        }
        switch incoming.result {
        case let .success(event): return event
        case let .failure(error): throw error
        }
    }
}

// MARK: - One-pass envelope decoding

/// The decoded body, or a Vigil-level failure found while decoding (carried out as a value, because
/// `VigilJSON` maps only Foundation's own errors).
///
/// The seed webhook, the receiver's hot shape, is read by hand from the strict reader's tape
/// (``init(tape:)``); everything else, and any seed webhook the hand-written reader steps aside for,
/// goes through `init(from:)` on the same tape.
private struct IncomingEvent: Decodable {
    var result: Result<RecordingLifecycleEvent, EventDecodingError>

    /// The seed webhook read straight from the tape, as `init(from:)` reads it; `nil` for every other
    /// body and for any the hand-written reader does not read exactly so.
    init?(tape root: TapeValue) {
        guard root["detail-type"] == nil, root["topicName"] == nil, root["data"] != nil,
            let name = root["event"]?.string.map(RecordingEventName.init(rawValue:))
        else { return nil }
        guard let kind = Self.seedKind(name) else {
            result = Self.ignoredSeed(name)
            return
        }
        guard let event = RecordingWebhookEvent(tape: root) else { return nil }
        result = Self.seed(kind, name, event)
    }

    private enum ProbeKey: String, CodingKey {
        case detailType = "detail-type", topicName, event, data
    }

    init(from decoder: any Decoder) throws {
        let probe = try decoder.container(keyedBy: ProbeKey.self)
        if probe.contains(.detailType) {
            let envelope = try EventBridgeEnvelope<TopicMessage>(from: decoder)
            guard case var .success(event) = envelope.detail.result else {
                result = envelope.detail.result
                return
            }
            guard envelope.detailType == Topic.pattern(of: envelope.detail.topicName) else {
                result = .failure(
                    EventDecodingError(
                        code: .topicMismatch, path: "detail-type",
                        reason: "detail-type is not the pattern of detail.topicName"))
                return
            }
            event.source = .eventBridge
            event.eventId = envelope.id
            if event.eventTimeMs == nil { event.eventTimeMs = Int64((envelope.time.timeIntervalSince1970 * 1000).rounded()) }
            result = .success(event)
        } else if probe.contains(.topicName) {
            result = try TopicMessage(from: decoder).result
        } else if probe.contains(.event) && probe.contains(.data) {
            result = try Self.seed(decoder)
        } else {
            result = .failure(
                EventDecodingError(
                    code: .unsupportedFormat,
                    reason: "not a seed webhook, EventBridge or Notification envelope"))
        }
    }

    private static func seed(_ decoder: any Decoder) throws -> Result<RecordingLifecycleEvent, EventDecodingError> {
        let c = try decoder.container(keyedBy: ProbeKey.self)
        let name = try c.decode(RecordingEventName.self, forKey: .event)
        guard let kind = seedKind(name) else { return ignoredSeed(name) }
        return seed(kind, name, try RecordingWebhookEvent(from: decoder))
    }

    /// The lifecycle kind of a seed event name; `nil` for a name Vigil does not know.
    private static func seedKind(_ name: RecordingEventName) -> RecordingLifecycleEvent.Kind? {
        switch name {
        case .recordingStarted: .recordingStarted
        case .recordingCompleted: .recordingCompleted
        case .recordingAvailable: .recordingAvailable
        case .other: nil
        }
    }

    /// A seed webhook with an unknown event name: acknowledged and ignored (the rest is not read).
    private static func ignoredSeed(_ name: RecordingEventName) -> Result<RecordingLifecycleEvent, EventDecodingError> {
        .success(
            RecordingLifecycleEvent(
                kind: .ignored(type: Topic.safeType(name.rawValue)), source: .seedWebhook, trigger: "seed:unknown"))
    }

    /// The lifecycle event for a seed webhook of a known kind.
    private static func seed(
        _ kind: RecordingLifecycleEvent.Kind, _ name: RecordingEventName, _ event: RecordingWebhookEvent
    ) -> Result<RecordingLifecycleEvent, EventDecodingError> {
        guard let conversationId = event.data.conversationId else {
            return .failure(
                EventDecodingError(
                    code: .missingConversationId, path: "data.conversationId",
                    reason: "recording events must name their conversation"))
        }
        var attributes = EventAttributes()
        attributes.mediaType = Screen.label(event.data.channel)
        attributes.direction = Screen.label(event.data.direction)
        attributes.startTime = event.data.startTime
        attributes.endTime = event.data.endTime
        attributes.participants = event.data.participants?.map { participant in
            var screened = participant
            screened.purpose = Screen.label(participant.purpose)
            return screened
        }
        var personal: [String: Sensitive<String>] = [:]
        if let tags = event.data.tags, !tags.isEmpty {
            personal["tags"] = Sensitive(tags.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "\n"))
        }
        return .success(
            RecordingLifecycleEvent(
                kind: kind, source: .seedWebhook, eventId: event.id, correlationId: event.correlationId?.rawValue,
                conversationId: conversationId, recordingId: event.data.recordingId,
                eventTimeMs: Int64((event.timestamp.timeIntervalSince1970 * 1000).rounded()),
                trigger: name.rawValue, attributes: attributes, personal: personal))
    }
}

/// A Notification message (also the EventBridge `detail`), with the body decoded by topic.
private struct TopicMessage: Decodable {
    var topicName: String
    var result: Result<RecordingLifecycleEvent, EventDecodingError>

    private enum Key: String, CodingKey { case topicName, eventBody, metadata, timestamp }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        topicName = try c.decode(String.self, forKey: .topicName)
        let metadata = try c.decodeIfPresent(NotificationMetadata.self, forKey: .metadata)
        _ = try c.decodeIfPresent(Date.self, forKey: .timestamp)
        let topic = Topic(topicName)
        var event: RecordingLifecycleEvent
        switch topic.route {
        case let .detail(conversationId, suffix):
            let fields: ConversationEventFields
            var attributes = EventAttributes()
            var personal: [String: Sensitive<String>] = [:]
            switch suffix {
            case "customer.end":
                let body = try c.decode(CustomerEndEvent.self, forKey: .eventBody)
                fields = body.fields
                attributes.disconnectType = Screen.label(body.disconnectType)
                personal["externalContactId"] = body.externalContactId.map { Sensitive($0) }
                personal["externalOrganizationId"] = body.externalOrganizationId.map { Sensitive($0) }
            case "user.end":
                let body = try c.decode(UserEndEvent.self, forKey: .eventBody)
                fields = body.fields
                attributes.disconnectType = Screen.label(body.disconnectType)
                attributes.userId = body.userId.flatMap(GenesysID.init)
                attributes.queueId = body.queueId.flatMap(GenesysID.init)
            case "acw", "wrapup":
                let wrapup: WrapupFields
                if suffix == "acw" {
                    let body = try c.decode(AfterCallWorkEvent.self, forKey: .eventBody)
                    (fields, wrapup) = (body.fields, body.wrapup)
                } else {
                    let body = try c.decode(WrapupEvent.self, forKey: .eventBody)
                    (fields, wrapup) = (body.fields, body.wrapup)
                }
                attributes.userId = wrapup.userId.flatMap(GenesysID.init)
                attributes.queueId = wrapup.queueId.flatMap(GenesysID.init)
                attributes.wrapupCode = wrapup.wrapupCode.flatMap(GenesysID.init)
                personal["wrapupNotes"] = wrapup.wrapupNotes
            default:
                result = .success(
                    RecordingLifecycleEvent(
                        kind: .ignored(type: topic.safeType), source: .notification,
                        trigger: "topic:other"))
                return
            }
            guard fields.conversationId == conversationId else {
                result = .failure(
                    EventDecodingError(
                        code: .topicMismatch, path: "eventBody.conversationId",
                        reason: "the body's conversation is not the topic's"))
                return
            }
            attributes.mediaType = Screen.label(fields.mediaType)
            attributes.direction = Screen.label(fields.direction)
            attributes.participantId = fields.participantId
            attributes.divisionId = fields.divisionId.flatMap(GenesysID.init)
            personal["ani"] = fields.ani
            personal["dnis"] = fields.dnis
            personal["addressTo"] = fields.addressTo
            personal["addressFrom"] = fields.addressFrom
            personal["callbackUserName"] = fields.callbackUserName
            personal["callbackNumbers"] = fields.callbackNumbers.map { Sensitive($0.value.joined(separator: ",")) }
            personal["subject"] = fields.subject
            event = RecordingLifecycleEvent(
                kind: .conversationEnded, source: .notification,
                conversationId: conversationId, eventTimeMs: fields.eventTime,
                trigger: suffix, attributes: attributes,
                personal: personal.compactMapValues { $0 })
        case let .recording(conversationId, recordingId):
            let body = try c.decode(RecordingEventRecording.self, forKey: .eventBody)
            guard body.conversationId == nil || body.conversationId == conversationId,
                recordingId == nil || recordingId == body.id
            else {
                result = .failure(
                    EventDecodingError(
                        code: .topicMismatch, path: "eventBody",
                        reason: "the body's conversation or recording is not the topic's"))
                return
            }
            let kind: RecordingLifecycleEvent.Kind
            switch body.fileState {
            case .available?, .restored?: kind = .recordingAvailable
            case .uploading?, nil: kind = .recordingCompleted
            default: kind = .ignored(type: "v2.users.{id}.conversations.{id}.recordings")
            }
            var attributes = EventAttributes()
            attributes.fileState = Screen.label(body.fileState)
            let state = Screen.label(body.fileState)?.rawValue ?? "none"
            event = RecordingLifecycleEvent(
                kind: kind, source: .notification, conversationId: conversationId,
                recordingId: body.id, trigger: "fileState:\(state)",
                attributes: attributes)
        case .ignored:
            result = .success(
                RecordingLifecycleEvent(
                    kind: .ignored(type: topic.safeType), source: .notification,
                    trigger: "topic:other"))
            return
        }
        event.correlationId = metadata?.correlationId
        result = .success(event)
    }
}

/// Topic parsing: `v2.detail.events.conversation.{id}.<suffix>` and
/// `v2.users.{id}.conversations.{id}.recordings[.{id}]`.
struct Topic {
    enum Route {
        case detail(conversationId: GenesysID, suffix: String)
        case recording(conversationId: GenesysID, recordingId: GenesysID?)
        case ignored
    }

    let route: Route
    let safeType: String

    init(_ name: String) {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false)
        safeType = Topic.safeType(Topic.pattern(of: name))
        if parts.count >= 6, parts[0] == "v2", parts[1] == "detail", parts[2] == "events", parts[3] == "conversation",
            let conversation = GenesysID(String(parts[4]))
        {
            route = .detail(conversationId: conversation, suffix: parts[5...].joined(separator: "."))
        } else if (6...7).contains(parts.count), parts[0] == "v2", parts[1] == "users", GenesysID(String(parts[2])) != nil,
            parts[3] == "conversations", let conversation = GenesysID(String(parts[4])), parts[5] == "recordings"
        {
            if parts.count == 7 {
                guard let recording = GenesysID(String(parts[6])) else { route = .ignored; return }
                route = .recording(conversationId: conversation, recordingId: recording)
            } else {
                route = .recording(conversationId: conversation, recordingId: nil)
            }
        } else {
            route = .ignored
        }
    }

    /// The topic with every UUID segment replaced by `{id}` (EventBridge's `detail-type`).
    static func pattern(of name: String) -> String {
        name.split(separator: ".", omittingEmptySubsequences: false)
            .map { GenesysID(String($0)) == nil ? String($0) : "{id}" }
            .joined(separator: ".")
    }

    /// `type` if it is a short label that cannot hold data, else `unrecognised`.
    static func safeType(_ type: String) -> String {
        Screen.isSafeLabel(type, maxLength: 128) ? type : "unrecognised"
    }
}

/// Conservative screening of strings that travel further than the decoder: VigilModels' `Loggable`
/// rules, the ones verdicts, transcripts and callbacks are screened by too.
enum Screen {
    /// 1–`maxLength` characters of `A–Z a–z 0–9 . _ : - { }` with fewer than 6 digits: a name, not data
    /// (a card number, SSN, phone number or e-mail address cannot pass).
    static func isSafeLabel(_ string: String, maxLength: Int = 64) -> Bool {
        Loggable.isLabel(string, maxLength: maxLength, allowingBraces: true)
    }

    /// An open-enum value, or `nil` when it is an unknown value that does not look like a label.
    static func label<E: OpenStringEnum>(_ value: E?) -> E? {
        guard let value else { return nil }
        return isSafeLabel(value.rawValue) ? value : nil
    }

    /// Whether an id may be carried as is: a `CorrelationID`-shaped string (UUIDs included) with fewer
    /// than 9 digits outside the UUIDs in it (so no card number, SSN or phone number fits).
    static func isSafeIdentifier(_ string: String) -> Bool { Loggable.isIdentifier(string) }
}
