import Foundation
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient

/// `conversationEnded`: one job per recording of the conversation, each enqueued once whatever the
/// redeliveries.
extension CompliancePipeline {
    func fanOut(_ leased: Leased<RecordingJob>, _ trace: Trace) async throws(CancellationError) -> Disposition {
        let job = leased.job
        let start = elapsed()
        let listing: ConversationRecordings
        do {
            listing = try await client.listRecordings(conversationId: job.conversationId, maxWait: configuration.listMaxWait)
        } catch {
            return try disposition(for: error, stage: "fanOut", leased)
        }
        var seen = Set<GenesysID>()
        let recordings = listing.recordings.filter { seen.insert($0.id).inserted }
        if recordings.isEmpty {
            trace.emit(.fannedOut(recordings: 0, enqueued: 0, alreadyEnqueued: 0), duration: elapsed() - start)
            if listing.isTranscoding || leased.deliveryCount < configuration.fanOutAttempts {
                let delay = notReadyDelay(leased)
                trace.emit(.recordingNotReady(retryAfter: delay))
                return .retry(after: delay, reason: "conversation.noRecordingsYet")
            }
            return .ack
        }
        var enqueued = 0, already = 0, busy = false
        for recording in recordings {
            let key = configuration.keyPrefix + "fanout:" + recording.id.rawValue
            let claim: ClaimResult
            do {
                claim = try await store.claim(key, fingerprint: KeyPurpose.fanOut.rawValue, lease: configuration.lease)
            } catch {
                return try storageFailure(error, leased)
            }
            switch claim {
            case let .acquired(token):
                let child = RecordingJob(
                    conversationId: job.conversationId, recordingId: recording.id,
                    kind: .recordingAvailable,
                    correlationId: Self.childCorrelation(job.correlationId, recording.id),
                    receivedAt: job.receivedAt, metadata: job.metadata)
                do {
                    try await queue.enqueue(child, notBefore: nil)
                } catch {
                    try? await store.release(key, token: token)
                    return try storageFailure(error, leased)
                }
                await complete(key, token: token, .enqueued)
                enqueued += 1
            case .completed, .conflict:
                already += 1
            case .inProgress:
                busy = true
            }
        }
        trace.emit(
            .fannedOut(recordings: recordings.count, enqueued: enqueued, alreadyEnqueued: already),
            duration: elapsed() - start)
        if busy || listing.isTranscoding {
            return .retry(after: notReadyDelay(leased), reason: "conversation.fanOutIncomplete")
        }
        return .ack
    }

    /// `<parent correlation>:<recordingId>` (truncated to fit 128 characters).
    static func childCorrelation(_ parent: CorrelationID, _ recordingId: GenesysID) -> CorrelationID {
        let suffix = ":" + recordingId.rawValue
        return CorrelationID(String(parent.rawValue.prefix(128 - suffix.count)) + suffix) ?? parent
    }
}
