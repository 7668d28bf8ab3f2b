/// Body of `POST /api/v2/recording/batchrequests`: up to 100 recordings to download in one job.
public struct BatchDownloadJobSubmission: Codable, Sendable, Hashable {
    /// The requests, 1–100.
    public var batchDownloadRequestList: [BatchDownloadRequest]

    /// Genesys' limit per job.
    public static let maxItems = 100

    /// Creates and validates a submission (1–100 items).
    public init(_ requests: [BatchDownloadRequest]) throws(ModelValidationError) {
        batchDownloadRequestList = requests
        try validate()
    }

    /// Checks the item count (1–100).
    public func validate() throws(ModelValidationError) {
        guard (1...Self.maxItems).contains(batchDownloadRequestList.count) else {
            throw ModelValidationError(
                code: .invalidValue, path: "batchDownloadRequestList",
                reason: "must contain between 1 and 100 items")
        }
    }

    enum CodingKeys: String, CodingKey { case batchDownloadRequestList }

    /// Decodes and validates the item count.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batchDownloadRequestList = try c.decode([BatchDownloadRequest].self, forKey: .batchDownloadRequestList)
        try decoder.validating { () throws(ModelDecodingError) in try validate() }
    }
}

/// One item of a batch download: a conversation, and optionally one recording of it
/// (`nil` = all its recordings).
public struct BatchDownloadRequest: Codable, Sendable, Hashable {
    /// The conversation.
    public var conversationId: GenesysID
    /// The recording, or `nil` for all recordings of the conversation.
    public var recordingId: GenesysID?

    /// Creates an item.
    public init(conversationId: GenesysID, recordingId: GenesysID? = nil) {
        self.conversationId = conversationId
        self.recordingId = recordingId
    }
}

/// Answer to a batch submission: the job id.
public struct BatchDownloadJobSubmissionResult: Codable, Sendable, Hashable {
    /// Job id.
    public var id: String
    /// API URI of the job.
    public var selfUri: String?

    /// Creates a result.
    public init(id: String, selfUri: String? = nil) {
        self.id = id
        self.selfUri = selfUri
    }
}

/// `GET /api/v2/recording/batchrequests/{jobId}` (only the submitting user may read it).
public struct BatchDownloadJobStatusResult: Codable, Sendable, Hashable {
    /// Id.
    public var id: String?
    /// Job id.
    public var jobId: String?
    /// How many results the job will produce.
    public var expectedResultCount: Int?
    /// How many results are ready.
    public var resultCount: Int?
    /// How many results are errors.
    public var errorCount: Int?
    /// Job status.
    public var status: BatchJobStatus?
    /// Results so far (a recording may have several).
    public var results: [BatchDownloadJobResult]?
    /// API URI.
    public var selfUri: String?

    /// Creates a status.
    public init(
        id: String? = nil, jobId: String? = nil, expectedResultCount: Int? = nil, resultCount: Int? = nil,
        errorCount: Int? = nil, status: BatchJobStatus? = nil, results: [BatchDownloadJobResult]? = nil
    ) {
        self.id = id
        self.jobId = jobId
        self.expectedResultCount = expectedResultCount
        self.resultCount = resultCount
        self.errorCount = errorCount
        self.status = status
        self.results = results
    }

    /// Done when `status` is `Completed`, or (the official tutorial's test) when
    /// `expectedResultCount == resultCount`.
    public var isComplete: Bool {
        if status == .completed { return true }
        if let expectedResultCount, let resultCount { return expectedResultCount == resultCount }
        return false
    }
}

/// Status of a batch job.
///
/// **Open**: an unknown status is treated as "not complete" and polled again (capped by the caller).
public enum BatchJobStatus: OpenStringEnum {
    /// `InProgress`.
    case inProgress
    /// `Completed`.
    case completed
    /// Any other wire value, kept verbatim.
    case other(String)

    /// Maps a wire string to a case.
    public init(rawValue: String) {
        switch rawValue {
        case "InProgress": self = .inProgress
        case "Completed": self = .completed
        default: self = .other(rawValue)
        }
    }

    /// The wire string.
    public var rawValue: String {
        switch self {
        case .inProgress: "InProgress"
        case .completed: "Completed"
        case let .other(value): value
        }
    }
}

/// One result of a batch job: a download URL or an error.
public struct BatchDownloadJobResult: Codable, Sendable, Hashable {
    /// Conversation id.
    public var conversationId: GenesysID?
    /// Recording id.
    public var recordingId: GenesysID?
    /// Pre-signed download URL (≤ 60 minutes; printed redacted).
    public var resultUrl: PresignedURL?
    /// MIME type of the download (the extension to use).
    public var contentType: String?
    /// Error message when this result failed.
    public var errorMsg: String?

    /// Creates a result.
    public init(
        conversationId: GenesysID? = nil, recordingId: GenesysID? = nil, resultUrl: PresignedURL? = nil,
        contentType: String? = nil, errorMsg: String? = nil
    ) {
        self.conversationId = conversationId
        self.recordingId = recordingId
        self.resultUrl = resultUrl
        self.contentType = contentType
        self.errorMsg = errorMsg
    }
}
