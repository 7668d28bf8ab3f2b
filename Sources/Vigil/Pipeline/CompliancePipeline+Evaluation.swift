import Foundation
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilVerdict

/// `recordingCompleted` / `recordingAvailable`: evaluate the recording once — claim it, wait for its
/// media, ask the engine (or reuse the verdict an earlier attempt stored), then remediate.
extension CompliancePipeline {
    /// A stage's disposition and, when the recording is settled for good, the status to store under its
    /// key (`nil` releases the claim, so the next delivery evaluates it again).
    struct Settled {
        let disposition: Disposition
        let status: KeyStatus?

        init(_ disposition: Disposition, _ status: KeyStatus? = nil) {
            self.disposition = disposition
            self.status = status
        }
    }

    func evaluate(
        _ leased: Leased<RecordingJob>, recordingId: GenesysID,
        _ trace: Trace
    ) async throws(CancellationError) -> Disposition {
        let key = configuration.keyPrefix + "recording:" + recordingId.rawValue
        let claim: ClaimResult
        do {
            claim = try await store.claim(key, fingerprint: KeyPurpose.evaluate.rawValue, lease: configuration.lease)
        } catch {
            return try storageFailure(error, leased)
        }
        let token: LeaseToken
        switch claim {
        case let .acquired(acquired):
            token = acquired
        case .completed, .conflict:
            trace.emit(.duplicateJob)
            return .ack
        case let .inProgress(until):
            let remaining = Duration.milliseconds(Int64(max(until.timeIntervalSince(now()), 1) * 1000))
            return .retry(after: min(remaining, configuration.busyRetryDelay), reason: "recording.inProgress")
        }
        let settled: Settled
        do throws(CancellationError) {
            settled = try await evaluateClaimed(leased, recordingId: recordingId, trace)
        } catch {
            try? await store.release(key, token: token)
            throw error
        }
        if case let .deadLetter(stage, code, reason, _) = settled.disposition {
            // Kept until the sink has stored the letter (see `settle`): should the sink fail, the
            // redelivered job is evaluated again rather than acknowledged as a duplicate.
            return .deadLetter(stage: stage, code: code, reason: reason, claim: HeldClaim(key: key, token: token))
        }
        if let status = settled.status {
            await complete(key, token: token, status)
        } else {
            try? await store.release(key, token: token)
        }
        return settled.disposition
    }

    /// The claimed part of ``evaluate(_:recordingId:_:)``.
    private func evaluateClaimed(
        _ leased: Leased<RecordingJob>, recordingId: GenesysID,
        _ trace: Trace
    ) async throws(CancellationError) -> Settled {
        let job = leased.job
        let recording: Recording
        switch try await awaitRecording(leased, recordingId: recordingId, trace) {
        case let .ready(ready): recording = ready
        case let .settled(disposition): return Settled(disposition)
        }

        // A verdict an earlier attempt of this job stored before remediating (its worker was cancelled or
        // crashed mid-remediation): reused, so the engine is called once per recording.
        let verdictKey = Self.verdictKey(recordingId)
        let earlier = await storedVerdict(verdictKey, recordingId: recordingId)
        if case let .stored(verdict) = earlier, let uri = recording.primaryMediaURI,
            let decided = try? evaluator.decide(verdict, for: makeRequest(job, recordingId: recordingId, recording: recording, uri: uri))
        {
            trace.emit(.verdictReused)
            return try await remediate(
                leased, recording: recording, recordingId: recordingId,
                validated: decided.0, decision: decided.1, trace)
        }
        let answer: EngineAnswer
        do throws(CancellationError) {
            answer = try await callEngine(leased, recordingId: recordingId, recording: recording, trace)
        } catch {
            if case let .claimed(token) = earlier { try? await store.release(verdictKey, token: token) }
            throw error
        }
        let outcome: ComplianceEvaluator.Outcome, engineDuration: Duration
        switch answer {
        case let .settled(disposition):
            if case let .claimed(token) = earlier { try? await store.release(verdictKey, token: token) }
            return Settled(disposition)
        case let .answered(answered, duration):
            (outcome, engineDuration) = (answered, duration)
        }
        if case let .claimed(token) = earlier {
            if case let .decided(validated, _) = outcome, let json = try? VigilJSON.encodeBytes(validated.verdict) {
                await complete(verdictKey, token: token, .verdictStored, details: ["verdict": String(decoding: json, as: UTF8.self)])
            } else {
                try? await store.release(verdictKey, token: token)
            }
        }

        switch outcome {
        case .pending:
            trace.emit(.verdictPending, duration: engineDuration)
            return Settled(.ack, .pending)
        case let .decided(validated, decision):
            let verdict = validated.verdict
            trace.emit(
                .verdict(verdict.verdict, violationType: verdict.violationType, confidence: verdict.confidenceScore),
                duration: engineDuration)
            trace.emit(.decision(action: decision.action, priority: decision.priority, ruleId: decision.ruleId))
            return try await remediate(
                leased, recording: recording, recordingId: recordingId,
                validated: validated, decision: decision, trace)
        }
    }

    // MARK: - The verdict an earlier attempt stored

    /// What an earlier attempt of a job left for its recording.
    enum EarlierVerdict {
        /// Its verdict, stored before remediation started.
        case stored(ComplianceVerdict)
        /// Nothing yet; this attempt holds the key until it has a verdict (then stores it) or gives up.
        case claimed(LeaseToken)
        /// Unknown (the store failed, or the key is held elsewhere): the engine is asked, nothing is stored.
        case unknown
    }

