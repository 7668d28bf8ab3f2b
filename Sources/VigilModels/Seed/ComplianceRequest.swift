import Foundation

/// What Vigil sends to a compliance engine: identifiers, a short-lived media link and minimised
/// metadata — **no raw PII fields at all**.
///
/// Compliance engines log their inputs (the seed's Trap in §2), so the request is designed so that
/// there is nothing sensitive to log: ids are UUIDs, the media is reached through an expiring
/// ``PresignedURL`` (and printed redacted), and any per-person value the engine may need for
/// correlation (caller, account…) travels only as a ``PseudonymousToken``. There is deliberately no
/// field for a name, phone number, email address or free text.
///
/// ```json
/// { "schemaVersion": "1.0", "correlationId": "evt-sub-req-8847291",
///   "recordingId": "a1b2c3d4-…", "conversationId": "2f7bf00a-…",
///   "media": { "uri": "https://…", "expiresAt": "2026-05-01T11:05:00.000Z", "format": "WAV" },
///   "metadata": { "channel": "VOICE", "direction": "INBOUND", "durationMs": 312000 },
///   "requestedAt": "2026-05-01T10:05:30.000Z" }
/// ```
public struct ComplianceRequest: Codable, Sendable, Hashable {
    /// Wire schema version, `MAJOR.MINOR`; this module reads major version 1 (``VigilSchema/currentVersion``).
    public var schemaVersion: String
    /// Links request, verdict and remediation; echoed back in the ``ComplianceVerdict``.
    public var correlationId: CorrelationID
    /// The recording to evaluate.
    public var recordingId: GenesysID
    /// Its conversation.
    public var conversationId: GenesysID
    /// Where to fetch the media, and until when.
    public var media: MediaLink
    /// Minimised, non-PII context.
    public var metadata: ComplianceRequestMetadata?
    /// Where an asynchronous engine should post its signed verdict, if not the configured default.
    public var callbackUrl: URL?
    /// When Vigil built the request.
    public var requestedAt: Date

    /// Creates a request (``schemaVersion`` defaults to ``VigilSchema/currentVersion``).
    public init(
        schemaVersion: String = VigilSchema.currentVersion, correlationId: CorrelationID,
        recordingId: GenesysID, conversationId: GenesysID, media: MediaLink,
        metadata: ComplianceRequestMetadata? = nil, callbackUrl: URL? = nil, requestedAt: Date
    ) {
        self.schemaVersion = schemaVersion
        self.correlationId = correlationId
        self.recordingId = recordingId
        self.conversationId = conversationId
        self.media = media
        self.metadata = metadata
        self.callbackUrl = callbackUrl
        self.requestedAt = requestedAt
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion, correlationId, recordingId, conversationId, media, metadata, callbackUrl, requestedAt
    }

    /// Decodes and validates (schema major version 1, https callback).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(String.self, forKey: .schemaVersion)
        guard let major = VigilSchema.majorVersion(of: schemaVersion) else {
            throw c.failure(.invalidValue, .schemaVersion, "must be MAJOR.MINOR")
        }
        guard major == VigilSchema.supportedMajorVersion else {
            throw c.failure(.invalidValue, .schemaVersion, "unsupported major version")
        }
        correlationId = try c.decode(CorrelationID.self, forKey: .correlationId)
        recordingId = try c.decode(GenesysID.self, forKey: .recordingId)
        conversationId = try c.decode(GenesysID.self, forKey: .conversationId)
        media = try c.decode(MediaLink.self, forKey: .media)
        metadata = try c.decodeIfPresent(ComplianceRequestMetadata.self, forKey: .metadata)
        if let string = try c.decodeIfPresent(String.self, forKey: .callbackUrl) {
            guard let url = URL(string: string), Destination.isAcceptable(url) else {
                throw c.failure(.invalidValue, .callbackUrl, "must be an absolute https URL (http only for loopback)")
            }
            callbackUrl = url
        } else {
            callbackUrl = nil
        }
        requestedAt = try c.decode(Date.self, forKey: .requestedAt)
    }
}

/// A short-lived link to the media of one recording.
public struct MediaLink: Codable, Sendable, Hashable {
    /// The pre-signed URL (printed redacted).
    public var uri: PresignedURL
    /// When the URL stops working (Genesys: ≤ 60 minutes after issue).
    public var expiresAt: Date
    /// The media format, if known.
    public var format: MediaFormat?

    /// Creates a link.
    public init(uri: PresignedURL, expiresAt: Date, format: MediaFormat? = nil) {
        self.uri = uri
        self.expiresAt = expiresAt
        self.format = format
    }

    /// Whether the link is expired at `now`, or will be within `margin` seconds.
    public func isExpired(at now: Date, margin: TimeInterval = 0) -> Bool {
        now.addingTimeInterval(margin) >= expiresAt
    }
}

