import Foundation
import VigilCore
import VigilModels

extension GenesysCloudClient {
    // MARK: Listing and metadata

    /// `GET /api/v2/conversations/{conversationId}/recordings?maxWaitMs=…&formatId=…`.
    ///
    /// The platform itself waits up to `maxWait` for the recordings to be ready; the request timeout is
    /// stretched to cover that wait. A `202` ("recording is transcoding") is returned as
    /// ``ConversationRecordings/isTranscoding`` with whatever recordings its body held (possibly none).
    ///
    /// - Parameter maxWait: 0–60 s (default 5 s, the platform default).
    public func listRecordings(
        conversationId: GenesysID, format: RecordingFormat = .wav,
        maxWait: Duration = .seconds(5)
    ) async throws -> ConversationRecordings {
        guard maxWait >= .zero, maxWait <= .seconds(60) else {
            throw GenesysAPIError.invalidInput("maxWait", "must be between 0 and 60 seconds")
        }
        let format = try Self.checkedFormat(format)
        let waitMs = maxWait.components.seconds * 1000 + maxWait.components.attoseconds / 1_000_000_000_000_000
        let timeout = configuration.requestTimeout.map { max($0, maxWait + .seconds(10)) }
        return try await call(
            .get, "/api/v2/conversations/\(conversationId.rawValue)/recordings",
            query: "?maxWaitMs=\(waitMs)&formatId=\(format.rawValue)", timeout: timeout
        ) { raw in
            if raw.status == 202 {
                let recordings = (try? VigilJSON.decode([Recording].self, from: raw.body)) ?? []
                return ConversationRecordings(recordings: recordings, isTranscoding: true)
            }
            return ConversationRecordings(recordings: try Self.decode([Recording].self, raw), isTranscoding: false)
        }
    }

    /// `GET /api/v2/conversations/{conversationId}/recordingmetadata` (no playable media).
    public func recordingMetadata(conversationId: GenesysID) async throws -> [RecordingMetadata] {
        try await call(.get, "/api/v2/conversations/\(conversationId.rawValue)/recordingmetadata") { raw in
            try Self.decode([RecordingMetadata].self, raw)
        }
    }

    /// `GET /api/v2/conversations/{conversationId}/recordingmetadata/{recordingId}`.
    public func recordingMetadata(conversationId: GenesysID, recordingId: GenesysID) async throws -> RecordingMetadata {
        try await call(.get, "/api/v2/conversations/\(conversationId.rawValue)/recordingmetadata/\(recordingId.rawValue)") {
            raw in try Self.decode(RecordingMetadata.self, raw)
        }
    }

    // MARK: One recording

    /// `GET /api/v2/conversations/{conversationId}/recordings/{recordingId}?formatId=…`, classified.
    ///
    /// `202` ⇒ ``RecordingAvailability/transcoding(estimate:)`` (the body may be a `Recording`, partial,
    /// or empty — all accepted); `200` ⇒ ready, not ready, or a terminal `fileState`. See
    /// ``RecordingAvailability``.
    public func recording(
        conversationId: GenesysID, recordingId: GenesysID,
        format: RecordingFormat = .wav
    ) async throws -> RecordingAvailability {
        let format = try Self.checkedFormat(format)
        let path = "/api/v2/conversations/\(conversationId.rawValue)/recordings/\(recordingId.rawValue)"
        return try await call(.get, path, query: "?formatId=\(format.rawValue)") { raw in
            if raw.status == 202 {
                let estimate = (try? JSONDecoder().decode(TranscodeEstimate.self, from: Data(raw.body)))?
                    .estimatedTranscodeTimeMs
                return .transcoding(estimate: estimate.flatMap { $0 > 0 ? .milliseconds($0) : nil })
            }
            return Self.availability(of: try Self.decode(Recording.self, raw))
        }
    }