    /// `vigil.verdict:<recordingId>`: the validated verdict of a recording, kept from before its
    /// remediation starts until ``PipelineConfiguration/retain`` ends.
    static func verdictKey(_ recordingId: GenesysID) -> String { "vigil.verdict:\(recordingId.rawValue)" }

    private func storedVerdict(_ key: String, recordingId: GenesysID) async -> EarlierVerdict {
        switch try? await store.claim(key, fingerprint: KeyPurpose.verdict.rawValue, lease: configuration.lease) {
        case let .completed(outcome)?:
            guard let text = outcome.details["verdict"],
                let verdict = try? VigilJSON.decode(ComplianceVerdict.self, from: Array(text.utf8)),
                verdict.recordingId == recordingId
            else { return .unknown }
            return .stored(verdict)
        case let .acquired(token)?: return .claimed(token)
        default: return .unknown
        }
    }

    // MARK: - The engine

    enum EngineAnswer {
        case answered(ComplianceEvaluator.Outcome, Duration)
        case settled(Disposition)
    }

    /// Asks the engine (behind the evaluator) once. Its failures are dispositions: an expired media link
    /// goes back to the queue at once (the next delivery fetches the recording, and so a fresh link), a
    /// verdict the validator refused is dead-lettered.
    private func callEngine(
        _ leased: Leased<RecordingJob>, recordingId: GenesysID, recording: Recording,
        _ trace: Trace
    ) async throws(CancellationError) -> EngineAnswer {
        guard let uri = recording.primaryMediaURI else {
            return .settled(.retry(after: notReadyDelay(leased), reason: "recording.noMediaURI"))
        }
        let request = makeRequest(leased.job, recordingId: recordingId, recording: recording, uri: uri)
        let start = elapsed()
        do {
            return .answered(try await evaluator.evaluate(request), elapsed() - start)
        } catch let error as VerdictValidationError {
            trace.emit(.validationRejected(code: error.errorCode), duration: elapsed() - start)
            return .settled(.deadLetter(stage: "validate", code: error.errorCode, reason: error.description))
        } catch {
            let disposition = try self.disposition(for: error, stage: "engine", leased)
            if (error as? ComplianceEngineError)?.code == .mediaLinkExpired { trace.emit(.mediaLinkRefreshed) }
            var retryAfter: Duration?
            if case let .retry(after, _) = disposition { retryAfter = after }
            trace.emit(.engineFailed(code: code(of: error), retryAfter: retryAfter), duration: elapsed() - start)
            return .settled(disposition)
        }
    }

    private func makeRequest(
        _ job: RecordingJob, recordingId: GenesysID, recording: Recording,
        uri: PresignedURL
    ) -> ComplianceRequest {
        let requestedAt = now()
        let metadata = ComplianceRequestMetadata(
            channel: job.metadata?.mediaType ?? .voice, direction: job.metadata?.direction,
            mediaSubtype: recording.mediaSubtype, durationMs: recording.outputDurationMs,
            divisionId: job.metadata?.divisionId, queueId: job.metadata?.queueId, tokens: job.metadata?.tokens)
        return ComplianceRequest(
            correlationId: job.correlationId, recordingId: recordingId, conversationId: job.conversationId,
            media: MediaLink(
                uri: uri, expiresAt: requestedAt.addingTimeInterval(configuration.mediaLinkLifetime.seconds),
                format: .wav),
            metadata: metadata, requestedAt: requestedAt)
    }

    // MARK: - The media

    enum Awaited {
        case ready(Recording)
        case settled(Disposition)
    }

    /// Verifies that the recording's media is available before anything downloads it.
    ///
    /// One look first: a recording that is not even uploaded yet (or not there yet: 404) goes straight
    /// back to the queue instead of holding a worker; only transcoding (202), which takes seconds, is
    /// polled in place.
    private func awaitRecording(
        _ leased: Leased<RecordingJob>, recordingId: GenesysID,
        _ trace: Trace
    ) async throws(CancellationError) -> Awaited {
        let start = elapsed()
        let conversationId = leased.job.conversationId
        func notReady() -> Awaited {
            let delay = notReadyDelay(leased)
            trace.emit(.recordingNotReady(retryAfter: delay), duration: elapsed() - start)
            return .settled(.retry(after: delay, reason: GenesysAPIError.Code.recordingNotReady.description))
        }
        let availability: RecordingAvailability
        do {
            availability = try await client.recording(conversationId: conversationId, recordingId: recordingId)
        } catch let error as GenesysAPIError where error.code == .notFound {
            return notReady()
        } catch {
            return .settled(try disposition(for: error, stage: "awaitRecording", leased))
        }
        let recording: Recording
        switch availability {
        case let .ready(ready):
            recording = ready
        case .transcoding:
            do {
                recording = try await client.awaitRecording(
                    conversationId: conversationId, recordingId: recordingId,
                    options: configuration.recordingPoll)
            } catch let error as GenesysAPIError where error.code == .recordingNotReady {
                return notReady()
            } catch {
                return .settled(try disposition(for: error, stage: "awaitRecording", leased))
            }
        case .notReady:
            return notReady()
        case let .archived(gone), let .deleted(gone), let .failed(gone):
            let state = gone.fileState.map { " (fileState \($0.rawValue))" } ?? ""
            let code = GenesysAPIError.Code.recordingUnavailable.description
            return .settled(
                .deadLetter(
                    stage: "awaitRecording", code: code,
                    reason: "\(code): the recording's media will not become available\(state)"))
        }
        trace.emit(.recordingReady, duration: elapsed() - start)
        return .ready(recording)
    }
}