/// A Genesys recording download format (`formatId`).
///
/// **Open**: Genesys may add codecs; an unknown one is passed through for the engine to judge.
public enum MediaFormat: OpenStringEnum {
    /// `WAV` (PCM).
    case wav
    /// `WEBM` (the API default).
    case webm
    /// `WAV_ULAW`.
    case wavUlaw
    /// `OGG_VORBIS`.
    case oggVorbis
    /// `OGG_OPUS`.
    case oggOpus
    /// `MP3`.
    case mp3
    /// `NONE`.
    case none
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "WAV": self = .wav
        case "WEBM": self = .webm
        case "WAV_ULAW": self = .wavUlaw
        case "OGG_VORBIS": self = .oggVorbis
        case "OGG_OPUS": self = .oggOpus
        case "MP3": self = .mp3
        case "NONE": self = .none
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .wav: "WAV"
        case .webm: "WEBM"
        case .wavUlaw: "WAV_ULAW"
        case .oggVorbis: "OGG_VORBIS"
        case .oggOpus: "OGG_OPUS"
        case .mp3: "MP3"
        case .none: "NONE"
        case let .other(value): value
        }
    }
}

/// The minimised context of a ``ComplianceRequest``: classifications, durations and ids only.
public struct ComplianceRequestMetadata: Codable, Sendable, Hashable {
    /// Channel of the conversation.
    public var channel: MediaType?
    /// Direction of the conversation.
    public var direction: CallDirection?
    /// Genesys recording subtype (`Trunk`, `Station`…).
    public var mediaSubtype: MediaSubtype?
    /// Recording duration in milliseconds (≥ 0).
    public var durationMs: Int64?
    /// Spoken language as a BCP-47 tag (`en-US`), 2–35 characters of letters, digits and `-`.
    public var language: String?
    /// The division the conversation belongs to.
    public var divisionId: GenesysID?
    /// The queue that handled it.
    public var queueId: GenesysID?
    /// Pseudonymous tokens standing in for per-person values, keyed by purpose
    /// (`"caller"`, `"account"`; keys 1–64 characters of letters, digits and `_`).
    public var tokens: [String: PseudonymousToken]?

    /// Creates metadata.
    public init(
        channel: MediaType? = nil, direction: CallDirection? = nil, mediaSubtype: MediaSubtype? = nil,
        durationMs: Int64? = nil, language: String? = nil, divisionId: GenesysID? = nil,
        queueId: GenesysID? = nil, tokens: [String: PseudonymousToken]? = nil
    ) {
        self.channel = channel
        self.direction = direction
        self.mediaSubtype = mediaSubtype
        self.durationMs = durationMs
        self.language = language
        self.divisionId = divisionId
        self.queueId = queueId
        self.tokens = tokens
    }

    enum CodingKeys: String, CodingKey {
        case channel, direction, mediaSubtype, durationMs, language, divisionId, queueId, tokens
    }

    /// Decodes and validates (duration ≥ 0, language tag shape, token keys).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        channel = try c.decodeIfPresent(MediaType.self, forKey: .channel)
        direction = try c.decodeIfPresent(CallDirection.self, forKey: .direction)
        mediaSubtype = try c.decodeIfPresent(MediaSubtype.self, forKey: .mediaSubtype)
        durationMs = try c.decodeIntegerIfPresent(.durationMs, in: 0...Int64(maxSafeJSONInteger))
        language = try c.decodeIfPresent(String.self, forKey: .language)
        if let language, !Self.isLanguageTag(language) {
            throw c.failure(.invalidValue, .language, "must be a BCP-47 language tag")
        }
        divisionId = try c.decodeIfPresent(GenesysID.self, forKey: .divisionId)
        queueId = try c.decodeIfPresent(GenesysID.self, forKey: .queueId)
        tokens = try c.decodeIfPresent([String: PseudonymousToken].self, forKey: .tokens)
        if let tokens, !tokens.keys.allSatisfy(Self.isTokenKey) {
            throw c.failure(.invalidValue, .tokens, "keys must be 1-64 characters of A-Z a-z 0-9 _")
        }
    }

    static func isLanguageTag(_ string: String) -> Bool {
        (2...35).contains(string.utf8.count)
            && string.utf8.allSatisfy { $0 == UInt8(ascii: "-") || isAlphanumeric($0) }
    }

    static func isTokenKey(_ string: String) -> Bool {
        (1...64).contains(string.utf8.count)
            && string.utf8.allSatisfy { $0 == UInt8(ascii: "_") || isAlphanumeric($0) }
    }
}

func isAlphanumeric(_ byte: UInt8) -> Bool {
    switch byte {
    case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"):
        true
    default:
        false
    }
}
