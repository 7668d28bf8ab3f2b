import Foundation
import Testing
import VigilCore
import VigilModels
import VigilPlatformClient
import VigilTesting

@Suite("Recordings: 202 semantics, polling, media")
struct RecordingTests {
    @Test func transcodingThenReady() async throws {
        let h = Harness(faults: .init(transcodingPolls: 1, transcodeEstimateMs: 3_500))
        let (cid, rid) = await h.cloud.addRecording()
        #expect(try await h.client.recording(conversationId: cid, recordingId: rid) == .transcoding(estimate: .milliseconds(3_500)))
        guard case let .ready(recording) = try await h.client.recording(conversationId: cid, recordingId: rid) else {
            Issue.record("expected ready"); return
        }
        #expect(recording.id == rid && recording.primaryMediaURI != nil)
        #expect(await h.apiRequests().map(\.status) == [202, 200])
    }

    @Test func emptyTranscodingBodyIsStillTranscoding() async throws {
        let h = Harness(faults: .init(transcodingPolls: 1, emptyTranscodingBody: true))
        let (cid, rid) = await h.cloud.addRecording()
        #expect(try await h.client.recording(conversationId: cid, recordingId: rid) == .transcoding(estimate: nil))
    }

    @Test func terminalAndNotReadyFileStates() async throws {
        let h = Harness()
        let cases: [(FileState, String)] = [
            (.archived, "archived"), (.deleted, "deleted"), (.error, "failed"),
            (.uploading, "notReady"), (.restoring, "notReady")
        ]
        for (state, expected) in cases {
            let (cid, rid) = await h.cloud.addRecording(fileState: state)
            let availability = try await h.client.recording(conversationId: cid, recordingId: rid)
            let name =
                switch availability {
                case .archived: "archived"
                case .deleted: "deleted"
                case .failed: "failed"
                case .notReady: "notReady"
                case .ready: "ready"
                case .transcoding: "transcoding"
                }
            #expect(name == expected, "\(state)")
            #expect(availability.recording?.mediaUris == nil)
        }
    }

    @Test func awaitRecordingPollsWithCappedBackoffOnTheClock() async throws {
        let h = Harness(faults: .init(transcodingPolls: 3, transcodeEstimateMs: nil))
        let (cid, rid) = await h.cloud.addRecording()
        let client = h.client
        let options = RecordingPollOptions(initialDelay: .seconds(1), maxDelay: .seconds(3), limit: .seconds(60))
        let recording = try await h.drive {
            try await client.awaitRecording(conversationId: cid, recordingId: rid, options: options)
        }
        #expect(recording.isMediaReady)
        #expect(h.clock.now.offset == .seconds(1 + 2 + 3))
        #expect(await h.apiRequests().map(\.status) == [202, 202, 202, 200])
    }

    @Test func awaitRecordingUsesTheTranscodeEstimate() async throws {
        let h = Harness(faults: .init(transcodingPolls: 2, transcodeEstimateMs: 4_000))
        let (cid, rid) = await h.cloud.addRecording()
        let client = h.client
        _ = try await h.drive { try await client.awaitRecording(conversationId: cid, recordingId: rid) }
        #expect(h.clock.now.offset == .seconds(8))
    }

    @Test func awaitRecordingGivesUpAtTheLimit() async throws {
        let h = Harness(faults: .init(transcodingPolls: 1_000))
        let (cid, rid) = await h.cloud.addRecording()
        let client = h.client
        let options = RecordingPollOptions(initialDelay: .seconds(1), maxDelay: .seconds(4), limit: .seconds(20))
        let error = await apiError {
            _ = try await h.drive { try await client.awaitRecording(conversationId: cid, recordingId: rid, options: options) }
        }
        #expect(error?.code == .recordingNotReady && error?.isRetryable == true)
        #expect(h.clock.now.offset <= .seconds(20))
    }

    @Test func awaitRecordingSurfacesTerminalStates() async throws {
        let h = Harness()
        let (cid, rid) = await h.cloud.addRecording(fileState: .deleted)
        let error = await apiError { _ = try await h.client.awaitRecording(conversationId: cid, recordingId: rid) }
        #expect(error?.code == .recordingUnavailable && error?.fileState == .deleted && error?.isRetryable == false)
    }

    @Test func awaitRecordingTreats404AsPending() async throws {
        let h = Harness()
        let (cid, rid) = await h.cloud.addRecording()
        await h.cloud.failNext(2, status: 404, pathContains: "/recordings/")
        let client = h.client
        _ = try await h.drive { try await client.awaitRecording(conversationId: cid, recordingId: rid) }
        #expect(await h.apiRequests().map(\.status) == [404, 404, 200])
    }

