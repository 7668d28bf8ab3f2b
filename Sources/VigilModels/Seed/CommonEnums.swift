/// The direction of a conversation (`INBOUND` / `OUTBOUND` in Genesys Cloud).
///
/// **Open**: Genesys adds values over time; an unknown direction is informational and must not make
/// an event undecodable.
public enum CallDirection: OpenStringEnum {
    /// `INBOUND`.
    case inbound
    /// `OUTBOUND`.
    case outbound
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "INBOUND": self = .inbound
        case "OUTBOUND": self = .outbound
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .inbound: "INBOUND"
        case .outbound: "OUTBOUND"
        case let .other(value): value
        }
    }
}

/// The media type of a conversation or session (Genesys detail events' `mediaType`; also the
/// `channel` of Vigil's seed-style webhook).
///
/// **Open**: the reference lists the values with a trailing "…" — Genesys adds channels, and a new one
/// must still reach the pipeline (which may then skip it) rather than be dropped at decode time.
public enum MediaType: OpenStringEnum {
    /// `VOICE`.
    case voice
    /// `CHAT`.
    case chat
    /// `EMAIL`.
    case email
    /// `CALLBACK`.
    case callback
    /// `COBROWSE`.
    case cobrowse
    /// `VIDEO`.
    case video
    /// `SCREENSHARE`.
    case screenshare
    /// `MESSAGE`.
    case message
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "VOICE": self = .voice
        case "CHAT": self = .chat
        case "EMAIL": self = .email
        case "CALLBACK": self = .callback
        case "COBROWSE": self = .cobrowse
        case "VIDEO": self = .video
        case "SCREENSHARE": self = .screenshare
        case "MESSAGE": self = .message
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .voice: "VOICE"
        case .chat: "CHAT"
        case .email: "EMAIL"
        case .callback: "CALLBACK"
        case .cobrowse: "COBROWSE"
        case .video: "VIDEO"
        case .screenshare: "SCREENSHARE"
        case .message: "MESSAGE"
        case let .other(value): value
        }
    }
}

/// The role of a participant (`participantPurpose` in transcripts; `purpose` in Vigil's webhook).
///
/// **Open**: the reference lists values *seen* (`external`, `internal`, `acd`, `ivr`, `voicemail`,
/// `fax`, `customer`, `agent`, `user`), not a closed set.
public enum ParticipantPurpose: OpenStringEnum {
    /// `external` (the customer side in transcripts).
    case external
    /// `internal` (the agent side in transcripts).
    case `internal`
    /// `customer`.
    case customer
    /// `agent`.
    case agent
    /// `user`.
    case user
    /// `acd`.
    case acd
    /// `ivr`.
    case ivr
    /// `voicemail`.
    case voicemail
    /// `fax`.
    case fax
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "external": self = .external
        case "internal": self = .internal
        case "customer": self = .customer
        case "agent": self = .agent
        case "user": self = .user
        case "acd": self = .acd
        case "ivr": self = .ivr
        case "voicemail": self = .voicemail
        case "fax": self = .fax
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .external: "external"
        case .internal: "internal"
        case .customer: "customer"
        case .agent: "agent"
        case .user: "user"
        case .acd: "acd"
        case .ivr: "ivr"
        case .voicemail: "voicemail"
        case .fax: "fax"
        case let .other(value): value
        }
    }
}

/// The seed's recording lifecycle event names (`recording:recordingAvailable` …).
///
/// **Open**: these names are Vigil's seed-style contract, not a Genesys API; an unknown name is kept
/// so the receiver can answer "ignored" instead of failing the delivery (which would trigger retries).
public enum RecordingEventName: OpenStringEnum {
    /// `recording:recordingStarted` — preliminary; media is not ready.
    case recordingStarted
    /// `recording:recordingCompleted` — metadata final; media may still be transcoding.
    case recordingCompleted
    /// `recording:recordingAvailable` — media should be downloadable (Vigil still verifies).
    case recordingAvailable
    /// Any other event name, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "recording:recordingStarted": self = .recordingStarted
        case "recording:recordingCompleted": self = .recordingCompleted
        case "recording:recordingAvailable": self = .recordingAvailable
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .recordingStarted: "recording:recordingStarted"
        case .recordingCompleted: "recording:recordingCompleted"
        case .recordingAvailable: "recording:recordingAvailable"
        case let .other(value): value
        }
    }
}
