import Foundation
import VigilModels

/// One AudioHook protocol message (a WebSocket text frame), in either direction.
///
/// The protocol (version 2, purecloudlabs/audiohook-reference-implementation `protocol/message.ts`):
/// every message has `version`, `id` (the session id), `type`, `seq` and `parameters`; messages from
/// the platform (the protocol's *client*) also carry `serverseq` (the last server message seen) and
/// `position` (how much audio the stream has carried); messages from the server carry `clientseq`.
///
/// ``decode(_:)`` is strict: unknown `type`, missing or mistyped fields, a `version` other than `"2"`,
/// a bad duration, a non-UUID id — each a typed ``AudioHookError`` naming the field, never its value.
/// ``encoded()`` writes sorted keys, so equal messages are equal bytes.
public struct AudioHookMessage: Sendable, Hashable {
    /// The session id (a UUID, lowercase).
    public var id: String
    /// The sender's sequence number, from 1.
    public var seq: Int
    /// For platform messages: the `seq` of the last server message the platform had seen.
    public var serverSeq: Int?
    /// For server messages: the `seq` of the last platform message the server had seen.
    public var clientSeq: Int?
    /// For platform messages: the stream position when the message was sent.
    public var position: AudioHookDuration?
    /// The type and its parameters.
    public var body: Body

    /// Creates a message.
    public init(
        id: String, seq: Int, serverSeq: Int? = nil, clientSeq: Int? = nil, position: AudioHookDuration? = nil,
        body: Body
    ) {
        self.id = id
        self.seq = seq
        self.serverSeq = serverSeq
        self.clientSeq = clientSeq
        self.position = position
        self.body = body
    }

    /// A message's type and parameters.
    public enum Body: Sendable, Hashable {
        // Platform → server.
        /// Opens the session.
        case open(Open)
        /// Keep-alive; `rtt` is the platform's last measured round trip.
        case ping(rtt: AudioHookDuration?)
        /// The platform ends the session.
        case close(reason: String)
        /// Audio stopped (acknowledges a `pause`, or a pause on the platform's side).
        case paused
        /// Audio flows again; `start`/`discarded` is the span that was not sent.
        case resumed(Discard)
        /// A span of audio the platform dropped.
        case discarded(Discard)
        /// The conversation's language changed.
        case update(language: String?)
        /// The platform reports an error.
        case error(code: Int, message: String, retryAfter: AudioHookDuration?)
        // Server → platform.
        /// Accepts `open` with the chosen media.
        case opened(media: [Media], startPaused: Bool?)
        /// Answers `ping`.
        case pong
        /// Acknowledges `close`.
        case closed
        /// Asks the platform to stop sending audio.
        case pause
        /// Asks the platform to send audio again.
        case resume
        /// Ends the session from the server's side (`completed`, `unauthorized` or `error`).
        case disconnect(reason: String, info: String?)
        /// Acknowledges `update`.
        case updated
        /// Server events (entities of a type and arbitrary JSON data).
        case event(entities: [Entity])
        /// Asks the platform to reconnect.
        case reconnect(info: String?)

        /// The `type` string.
        public var type: String {
            switch self {
            case .open: "open"
            case .ping: "ping"
            case .close: "close"
            case .paused: "paused"
            case .resumed: "resumed"
            case .discarded: "discarded"
            case .update: "update"
            case .error: "error"
            case .opened: "opened"
            case .pong: "pong"
            case .closed: "closed"
            case .pause: "pause"
            case .resume: "resume"
            case .disconnect: "disconnect"
            case .updated: "updated"
            case .event: "event"
            case .reconnect: "reconnect"
            }
        }

        /// Whether the platform (the protocol's client) sends this type.
        public var isFromPlatform: Bool {
            switch self {
            case .open, .ping, .close, .paused, .resumed, .discarded, .update, .error: true
            default: false
            }
        }
    }