    @Test func listRecordingsPassesMaxWaitAndReports202() async throws {
        let h = Harness(faults: .init(transcodingPolls: 1))
        let cid = GenesysID.random()
        await h.cloud.addRecording(conversationId: cid)
        await h.cloud.addRecording(conversationId: cid)
        let first = try await h.client.listRecordings(conversationId: cid, maxWait: .milliseconds(2_500))
        #expect(first.isTranscoding && first.recordings.count == 2)
        let second = try await h.client.listRecordings(conversationId: cid)
        #expect(!second.isTranscoding && second.recordings.allSatisfy(\.isMediaReady))
        let metadata = try await h.client.recordingMetadata(conversationId: cid)
        #expect(metadata.count == 2)
    }

    @Test func oneGibibyteStreamsWithBoundedMemory() async throws {
        let size: Int64 = 1 << 30
        let chunk = 8 << 20
        let h = Harness(configure: { $0.mediaChunkSize = chunk })
        let (cid, rid) = await h.cloud.addRecording(media: .synthetic(size: size, seed: 3))
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        let download = try await h.client.downloadMedia(of: recording)
        #expect(download.length == size)
        var total: Int64 = 0
        var largest = 0
        var stampsChecked = 0
        for try await bytes in download.body {
            largest = max(largest, bytes.count)
            // Every chunk starts on a 64 KiB boundary stamped with its own offset.
            let stamp = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            #expect(stamp == UInt64(total))
            stampsChecked += 1
            total += Int64(bytes.count)
        }
        #expect(total == size)
        #expect(largest <= chunk)
        #expect(stampsChecked == Int(size) / chunk)
        #expect(await h.requests().last.map { $0.host == .media && !$0.hadAuthorization } == true)
    }

    @Test func expiredMediaURLIsRefetchedOnce() async throws {
        let h = Harness(faults: .init(expiredMediaURLs: 1))
        let media = Array("RIFF-some-audio-bytes".utf8)
        let (cid, rid) = await h.cloud.addRecording(media: .bytes(media))
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        let download = try await h.client.downloadMedia(of: recording)
        #expect(download.refetchedURL)
        #expect(try await download.body.collect(upTo: 1 << 10) == media)
        #expect(await h.requests().compactMap { $0.host == .media ? $0.status : nil } == [403, 200])
    }

    @Test func mediaURLThatExpiresLaterIsRefetched() async throws {
        let h = Harness(configure: { $0.mediaURLLifetime = .seconds(120) })
        let (cid, rid) = await h.cloud.addRecording()
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        h.clock.advance(by: .seconds(121))
        let download = try await h.client.downloadMedia(of: recording)
        #expect(download.refetchedURL)
        _ = try await download.body.collect(upTo: 1 << 10)
    }

    @Test func media404BeforeReadyIsSurvivedOrSurfaced() async throws {
        let once = Harness(faults: .init(mediaNotFoundFetches: 1))
        let (cid, rid) = await once.cloud.addRecording()
        let recording = try await once.client.awaitRecording(conversationId: cid, recordingId: rid)
        #expect(try await once.client.downloadMedia(of: recording).refetchedURL)

        let twice = Harness(faults: .init(mediaNotFoundFetches: 2))
        let (cid2, rid2) = await twice.cloud.addRecording()
        let recording2 = try await twice.client.awaitRecording(conversationId: cid2, recordingId: rid2)
        let error = await apiError { _ = try await twice.client.downloadMedia(of: recording2) }
        #expect(error?.code == .mediaExpired && error?.status == 404)
        #expect(!(error.map(String.init(describing:)) ?? "").contains("X-Amz-Signature"))
    }

    @Test func truncatedMediaIsResumedWithARangeRequest() async throws {
        let h = Harness(faults: .init(truncatedMediaFetches: 1), configure: { $0.mediaChunkSize = 1 << 10 })
        let size: Int64 = 64 << 10
        let (cid, rid) = await h.cloud.addRecording(media: .synthetic(size: size))
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        let download = try await h.client.downloadMedia(of: recording)
        let bytes = try await download.body.collect(upTo: 1 << 20)
        #expect(Int64(bytes.count) == size)
        // The same bytes a clean download gives, in order: the stamps prove no byte was read twice.
        let clean = Harness(configure: { $0.mediaChunkSize = 1 << 10 })
        let (cid2, rid2) = await clean.cloud.addRecording(media: .synthetic(size: size))
        let whole = try await clean.client.downloadMedia(of: try await clean.client.awaitRecording(conversationId: cid2, recordingId: rid2))
        #expect(try await whole.body.collect(upTo: 1 << 20) == bytes)
        // The rest was asked for from the byte the consumer had got to: half way.
        #expect(await h.cloud.mediaRanges(recordingId: rid) == [size / 2])
        #expect(await h.requests().compactMap { $0.host == .media ? $0.status : nil } == [200, 206])
    }