    /// Classifies a `200` recording.
    static func availability(of recording: Recording) -> RecordingAvailability {
        switch recording.fileState {
        case .archived?: return .archived(recording)
        case .deleted?: return .deleted(recording)
        case .error?: return .failed(recording)
        case nil, .available?, .restored?:
            return recording.primaryMediaURI != nil ? .ready(recording) : .notReady(recording)
        default:
            return .notReady(recording)
        }
    }

    /// Polls ``recording(conversationId:recordingId:format:)`` until the media is ready.
    ///
    /// Waits start at ``RecordingPollOptions/initialDelay`` and double up to
    /// ``RecordingPollOptions/maxDelay``; when a `202` carries `estimatedTranscodeTimeMs`, that estimate
    /// (clamped to the same bounds) is used instead. All waits run on the client's clock.
    ///
    /// - Throws: ``GenesysAPIError/Code/recordingUnavailable`` for `ARCHIVED`/`DELETED`/`ERROR`;
    ///   ``GenesysAPIError/Code/recordingNotReady`` when ``RecordingPollOptions/limit`` would be exceeded;
    ///   any non-retryable API error.
    public func awaitRecording(
        conversationId: GenesysID, recordingId: GenesysID, format: RecordingFormat = .wav,
        options: RecordingPollOptions = RecordingPollOptions()
    ) async throws -> Recording {
        guard options.initialDelay > .zero, options.maxDelay >= options.initialDelay, options.limit >= .zero else {
            throw GenesysAPIError.invalidInput("options", "needs initialDelay > 0, maxDelay >= initialDelay, limit >= 0")
        }
        _ = try Self.checkedFormat(format)
        let start = driver.elapsed()
        var delay = options.initialDelay
        var lastState: FileState?
        var polls = 0
        while true {
            var estimate: Duration?
            polls += 1
            do {
                switch try await recording(conversationId: conversationId, recordingId: recordingId, format: format) {
                case let .ready(recording):
                    return recording
                case let .transcoding(transcodeEstimate):
                    estimate = transcodeEstimate
                case let .notReady(recording):
                    lastState = recording.fileState
                case let .archived(recording), let .deleted(recording), let .failed(recording):
                    throw GenesysAPIError(
                        code: .recordingUnavailable, status: 200,
                        detail: "the recording's media will not become available",
                        fileState: recording.fileState)
                }
            } catch let error as GenesysAPIError where error.code == .notFound && options.notFoundIsPending {
                lastState = nil
            }
            var wait = delay
            if let estimate { wait = min(max(estimate, options.initialDelay), options.maxDelay) }
            if driver.elapsed() - start + wait > options.limit {
                throw GenesysAPIError(
                    code: .recordingNotReady,
                    detail: "media not ready after \(polls) polls within \(options.limit)",
                    fileState: lastState)
            }
            try await driver.sleep(for: wait)
            delay = min(delay * 2, options.maxDelay)
        }
    }

    // MARK: Media

