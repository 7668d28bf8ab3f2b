import Foundation

/// A Genesys Cloud recording (`GET /api/v2/conversations/{cid}/recordings/{rid}`), all fields of the
/// platform's `Recording` model.
///
/// Only ``id`` is required: a `202 Accepted` ("recording is transcoding") body carries the same
/// schema with little filled in. Media is ready when ``isMediaReady`` — `fileState` `AVAILABLE` and at
/// least one `mediaUri`; the platform client also looks at the HTTP status.
///
/// `description` shows identity and state only: ``transcript`` and friends hold conversation content,
/// and ``mediaUris`` are pre-signed (they print redacted anyway).
public struct Recording: Codable, Sendable, Hashable, CustomStringConvertible {
    /// Recording id.
    public var id: GenesysID
    /// Recording name.
    public var name: String?
    /// The conversation it belongs to.
    public var conversationId: GenesysID?
    /// Storage path.
    public var path: String?
    /// Start of playable media; `nil` when there is none.
    public var startTime: Date?
    /// End of playable media; `nil` when there is none.
    public var endTime: Date?
    /// `audio`, `chat`, `messaging`, `email` or `screen`.
    public var media: RecordingMedia?
    /// How it was captured (`Trunk`, `Station`…).
    public var mediaSubtype: MediaSubtype?
    /// Subject (email/messaging).
    public var mediaSubject: String?
    /// Annotations (pauses, bookmarks…).
    public var annotations: [Annotation]?
    /// Chat transcript (conversation content: personal data).
    public var transcript: [JSONValue]?
    /// Email transcript (conversation content: personal data).
    public var emailTranscript: [JSONValue]?
    /// Messaging transcript (conversation content: personal data).
    public var messagingTranscript: [JSONValue]?
    /// Storage state of the media.
    public var fileState: FileState?
    /// When a restored recording returns to the archive.
    public var restoreExpirationTime: Date?
    /// Download links keyed by channel (`"S"` is the merged file in observed responses; per-channel
    /// keys `"0"`, `"1"` are also seen). `nil` when there is no playable media.
    public var mediaUris: [String: MediaResult]?
    /// Estimated transcode time in ms (often set on 202).
    public var estimatedTranscodeTimeMs: Int64?
    /// Actual transcode time in ms.
    public var actualTranscodeTimeMs: Int64?
    /// When it will be archived.
    public var archiveDate: Date?
    /// Archive medium.
    public var archiveMedium: ArchiveMedium?
    /// When it will be deleted.
    public var deleteDate: Date?
    /// When it will be exported.
    public var exportDate: Date?
    /// When it was exported.
    public var exportedDate: Date?
    /// Transcoded duration; 0 if there is no transcoded media.
    public var outputDurationMs: Int64?
    /// Transcoded size; 0 if there is no transcoded media.
    public var outputSizeInBytes: Int64?
    /// Deprecated (always 10000).
    public var maxAllowedRestorationsForOrg: Int64?
    /// Deprecated (always 10000).
    public var remainingRestorationsAllowedForOrg: Int64?
    /// External resource id (call/chat/email); the `communicationId` for transcripts.
    public var sessionId: String?
    /// Users on the recording (ids only).
    public var users: [UserReference]?
    /// `CUSTOMER_EXPERIENCE` or `ADHOC`.
    public var recordingFileRole: RecordingFileRole?
    /// Why the recording is in error.
    public var recordingErrorStatus: RecordingErrorStatus?
    /// Original start time.
    public var originalRecordingStartTime: Date?
    /// Creation time.
    public var creationTime: Date?
    /// API URI.
    public var selfUri: String?

    /// Creates a recording (mostly for tests and simulators).
    public init(
        id: GenesysID, conversationId: GenesysID? = nil, media: RecordingMedia? = nil,
        mediaSubtype: MediaSubtype? = nil, startTime: Date? = nil, endTime: Date? = nil,
        fileState: FileState? = nil, mediaUris: [String: MediaResult]? = nil, sessionId: String? = nil
    ) {
        self.id = id
        self.conversationId = conversationId
        self.media = media
        self.mediaSubtype = mediaSubtype
        self.startTime = startTime
        self.endTime = endTime
        self.fileState = fileState
        self.mediaUris = mediaUris
        self.sessionId = sessionId
    }

    /// `fileState` is `AVAILABLE` (or `RESTORED`) and some entry of ``mediaUris`` has a `mediaUri`.
    public var isMediaReady: Bool {
        guard fileState == .available || fileState == .restored else { return false }
        return primaryMediaURI != nil
    }

    /// The merged-file link (`"S"`) if present, else the link of the lowest key.
    public var primaryMediaURI: PresignedURL? {
        guard let mediaUris else { return nil }
        if let merged = mediaUris["S"]?.mediaUri { return merged }
        return mediaUris.keys.sorted().lazy.compactMap { mediaUris[$0]?.mediaUri }.first
    }

    /// Identity and state only.
    public var description: String {
        "Recording(id: \(id), conversationId: \(conversationId.map(\.rawValue) ?? "nil"), media: "
            + "\(media?.rawValue ?? "nil"), fileState: \(fileState?.rawValue ?? "nil"), mediaUris: "
            + "\(mediaUris?.keys.sorted() ?? []))"
    }
}

/// One entry of ``Recording/mediaUris``.
public struct MediaResult: Codable, Sendable, Hashable {
    /// Pre-signed download link (valid ≤ 60 minutes).
    public var mediaUri: PresignedURL?
    /// Waveform samples for display.
    public var waveformData: [Double]?

    /// Creates a media result.
    public init(mediaUri: PresignedURL?, waveformData: [Double]? = nil) {
        self.mediaUri = mediaUri
        self.waveformData = waveformData
    }
}