    @Test func aLinkThatExpiresMidDownloadIsRefreshedAndResumed() async throws {
        let h = Harness(faults: .init(mediaURLExpiresMidDownload: 1), configure: { $0.mediaChunkSize = 1 << 10 })
        let size: Int64 = 32 << 10
        let (cid, rid) = await h.cloud.addRecording(media: .synthetic(size: size))
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        let download = try await h.client.downloadMedia(of: recording)
        #expect(!download.refetchedURL, "the first link worked when the download started")
        #expect(Int64(try await download.body.collect(upTo: 1 << 20).count) == size)
        // Cut half way, the old link refused (403), the recording fetched again, the rest ranged.
        #expect(await h.requests().compactMap { $0.host == .media ? $0.status : nil } == [200, 403, 206])
        #expect(await h.cloud.mediaRanges(recordingId: rid) == [size / 2], "the refused request is not served")
    }

    @Test func mediaThatKeepsBeingCutIsATypedError() async throws {
        let h = Harness(faults: .init(truncatedMediaFetches: 10), configure: { $0.mediaChunkSize = 1 << 10 })
        let (cid, rid) = await h.cloud.addRecording(media: .synthetic(size: 64 << 10))
        let recording = try await h.client.awaitRecording(conversationId: cid, recordingId: rid)
        let download = try await h.client.downloadMedia(of: recording)
        let error = await apiError { _ = try await download.body.collect(upTo: 1 << 20) }
        #expect(error?.code == .mediaTruncated && error?.isRetryable == true)
        #expect(await h.cloud.mediaRanges(recordingId: rid).count == 3, "three resumes, then the typed error")
        #expect(!(error.map(String.init(describing:)) ?? "").contains("X-Amz-Signature"))
    }

    @Test func batchDownloadSubmitAndPoll() async throws {
        let h = Harness(configure: { $0.batchPollsUntilComplete = 2 })
        let (cid, rid) = await h.cloud.addRecording()
        let job = try await h.client.submitBatchDownload([BatchDownloadRequest(conversationId: cid, recordingId: rid)])
        let client = h.client
        let status = try await h.drive { try await client.awaitBatchDownload(jobId: job.id, interval: .seconds(5)) }
        #expect(status.isComplete && status.results?.first?.resultUrl != nil)
        #expect(h.clock.now.offset == .seconds(10))
    }
}

@Suite("Simulator served on one origin")
struct OneOriginSimulatorTests {
    /// `vigil-service simulate-platform` serves API, login and media on one loopback port: the hosts are
    /// then told apart by path, and issued media URLs carry the media base's path.
    @Test func apiLoginAndMediaShareOneOrigin() async throws {
        let h = Harness(configure: {
            $0.apiBase = URL(string: "http://127.0.0.1:8900")!
            $0.mediaBase = URL(string: "http://127.0.0.1:8900/_media")!
        })
        let media = Array("RIFF-one-origin".utf8)
        let (cid, rid) = await h.cloud.addRecording(media: .bytes(media))
        guard case let .ready(recording) = try await h.client.recording(conversationId: cid, recordingId: rid) else {
            Issue.record("expected ready"); return
        }
        let uri = try #require(recording.primaryMediaURI?.url)
        #expect(uri.absoluteString.hasPrefix("http://127.0.0.1:8900/_media/"))
        let download = try await h.client.downloadMedia(of: recording)
        #expect(try await download.body.collect(upTo: 1 << 16) == media)
        let hosts = await h.requests().map { "\($0.host.rawValue) \($0.path.hasPrefix("/_media/") ? "/_media" : $0.path)" }
        #expect(
            hosts == [
                "login /oauth/token", "api /api/v2/conversations/\(cid.rawValue)/recordings/\(rid.rawValue)",
                "media /_media"
            ])
    }

    @Test func aPathOutsideTheMediaBaseIsNotMedia() async throws {
        let h = Harness(configure: {
            $0.apiBase = URL(string: "http://127.0.0.1:8900")!
            $0.mediaBase = URL(string: "http://127.0.0.1:8900/_media")!
        })
        let (response, _) = try await h.cloud.send(
            HTTPRequest(method: .get, url: URL(string: "http://127.0.0.1:8900/_mediax/a/b")!),
            body: nil)
        #expect(response.status == 401)  // the API host: no bearer token
        #expect(await h.requests().last?.host == .api)
    }
}