    /// Streams the recording's media from its pre-signed URL (no bearer token is sent to the media host).
    ///
    /// The returned body streams straight from the transport; the client holds no more than the chunk
    /// in flight, whatever the size. When the media host refuses the URL with `403`/`404` (the URL
    /// expired — they live ≤ 60 minutes — or the file is not there yet), the recording is fetched again
    /// for a fresh URL. `5xx`/`429`/connection failures are retried like any safe call. A body that ends
    /// short of `Content-Length` or fails mid-way is **resumed** (``ResumableDownload``): the rest is
    /// asked for with `Range: bytes=<delivered>-`, through a fresh URL if the old one expired meanwhile,
    /// up to three times — the consumer sees one unbroken stream.
    ///
    /// - Parameters:
    ///   - recording: a ready recording (from ``awaitRecording(conversationId:recordingId:format:options:)``).
    ///   - format: the format to ask for when re-fetching.
    ///   - key: the `mediaUris` key to use (`"S"`, `"0"`…); `nil` for ``Recording/primaryMediaURI``.
    /// - Throws: ``GenesysAPIError/Code/mediaExpired`` when the fresh URL fails too; the body throws
    ///   ``GenesysAPIError/Code/mediaTruncated`` if it cannot be completed (more than three cuts, a
    ///   range answer that does not continue where it stopped, a body longer than announced).
    public func downloadMedia(
        of recording: Recording, format: RecordingFormat = .wav,
        key: String? = nil
    ) async throws -> MediaDownload {
        let state = Locked(MediaURL(recording: recording))
        let (response, body) = try await fetchMedia(state, format: format, key: key, from: 0)
        let stream = ResumableDownload(
            response: response, body: body,
            fetch: { start in
                try await self.fetchMedia(state, format: format, key: key, from: start)
            },
            exhausted: { delivered, length, reason in
                GenesysAPIError(
                    code: .mediaTruncated,
                    detail: "media stream: \(reason) (\(delivered) of \(length.map(String.init) ?? "?") bytes)")
            })
        let first = state.withLock { $0 }
        return MediaDownload(
            body: HTTPBody(stream, length: stream.length.map { .known($0) } ?? .unknown),
            contentType: response.headerFields["Content-Type"], length: stream.length,
            recording: first.recording, refetchedURL: first.refreshes > 0)
    }

    /// One GET of the media — from byte `start` with a `Range` header when `start` > 0 — fetching the
    /// recording again for a fresh URL when the media host refuses the current one (403/404: expired),
    /// at most twice per download (once before it starts, once mid-way).
    func fetchMedia(
        _ state: Locked<MediaURL>, format: RecordingFormat, key: String?,
        from start: Int64
    ) async throws -> (HTTPResponse, HTTPBody?) {
        while true {
            let current = state.withLock { $0.recording }
            let uri: PresignedURL? = key.map { current.mediaUris?[$0]?.mediaUri ?? nil } ?? current.primaryMediaURI
            guard let uri else {
                throw GenesysAPIError.invalidInput("recording.mediaUris", "the recording has no media URI; await it first")
            }
            let (response, body) = try await fetchPresigned(uri.url, from: start)
            if response.isSuccess { return (response, body) }
            guard response.status == 403 || response.status == 404 else {
                throw makeError(
                    status: response.status, headers: response.headerFields, body: [],
                    request: "GET \(uri.url.redactedForLogging)", token: nil)
            }
            // Once before the download starts, once more mid-way.
            guard state.withLock({ $0.refreshes }) < (start == 0 ? 1 : 2), let conversationId = current.conversationId else {
                throw GenesysAPIError(
                    code: .mediaExpired, status: response.status,
                    detail: "the media URL was refused even after fetching a fresh one",
                    request: "GET \(uri.url.redactedForLogging)")
            }
            switch try await self.recording(conversationId: conversationId, recordingId: current.id, format: format) {
            case let .ready(fresh):
                state.withLock { $0.refresh(to: fresh) }
            case let .archived(r), let .deleted(r), let .failed(r):
                throw GenesysAPIError(
                    code: .recordingUnavailable, status: 200,
                    detail: "the recording's media is no longer available", fileState: r.fileState)
            case .transcoding, .notReady:
                throw GenesysAPIError(
                    code: .mediaExpired, status: response.status,
                    detail: "the media URL expired and the recording is not ready again yet",
                    request: "GET \(uri.url.redactedForLogging)")
            }
        }
    }