    /// The parameters of `open`.
    public struct Open: Sendable, Hashable {
        /// The Genesys Cloud organization.
        public var organizationId: String
        /// The conversation; the all-zero UUID marks a connection probe.
        public var conversationId: String
        /// The participant whose audio is streamed. `ani` and `dnis` are phone numbers: never logged.
        public var participant: Participant
        /// The media the platform can send, in its order of preference.
        public var media: [Media]
        /// The conversation's language, if known.
        public var language: String?
        /// Sessions of the same conversation this one continues (after a reconnect).
        public var continuedSessions: [ContinuedSession]

        /// Creates the parameters.
        public init(
            organizationId: String, conversationId: String, participant: Participant, media: [Media],
            language: String? = nil, continuedSessions: [ContinuedSession] = []
        ) {
            self.organizationId = organizationId
            self.conversationId = conversationId
            self.participant = participant
            self.media = media
            self.language = language
            self.continuedSessions = continuedSessions
        }

        /// The conversation id of a connection probe.
        public static let probeConversationId = "00000000-0000-0000-0000-000000000000"
        /// Whether this `open` is a connection probe (the platform checking the endpoint).
        public var isProbe: Bool { conversationId == Self.probeConversationId }
    }

    /// The participant of `open`.
    public struct Participant: Sendable, Hashable, CustomStringConvertible {
        /// The participant id.
        public var id: String
        /// The caller's number (PII).
        public var ani: String
        /// The caller's name (PII).
        public var aniName: String
        /// The dialled number.
        public var dnis: String

        /// Creates a participant.
        public init(id: String, ani: String, aniName: String, dnis: String) {
            self.id = id
            self.ani = ani
            self.aniName = aniName
            self.dnis = dnis
        }

        /// The id only: numbers and names stay out of logs.
        public var description: String { "participant \(id)" }
    }

    /// A media offer or choice.
    public struct Media: Sendable, Hashable {
        /// `"audio"`.
        public var type: String
        /// `"PCMU"` (µ-law) or `"L16"` (16-bit linear).
        public var format: String
        /// Channel names in frame order, e.g. `["external", "internal"]`.
        public var channels: [String]
        /// Samples per second (8 000).
        public var rate: Int

        /// Creates a media description.
        public init(type: String = "audio", format: String, channels: [String], rate: Int) {
            self.type = type
            self.format = format
            self.channels = channels
            self.rate = rate
        }
    }

    /// A span of audio not sent.
    public struct Discard: Sendable, Hashable {
        /// Where in the stream the span starts.
        public var start: AudioHookDuration
        /// How long it is.
        public var discarded: AudioHookDuration

        /// Creates a span.
        public init(start: AudioHookDuration, discarded: AudioHookDuration) {
            self.start = start
            self.discarded = discarded
        }
    }

    /// A previous session of the same conversation.
    public struct ContinuedSession: Sendable, Hashable {
        /// Its session id.
        public var id: String
        /// The last `serverseq` it saw.
        public var serverSeq: Int
        /// The last `clientseq` the server had acknowledged.
        public var clientSeq: Int

        /// Creates the record.
        public init(id: String, serverSeq: Int, clientSeq: Int) {
            self.id = id
            self.serverSeq = serverSeq
            self.clientSeq = clientSeq
        }
    }

    /// One entity of an `event`: a type and its data (any JSON object).
    public struct Entity: Sendable, Hashable {
        /// e.g. `"vigil.finding"`.
        public var type: String
        /// The entity's `data`, as a JSON object.
        public var data: [String: JSONValue]

        /// Creates an entity.
        public init(type: String, data: [String: JSONValue]) {
            self.type = type
            self.data = data
        }
    }

    /// Largest text frame accepted (64 KiB: an `open` is a few hundred bytes).
    public static let maximumTextBytes = 64 << 10

