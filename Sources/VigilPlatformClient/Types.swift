import Foundation
import VigilCore
import VigilModels

/// The `formatId` of a recording request: the media format Genesys transcodes into.
public struct RecordingFormat: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The wire value, e.g. `WAV`.
    public let rawValue: String
    /// Creates a format from its wire value.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// `WAV` (PCM).
    public static let wav = RecordingFormat(rawValue: "WAV")
    /// `WEBM` (the platform default).
    public static let webm = RecordingFormat(rawValue: "WEBM")
    /// `WAV_ULAW` (µ-law WAV).
    public static let wavUlaw = RecordingFormat(rawValue: "WAV_ULAW")
    /// `OGG_VORBIS`.
    public static let oggVorbis = RecordingFormat(rawValue: "OGG_VORBIS")
    /// `OGG_OPUS`.
    public static let oggOpus = RecordingFormat(rawValue: "OGG_OPUS")
    /// `MP3`.
    public static let mp3 = RecordingFormat(rawValue: "MP3")
    /// `NONE`: metadata without transcoding.
    public static let none = RecordingFormat(rawValue: "NONE")

    /// The wire value.
    public var description: String { rawValue }
}

/// What `GET /api/v2/conversations/{cid}/recordings/{rid}` said about a recording.
///
/// | Answer | Case |
/// |---|---|
/// | `202` (any body, even empty) | ``transcoding(estimate:)`` — poll again |
/// | `200`, `fileState` `ARCHIVED` | ``archived(_:)`` — terminal until restored |
/// | `200`, `fileState` `DELETED` | ``deleted(_:)`` — terminal |
/// | `200`, `fileState` `ERROR` | ``failed(_:)`` — terminal |
/// | `200` with a `mediaUri` | ``ready(_:)`` |
/// | `200` without media (or `RESTORING`/`UPLOADING`) | ``notReady(_:)`` — poll again |
public enum RecordingAvailability: Sendable, Hashable {
    /// The media is ready; the recording carries pre-signed `mediaUris` (valid ≤ 60 minutes).
    case ready(Recording)
    /// `202 Accepted`: Genesys is transcoding into the requested format; `estimate` comes from
    /// `estimatedTranscodeTimeMs` when the body has one.
    case transcoding(estimate: Duration?)
    /// `200` but no playable media yet (no `mediaUris`, or `fileState` `UPLOADING`/`RESTORING`/unknown).
    case notReady(Recording)
    /// `fileState` `ARCHIVED`: the media is in the archive and must be restored first.
    case archived(Recording)
    /// `fileState` `DELETED`: the media is gone.
    case deleted(Recording)
    /// `fileState` `ERROR`: the platform failed to store or process the recording.
    case failed(Recording)

    /// The recording when the answer carried one.
    public var recording: Recording? {
        switch self {
        case let .ready(r), let .notReady(r), let .archived(r), let .deleted(r), let .failed(r): r
        case .transcoding: nil
        }
    }

    /// Whether polling again can change the answer (transcoding or not ready).
    public var isPending: Bool {
        switch self {
        case .transcoding, .notReady: true
        default: false
        }
    }
}

/// The answer of `GET /api/v2/conversations/{cid}/recordings`.
public struct ConversationRecordings: Sendable, Hashable {
    /// The recordings (may be empty, notably with a `202` whose body is empty).
    public var recordings: [Recording]
    /// `true` when the platform answered `202` ("recording is transcoding").
    public var isTranscoding: Bool

    /// Creates a value.
    public init(recordings: [Recording], isTranscoding: Bool) {
        self.recordings = recordings
        self.isTranscoding = isTranscoding
    }
}

/// Polling settings for ``GenesysCloudClient/awaitRecording(conversationId:recordingId:format:options:)``.
public struct RecordingPollOptions: Sendable, Hashable {
    /// The first wait. Default 1 s.
    public var initialDelay: Duration
    /// The longest single wait (the delay doubles up to it; a transcode estimate is clamped to it).
    /// Default 30 s.
    public var maxDelay: Duration
    /// The longest the whole wait may take. Default 10 minutes.
    public var limit: Duration
    /// Treat `404` as "not there yet" (recordings appear some time after a conversation ends) until
    /// ``limit``; when `false` a 404 is thrown at once. Default `true`.
    public var notFoundIsPending: Bool

    /// Creates options.
    public init(
        initialDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(30),
        limit: Duration = .seconds(600), notFoundIsPending: Bool = true
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.limit = limit
        self.notFoundIsPending = notFoundIsPending
    }
}

/// A media download in progress: the response body streams; nothing is buffered by the client.
public struct MediaDownload: Sendable {
    /// The bytes, in the chunks the transport delivers. Single use. The stream throws
    /// ``GenesysAPIError`` with code ``GenesysAPIError/Code/mediaTruncated`` if it ends before
    /// ``length`` bytes.
    public let body: HTTPBody
    /// `Content-Type` of the media (e.g. `audio/wav`).
    public let contentType: String?
    /// The announced length (`Content-Length`), when sent.
    public let length: Int64?
    /// The recording whose URL was used — a re-fetched one when the first URL had expired.
    public let recording: Recording
    /// Whether the recording was re-fetched because its URL had expired (403/404).
    public let refetchedURL: Bool
}