/// `GET /api/v2/conversations/{cid}/recordingmetadata[/{rid}]`: a recording without playable media or
/// system annotations.
public struct RecordingMetadata: Codable, Sendable, Hashable {
    /// Recording id.
    public var id: GenesysID
    /// Recording name.
    public var name: String?
    /// Conversation id.
    public var conversationId: GenesysID?
    /// Storage path.
    public var path: String?
    /// Start of playable media.
    public var startTime: Date?
    /// End of playable media.
    public var endTime: Date?
    /// `audio`, `chat`…
    public var media: RecordingMedia?
    /// Capture subtype.
    public var mediaSubtype: MediaSubtype?
    /// Subject.
    public var mediaSubject: String?
    /// User annotations.
    public var annotations: [Annotation]?
    /// Storage state.
    public var fileState: FileState?
    /// Restore expiry.
    public var restoreExpirationTime: Date?
    /// Archive date.
    public var archiveDate: Date?
    /// Archive medium.
    public var archiveMedium: ArchiveMedium?
    /// Delete date.
    public var deleteDate: Date?
    /// Export date.
    public var exportDate: Date?
    /// Exported date.
    public var exportedDate: Date?
    /// External resource id.
    public var sessionId: String?
    /// Storage region.
    public var region: String?
    /// API URI.
    public var selfUri: String?

    /// Creates metadata.
    public init(id: GenesysID, conversationId: GenesysID? = nil, fileState: FileState? = nil) {
        self.id = id
        self.conversationId = conversationId
        self.fileState = fileState
    }
}

/// `Recording.fileState`.
///
/// **Open**: failing on a new state would drop a recording on a Genesys release; an unknown state is
/// treated as "not ready" by ``Recording/isMediaReady`` and retried with backoff.
public enum FileState: OpenStringEnum {
    /// `ARCHIVED`.
    case archived
    /// `AVAILABLE`.
    case available
    /// `DELETED`.
    case deleted
    /// `RESTORED`.
    case restored
    /// `RESTORING`.
    case restoring
    /// `UPLOADING`.
    case uploading
    /// `ERROR`.
    case error
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "ARCHIVED": self = .archived
        case "AVAILABLE": self = .available
        case "DELETED": self = .deleted
        case "RESTORED": self = .restored
        case "RESTORING": self = .restoring
        case "UPLOADING": self = .uploading
        case "ERROR": self = .error
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .archived: "ARCHIVED"
        case .available: "AVAILABLE"
        case .deleted: "DELETED"
        case .restored: "RESTORED"
        case .restoring: "RESTORING"
        case .uploading: "UPLOADING"
        case .error: "ERROR"
        case let .other(value): value
        }
    }
}

/// `Recording.mediaSubtype`.
///
/// **Open**: informational; a new subtype must not make a recording undecodable.
public enum MediaSubtype: OpenStringEnum {
    /// `Trunk`.
    case trunk
    /// `Station`.
    case station
    /// `Consult`.
    case consult
    /// `Screen`.
    case screen
    /// `Snippet`.
    case snippet
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "Trunk": self = .trunk
        case "Station": self = .station
        case "Consult": self = .consult
        case "Screen": self = .screen
        case "Snippet": self = .snippet
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .trunk: "Trunk"
        case .station: "Station"
        case .consult: "Consult"
        case .screen: "Screen"
        case .snippet: "Snippet"
        case let .other(value): value
        }
    }
}

/// `Recording.media`: the documented values are prose ("audio, chat, messaging, email, or screen").
///
/// **Open**: not a formal enum in the API.
public enum RecordingMedia: OpenStringEnum {
    /// `audio`.
    case audio
    /// `chat`.
    case chat
    /// `messaging`.
    case messaging
    /// `email`.
    case email
    /// `screen`.
    case screen
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "audio": self = .audio
        case "chat": self = .chat
        case "messaging": self = .messaging
        case "email": self = .email
        case "screen": self = .screen
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .audio: "audio"
        case .chat: "chat"
        case .messaging: "messaging"
        case .email: "email"
        case .screen: "screen"
        case let .other(value): value
        }
    }
}

/// `Recording.archiveMedium`. **Open** (retention detail; never a reason to fail).
public enum ArchiveMedium: OpenStringEnum {
    /// `CLOUDARCHIVE`.
    case cloudArchive
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        self = rawValue == "CLOUDARCHIVE" ? .cloudArchive : .other(rawValue)
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .cloudArchive: "CLOUDARCHIVE"
        case let .other(value): value
        }
    }
}

/// `Recording.recordingFileRole`. **Open** (informational).
public enum RecordingFileRole: OpenStringEnum {
    /// `CUSTOMER_EXPERIENCE`.
    case customerExperience
    /// `ADHOC`.
    case adhoc
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "CUSTOMER_EXPERIENCE": self = .customerExperience
        case "ADHOC": self = .adhoc
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .customerExperience: "CUSTOMER_EXPERIENCE"
        case .adhoc: "ADHOC"
        case let .other(value): value
        }
    }
}

/// `Recording.recordingErrorStatus`. **Open** (new error reasons appear with new media types).
public enum RecordingErrorStatus: OpenStringEnum {
    /// `EMAIL_TRANSCRIPT_TOO_LARGE`.
    case emailTranscriptTooLarge
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        self = rawValue == "EMAIL_TRANSCRIPT_TOO_LARGE" ? .emailTranscriptTooLarge : .other(rawValue)
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .emailTranscriptTooLarge: "EMAIL_TRANSCRIPT_TOO_LARGE"
        case let .other(value): value
        }
    }
}