    /// Decodes a text frame.
    ///
    /// - Throws: ``AudioHookError`` with ``AudioHookError/Code/malformedMessage``,
    ///   ``AudioHookError/Code/unsupportedVersion`` or ``AudioHookError/Code/frameTooLarge``.
    public static func decode(_ text: some Collection<UInt8>) throws(AudioHookError) -> AudioHookMessage {
        guard text.count <= maximumTextBytes else {
            throw AudioHookError(.frameTooLarge, "text frame of \(text.count) bytes (limit \(maximumTextBytes))")
        }
        let wire: Wire
        do {
            wire = try VigilJSON.decode(Wire.self, from: Data(text))
        } catch {
            throw AudioHookError(.malformedMessage, "not an AudioHook message: \(error)")
        }
        return try wire.message()
    }

    /// The JSON text frame (sorted keys, through `VigilJSON`). A non-finite number in an event
    /// entity's data, which JSON cannot carry, is written as `null`.
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue] = [
            "version": .string("2"), "id": .string(id), "type": .string(body.type), "seq": .number(Double(seq)),
            "parameters": .object(parameters)
        ]
        if let serverSeq { object["serverseq"] = .number(Double(serverSeq)) }
        if let clientSeq { object["clientseq"] = .number(Double(clientSeq)) }
        if let position { object["position"] = .string(position.iso8601) }
        return (try? VigilJSON.encodeBytes(JSONValue.object(object))) ?? (try? VigilJSON.encodeBytes(Self.finite(.object(object)))) ?? []
    }

    private static func finite(_ value: JSONValue) -> JSONValue {
        switch value {
        case .number(let number) where !number.isFinite: .null
        case .array(let values): .array(values.map(finite))
        case .object(let values): .object(values.mapValues(finite))
        default: value
        }
    }

    private var parameters: [String: JSONValue] {
        func media(_ media: Media) -> JSONValue {
            .object([
                "type": .string(media.type), "format": .string(media.format),
                "channels": .array(media.channels.map(JSONValue.string)), "rate": .number(Double(media.rate))
            ])
        }
        switch body {
        case .open(let open):
            var object: [String: JSONValue] = [
                "organizationId": .string(open.organizationId), "conversationId": .string(open.conversationId),
                "participant": .object([
                    "id": .string(open.participant.id), "ani": .string(open.participant.ani),
                    "aniName": .string(open.participant.aniName), "dnis": .string(open.participant.dnis)
                ]),
                "media": .array(open.media.map(media))
            ]
            if let language = open.language { object["language"] = .string(language) }
            if !open.continuedSessions.isEmpty {
                object["continuedSessions"] = .array(
                    open.continuedSessions.map {
                        .object([
                            "id": .string($0.id), "serverseq": .number(Double($0.serverSeq)),
                            "clientseq": .number(Double($0.clientSeq))
                        ])
                    })
            }
            return object
        case .ping(let rtt):
            return rtt.map { ["rtt": .string($0.iso8601)] } ?? [:]
        case .close(let reason):
            return ["reason": .string(reason)]
        case .resumed(let span), .discarded(let span):
            return ["start": .string(span.start.iso8601), "discarded": .string(span.discarded.iso8601)]
        case .update(let language):
            return language.map { ["language": .string($0)] } ?? [:]
        case .error(let code, let message, let retryAfter):
            var object: [String: JSONValue] = ["code": .number(Double(code)), "message": .string(message)]
            if let retryAfter { object["retryAfter"] = .string(retryAfter.iso8601) }
            return object
        case .opened(let chosen, let startPaused):
            var object: [String: JSONValue] = ["media": .array(chosen.map(media))]
            if let startPaused { object["startPaused"] = .bool(startPaused) }
            return object
        case .disconnect(let reason, let info):
            var object: [String: JSONValue] = ["reason": .string(reason)]
            if let info { object["info"] = .string(info) }
            return object
        case .reconnect(let info):
            return info.map { ["info": .string($0)] } ?? [:]
        case .event(let entities):
            return ["entities": .array(entities.map { .object(["type": .string($0.type), "data": .object($0.data)]) })]
        case .paused, .pong, .closed, .pause, .resume, .updated:
            return [:]
        }
    }
}