    /// GET of a pre-signed URL, without `Authorization`, retrying 429/5xx/connection failures. 403/404 and
    /// success are returned to the caller with the body unread.
    func fetchPresigned(_ url: URL, from start: Int64 = 0) async throws -> (HTTPResponse, HTTPBody?) {
        let request = ResumableDownload.rangeRequest(for: url, from: start, timeout: configuration.requestTimeout)
        let transport = self.transport
        do {
            let result: UncheckedResponse = try await driver.retrying(
                policy: configuration.retryPolicy, deadline: configuration.callDeadline,
                classify: { Self.classify($0, retryAll: true) },
                operation: { _ in
                    let (response, body) = try await transport.send(request, body: nil)
                    if response.isSuccess || response.status == 403 || response.status == 404 {
                        return UncheckedResponse(response: response, body: body)
                    }
                    let bytes = (try? await body?.collect(upTo: 1 << 16)) ?? []
                    _ = bytes
                    throw self.makeError(
                        status: response.status, headers: response.headerFields, body: [],
                        request: request.description, token: nil)
                })
            return (result.response, result.body)
        } catch let error as HTTPTransportError {
            throw GenesysAPIError(code: .transport, detail: error.code.description, request: error.request)
        }
    }

    // MARK: Batch download

    /// `POST /api/v2/recording/batchrequests`: 1–100 recordings (or whole conversations) to download.
    ///
    /// Retried like a safe call: a duplicate job only costs a job, never a duplicate effect.
    public func submitBatchDownload(_ requests: [BatchDownloadRequest]) async throws -> BatchDownloadJobSubmissionResult {
        let submission: BatchDownloadJobSubmission
        do {
            submission = try BatchDownloadJobSubmission(requests)
        } catch {
            throw GenesysAPIError.invalidInput("requests", error.reason)
        }
        let body = try Self.encode(submission, field: "requests")
        return try await call(.post, "/api/v2/recording/batchrequests", body: body) { raw in
            try Self.decode(BatchDownloadJobSubmissionResult.self, raw)
        }
    }

    /// `GET /api/v2/recording/batchrequests/{jobId}`.
    public func batchDownloadStatus(jobId: String) async throws -> BatchDownloadJobStatusResult {
        let jobId = try Self.segment(jobId, field: "jobId")
        return try await call(.get, "/api/v2/recording/batchrequests/\(jobId)") { raw in
            try Self.decode(BatchDownloadJobStatusResult.self, raw)
        }
    }

    /// Polls ``batchDownloadStatus(jobId:)`` every `interval` (the official tutorial uses 5 s) until the
    /// job is complete.
    ///
    /// - Throws: ``GenesysAPIError/Code/batchNotComplete`` when `limit` would be exceeded.
    public func awaitBatchDownload(
        jobId: String, interval: Duration = .seconds(5),
        limit: Duration = .seconds(600)
    ) async throws -> BatchDownloadJobStatusResult {
        _ = try Self.segment(jobId, field: "jobId")
        guard interval > .zero else { throw GenesysAPIError.invalidInput("interval", "must be positive") }
        let start = driver.elapsed()
        while true {
            let status = try await batchDownloadStatus(jobId: jobId)
            if status.isComplete { return status }
            if driver.elapsed() - start + interval > limit {
                throw GenesysAPIError(code: .batchNotComplete, detail: "batch job not complete within \(limit)")
            }
            try await driver.sleep(for: interval)
        }
    }

    static func checkedFormat(_ format: RecordingFormat) throws(GenesysAPIError) -> RecordingFormat {
        guard !format.rawValue.isEmpty,
            format.rawValue.utf8.allSatisfy({
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F
            })
        else {
            throw .invalidInput("format", "must be an upper-case format id such as WAV")
        }
        return format
    }
}

/// The `estimatedTranscodeTimeMs` of a 202 body, read leniently.
struct TranscodeEstimate: Decodable {
    let estimatedTranscodeTimeMs: Int64?
}

/// A response head and its unread body, moved out of a retry closure.
struct UncheckedResponse: Sendable {
    let response: HTTPResponse
    let body: HTTPBody?
}

/// The recording whose media URL a download uses, replaced when the URL is refreshed mid-way.
struct MediaURL: Sendable {
    var recording: Recording
    /// How many times the recording was fetched again for a fresh URL.
    var refreshes = 0

    mutating func refresh(to fresh: Recording) {
        recording = fresh
        refreshes += 1
    }
}