/// `Conversation.recordingState` values accepted by `PATCH /api/v2/conversations/{id}/recordingstate`.
public struct RecordingState: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The wire value.
    public let rawValue: String
    /// Creates a state from its wire value.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// `PAUSED`: initiates a secure pause.
    public static let paused = RecordingState(rawValue: "PAUSED")
    /// `ACTIVE`: resumes paused recordings.
    public static let active = RecordingState(rawValue: "ACTIVE")
    /// `NONE`.
    public static let none = RecordingState(rawValue: "NONE")
    /// The wire value.
    public var description: String { rawValue }

    /// Decodes the bare string.
    public init(from decoder: any Decoder) throws {
        rawValue = try decoder.singleValueContainer().decode(String.self)
    }

    /// Encodes the bare string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// Body of `PATCH /api/v2/conversations/{conversationId}/recordingstate`.
public struct SetRecordingState: Codable, Sendable, Hashable {
    /// The state to set.
    public var recordingState: RecordingState
    /// Creates a body.
    public init(recordingState: RecordingState) { self.recordingState = recordingState }
}

/// Answer of `GET …/communications/{communicationId}/transcripturl`.
public struct TranscriptURL: Codable, Sendable, Hashable {
    /// The pre-signed transcript URL.
    public var url: PresignedURL
    /// Creates a value.
    public init(url: PresignedURL) { self.url = url }
}

/// One filter of a work-item query (`WorkitemFilter`: `name`, `type`, `operator`, `values`).
///
/// Genesys requires at least one `EQ` filter on `workbinId`, `assigneeId`, `queueId` or `typeId`, and at
/// most three filters.
public struct WorkitemFilter: Codable, Sendable, Hashable {
    /// Attribute name, e.g. `typeId`, `externalTag`.
    public var name: String
    /// Attribute type: `String` or `Int`.
    public var type: String
    /// Operator: `EQ`, `NEQ`, `GT`, `LT`, `GTE`, `LTE`, `IN`, `CONTAINS`, `BETWEEN`, `BEGINS_WITH`.
    public var `operator`: String
    /// Values.
    public var values: [String]

    /// Creates a filter.
    public init(name: String, type: String = "String", operator: String = "EQ", values: [String]) {
        self.name = name
        self.type = type
        self.operator = `operator`
        self.values = values
    }

    /// `name EQ value` on a string attribute.
    public static func equals(_ name: String, _ value: String) -> WorkitemFilter {
        WorkitemFilter(name: name, values: [value])
    }

    /// The attributes of which Genesys requires one `EQ` filter.
    public static let anchorNames: Set<String> = ["workbinId", "assigneeId", "queueId", "typeId"]
}

/// Body of `POST /api/v2/taskmanagement/workitems/query`.
public struct WorkitemQuery: Codable, Sendable, Hashable {
    /// 1–3 filters, one an `EQ` on an anchor attribute.
    public var filters: [WorkitemFilter]
    /// Page size, 1–200.
    public var pageSize: Int?
    /// Cursor from a previous page.
    public var after: String?

    /// Creates a query.
    public init(filters: [WorkitemFilter], pageSize: Int? = nil, after: String? = nil) {
        self.filters = filters
        self.pageSize = pageSize
        self.after = after
    }

    /// Checks Genesys' documented rules before sending.
    func validate() throws(GenesysAPIError) {
        guard (1...3).contains(filters.count) else {
            throw .invalidInput("query.filters", "must contain between 1 and 3 filters")
        }
        guard filters.contains(where: { $0.operator == "EQ" && WorkitemFilter.anchorNames.contains($0.name) }) else {
            throw .invalidInput("query.filters", "needs an EQ filter on workbinId, assigneeId, queueId or typeId")
        }
        for (index, filter) in filters.enumerated() where filter.name.isEmpty || filter.values.isEmpty {
            throw .invalidInput("query.filters[\(index)]", "needs a name and at least one value")
        }
        if let pageSize, !(1...200).contains(pageSize) {
            throw .invalidInput("query.pageSize", "must be between 1 and 200")
        }
    }
}

/// Answer of a work-item query (`entities`, `after` cursor, `count`).
public struct WorkitemQueryResult: Codable, Sendable, Hashable {
    /// The matching work items.
    public var entities: [Workitem]
    /// Cursor for the next page, when there is one.
    public var after: String?
    /// Total matches, when sent.
    public var count: Int?

    /// Creates a result.
    public init(entities: [Workitem], after: String? = nil, count: Int? = nil) {
        self.entities = entities
        self.after = after
        self.count = count
    }

    enum CodingKeys: String, CodingKey { case entities, after, count }

    /// Decodes; a missing `entities` means none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        entities = try c.decodeIfPresent([Workitem].self, forKey: .entities) ?? []
        after = try c.decodeIfPresent(String.self, forKey: .after)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
    }
}

/// How a create call may be repeated safely after a failure that leaves its effect unknown (a 5xx, a
/// lost connection): look for what the first attempt may have created before creating again.
public enum IdempotencyGuard: Sendable, Hashable {
    /// Work items: before re-creating, query `POST /api/v2/taskmanagement/workitems/query` for a work
    /// item of the same `typeId` with this `externalTag`; return it if found. The tag is written into the
    /// created body.
    case externalTag(String)
    /// Annotations: before re-creating, list the recording's annotations and return one with the same
    /// `name`, `type` and `location`.
    case sameNameAndLocation
}