// MARK: - Wire decoding

extension AudioHookMessage {
    /// The envelope as it is on the wire; `parameters` is kept as a JSON value and read per type.
    private struct Wire: Decodable {
        let version: String
        let id: String
        let type: String
        let seq: Int
        let serverseq: Int?
        let clientseq: Int?
        let position: String?
        let parameters: [String: JSONValue]

        func message() throws(AudioHookError) -> AudioHookMessage {
            guard version == "2" else { throw AudioHookError(.unsupportedVersion, "version must be \"2\"") }
            guard let uuid = UUID(uuidString: id) else { throw AudioHookError(.malformedMessage, "id is not a UUID") }
            guard seq >= 1 else { throw AudioHookError(.malformedMessage, "seq must be at least 1") }
            var position: AudioHookDuration?
            if let text = self.position {
                guard let parsed = AudioHookDuration(iso8601: text) else {
                    throw AudioHookError(.malformedMessage, "position is not an ISO-8601 duration")
                }
                position = parsed
            }
            let p = Parameters(values: parameters, type: type)
            let body: Body
            switch type {
            case "open":
                let participant = try p.object("participant")
                let media = try p.array("media").enumerated().map { index, value throws(AudioHookError) in
                    try Parameters.media(value, path: "media[\(index)]")
                }
                let continued = try (p.optionalArray("continuedSessions") ?? []).enumerated().map {
                    index, value throws(AudioHookError) -> ContinuedSession in
                    let session = try Parameters.object(value, path: "continuedSessions[\(index)]")
                    return ContinuedSession(
                        id: try session.string("id"), serverSeq: try session.int("serverseq"),
                        clientSeq: try session.int("clientseq"))
                }
                let organizationId = try p.string("organizationId")
                let conversationId = try p.string("conversationId")
                guard UUID(uuidString: organizationId) != nil, UUID(uuidString: conversationId) != nil else {
                    throw AudioHookError(.malformedMessage, "organizationId and conversationId must be UUIDs")
                }
                body = .open(
                    Open(
                        organizationId: organizationId.lowercased(), conversationId: conversationId.lowercased(),
                        participant: Participant(
                            id: try participant.string("id"), ani: try participant.optionalString("ani") ?? "",
                            aniName: try participant.optionalString("aniName") ?? "",
                            dnis: try participant.optionalString("dnis") ?? ""),
                        media: media, language: try p.optionalString("language"), continuedSessions: continued))
            case "ping": body = .ping(rtt: try p.optionalDuration("rtt"))
            case "close": body = .close(reason: try p.string("reason"))
            case "paused": body = .paused
            case "resumed": body = .resumed(Discard(start: try p.duration("start"), discarded: try p.duration("discarded")))
            case "discarded": body = .discarded(Discard(start: try p.duration("start"), discarded: try p.duration("discarded")))
            case "update": body = .update(language: try p.optionalString("language"))
            case "error":
                body = .error(
                    code: try p.int("code"), message: try p.optionalString("message") ?? "",
                    retryAfter: try p.optionalDuration("retryAfter"))
            case "opened":
                let media = try (p.optionalArray("media") ?? []).enumerated().map { index, value throws(AudioHookError) in
                    try Parameters.media(value, path: "media[\(index)]")
                }
                body = .opened(media: media, startPaused: try p.optionalBool("startPaused"))
            case "pong": body = .pong
            case "closed": body = .closed
            case "pause": body = .pause
            case "resume": body = .resume
            case "disconnect": body = .disconnect(reason: try p.string("reason"), info: try p.optionalString("info"))
            case "updated": body = .updated
            case "event":
                let entities = try p.array("entities").enumerated().map { index, value throws(AudioHookError) -> Entity in
                    let entity = try Parameters.object(value, path: "entities[\(index)]")
                    return Entity(type: try entity.string("type"), data: try entity.object("data").values)
                }
                body = .event(entities: entities)
            case "reconnect": body = .reconnect(info: try p.optionalString("info"))
            default:
                throw AudioHookError(.malformedMessage, "unknown message type")
            }
            if body.isFromPlatform {
                guard serverseq != nil, position != nil else {
                    throw AudioHookError(.malformedMessage, "\(type) needs serverseq and position")
                }
            } else {
                guard clientseq != nil else { throw AudioHookError(.malformedMessage, "\(type) needs clientseq") }
            }
            return AudioHookMessage(
                id: uuid.uuidString.lowercased(), seq: seq, serverSeq: serverseq, clientSeq: clientseq,
                position: position, body: body)
        }
    }

    /// Typed reads from a parameters object, with the field path in every error.
    private struct Parameters {
        let values: [String: JSONValue]
        let type: String

        private func missing(_ key: String) -> AudioHookError {
            AudioHookError(.malformedMessage, "\(type).parameters.\(key) is missing or has the wrong type")
        }

        func string(_ key: String) throws(AudioHookError) -> String {
            guard case .string(let value) = values[key] else { throw missing(key) }
            return value
        }

        func optionalString(_ key: String) throws(AudioHookError) -> String? {
            guard let value = values[key], value != .null else { return nil }
            guard case .string(let text) = value else { throw missing(key) }
            return text
        }

        func int(_ key: String) throws(AudioHookError) -> Int {
            guard case .number(let value) = values[key], let integer = Int(exactly: value) else { throw missing(key) }
            return integer
        }

        func optionalBool(_ key: String) throws(AudioHookError) -> Bool? {
            guard let value = values[key], value != .null else { return nil }
            guard case .bool(let flag) = value else { throw missing(key) }
            return flag
        }

        func duration(_ key: String) throws(AudioHookError) -> AudioHookDuration {
            guard let value = try optionalDuration(key) else { throw missing(key) }
            return value
        }

        func optionalDuration(_ key: String) throws(AudioHookError) -> AudioHookDuration? {
            guard let text = try optionalString(key) else { return nil }
            guard let duration = AudioHookDuration(iso8601: text) else {
                throw AudioHookError(.malformedMessage, "\(type).parameters.\(key) is not an ISO-8601 duration")
            }
            return duration
        }

        func object(_ key: String) throws(AudioHookError) -> Parameters {
            guard case .object(let value) = values[key] else { throw missing(key) }
            return Parameters(values: value, type: "\(type).parameters.\(key)")
        }

        func array(_ key: String) throws(AudioHookError) -> [JSONValue] {
            guard case .array(let value) = values[key] else { throw missing(key) }
            return value
        }

        func optionalArray(_ key: String) throws(AudioHookError) -> [JSONValue]? {
            guard let value = values[key], value != .null else { return nil }
            guard case .array(let items) = value else { throw missing(key) }
            return items
        }

        static func object(_ value: JSONValue, path: String) throws(AudioHookError) -> Parameters {
            guard case .object(let values) = value else {
                throw AudioHookError(.malformedMessage, "\(path) is not an object")
            }
            return Parameters(values: values, type: path)
        }

        static func media(_ value: JSONValue, path: String) throws(AudioHookError) -> Media {
            let media = try object(value, path: path)
            let channels = try media.array("channels").map { value throws(AudioHookError) -> String in
                guard case .string(let name) = value else {
                    throw AudioHookError(.malformedMessage, "\(path).channels holds a non-string")
                }
                return name
            }
            return Media(
                type: try media.string("type"), format: try media.string("format"), channels: channels,
                rate: try media.int("rate"))
        }
    }
}
