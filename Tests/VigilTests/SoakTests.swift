import Foundation
import Testing
import Vigil
import VigilCore
import VigilModels
import VigilRemediation
import VigilTesting
import VigilVerdict

/// The bounded soak: 10 000 recordings through the whole pipeline on a simulated organisation with
/// ~20 % of them meeting a trap (transcoding, 429/5xx/login bursts, dropped connections, token expiry,
/// expired media links, engine overload, recordings deleted or still uploading), every event delivered
/// three times, and a worker cancelled in the middle of a remediation (right after the platform created
/// the work item) every 500 jobs.
///
/// The engine is scripted (it decides from the recording id, after fetching the media link) so the
/// soak measures the pipeline, not DSP on 10 000 WAV files; `vigil demo` runs the real analysis.
/// `VIGIL_SOAK_RECORDINGS` overrides the count for local experiments.
@Suite struct SoakTests {
    @Test func tenThousandRecordingsExactlyOnce() async throws {
        let count = ProcessInfo.processInfo.environment["VIGIL_SOAK_RECORDINGS"].flatMap(Int.init) ?? 10_000
        let faults = SimulatedGenesysCloud.Faults(
            transcodingPolls: 0, transcodeEstimateMs: 1_500, expiredMediaURLs: 20,
            rateLimitBursts: .init(probability: 0.04, length: 2, statuses: [429], retryAfterSeconds: 1),
            serverErrorBursts: .init(probability: 0.04, length: 2, statuses: [502, 503, 504]),
            loginBursts: .init(probability: 0.2, length: 1, statuses: [503]),
            connectionFailureProbability: 0.02, tokenExpiresAfterRequests: 997)
        let box = SetBox()
        let flaky = FlakySet()
        let h = Harness(
            faults: faults, engine: { _, cloud in SoakEngine(box: box, flaky: flaky, transport: cloud) },
            workers: 16, crashEvery: 500, seed: 2026)

        var random = SplitMix64(seed: 42)
        var violating = Set<GenesysID>()
        var flakyIds = Set<GenesysID>()
        var recordings: [(GenesysID, GenesysID)] = []
        var conversationEnds: [GenesysID] = []
        var deleted = Set<GenesysID>()
        var uploading: [(GenesysID, Duration)] = []
        for index in 0..<count {
            let roll = random.next() % 100
            let polls = roll < 20 ? Int(1 + random.next() % 3) : 0  // 20 % still transcoding
            // 0.5 % deleted before Vigil gets to them (dead-lettered, never lost); 0.4 % still uploading
            // for ten minutes (the job goes back to the queue until the media exists).
            let state: FileState = index % 200 == 7 ? .deleted : index % 250 == 11 ? .uploading : .available
            let (cid, rid) = await h.cloud.addRecording(fileState: state, transcodingPolls: polls)
            recordings.append((cid, rid))
            if state == .deleted { deleted.insert(rid) }
            if state == .uploading { uploading.append((rid, Duration.milliseconds(50 * index) + .seconds(600))) }
            if index % 10 == 3 { violating.insert(rid) }
            if random.next() % 100 < 5 { flakyIds.insert(rid) }  // 5 % engine overloads
            if random.next() % 100 < 10 { conversationEnds.append(cid) }  // 10 % also send the conversation end
        }
        box.set(violating)
        flaky.set(flakyIds)

        // 20 recordings a simulated second; each event three times: at once, the same delivery id again
        // 2 s later, and under a new delivery id 7 s later.
        var arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []
        for (index, (cid, rid)) in recordings.enumerated() {
            let at = Duration.milliseconds(50 * index)
            let body = Events.recording(
                "recordingCompleted", conversationId: cid, recordingId: rid,
                deliveryId: "d\(index)", correlationId: "soak-\(index)")
            arrivals.append((at, { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((at + .seconds(2), { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((at + .seconds(7), { _ = await h.deliver(body, id: "msg_\(index)_r") }))
        }
        for (index, cid) in conversationEnds.enumerated() {
            let body = Events.conversationEnded(conversationId: cid)
            let at = Duration.seconds(index % 500)
            for copy in 0..<3 {
                arrivals.append((at + .seconds(3 * copy), { _ = await h.deliver(body, id: "end_\(index)_\(copy % 2)") }))
            }
        }

        let cloud = h.cloud
        for (rid, at) in uploading {
            arrivals.append((at, { await cloud.setFileState(.available, recordingId: rid) }))
        }

        let started = ContinuousClock.now
        await h.run(arrivals: arrivals)
        let elapsed = ContinuousClock.now - started

        let s = h.statistics.snapshot
        let workitems = await h.cloud.workitems
        var perTag: [String: Int] = [:]
        for item in workitems { perTag[item.externalTag ?? "-", default: 0] += 1 }
        let tagOf = { (rid: GenesysID) in RemediationPlanner.workitemExternalTag(recordingId: rid, blockId: "create_work_item") }
        let verdicts = h.ledger.verdictCounts
        let flags = h.ledger.flagCounts

        print(
            """
            soak: \(count) recordings in \(elapsed) (simulated \(h.clock.now.offset)); deliveries \(s.deliveries), \
            accepted \(s.accepted), duplicates \(s.duplicateDeliveries), leased \(s.leased), retries \(s.retries), \
            not-ready \(s.notReadyRetries), links refreshed \(s.mediaLinksRefreshed), engine failures \(s.engineFailures), \
            released \(s.released), crashes \(h.crash?.firedCount ?? 0), duplicate jobs \(s.duplicateJobs), \
            fan-out \(s.fannedOut)/\(s.fanOutDuplicates), steps \(s.remediationSteps), flagged \(s.flagged), \
            dead letters \(s.deadLetters), requests \(await h.cloud.requests.count), \
            time-to-flag P50 \(s.timeToFlag.p50 ?? .zero) P95 \(s.timeToFlag.p95 ?? .zero) P99 \(s.timeToFlag.p99 ?? .zero)
            """)

        // Exactly one work item per violating recording; none for a clean one; none duplicated.
        #expect(workitems.count == violating.count)
        #expect(violating.allSatisfy { perTag[tagOf($0)] == 1 })
        #expect(perTag.count == violating.count)
        // Exactly one flag (and one annotation) per violating recording.
        #expect(flags.count == violating.count && flags.values.allSatisfy { $0 == 1 })
        #expect(flags.keys.allSatisfy { violating.contains($0) })
        var annotations = 0
        for rid in violating { annotations += await h.cloud.annotations(recordingId: rid).count }
        #expect(annotations == violating.count)
        // Nothing lost: every recording got exactly one verdict; nothing dead-lettered or left behind.
        // A recording whose worker was cancelled mid-remediation reuses its stored verdict on redelivery:
        // the engine is called once per recording.
        #expect(verdicts.count == count - deleted.count)
        #expect(deleted.allSatisfy { verdicts[$0] == nil })
        #expect(verdicts.values.allSatisfy { $0 == 1 }, "evaluated twice: \(verdicts.values.filter { $0 > 1 }.count)")
        #expect(s.verdictsReused >= (h.crash?.firedCount ?? 0) && s.verdictsReused > 0)
        let letters = await h.sink.letters
        #expect(s.totalDeadLetters == deleted.count && s.deadLetters["sink"] == deleted.count)
        #expect(letters.count == deleted.count && Set(letters.map(\.recordingId)) == deleted)
        #expect(letters.allSatisfy { $0.errorCode == "genesys.recordingUnavailable" })
        #expect(s.notReadyRetries >= uploading.count / 2)
        for letter in await h.queueDeadLetters() { print("queue dead letter: \(letter.reason) after \(letter.deliveryCount)") }
        #expect(await h.queueDeadLetters().isEmpty)
        #expect(await h.pendingCount() == 0 && s.inFlight == 0)
        // The traps were really met.
        #expect((h.crash?.firedCount ?? 0) >= count / 500 - 1)
        #expect(s.released >= (h.crash?.firedCount ?? 0))
        #expect(s.duplicateDeliveries >= 2 * count)
        #expect(s.mediaLinksRefreshed >= 10)
        #expect(s.engineFailures["engine.unavailable", default: 0] >= flakyIds.subtracting(deleted).count)
        #expect(s.remediationSteps["workitem/found-existing", default: 0] >= 1)
        #expect(s.timeToFlag.count == violating.count)
    }
}

/// The scripted engine with a changeable violating set and first-call overloads.
struct SoakEngine: ComplianceEngine {
    let box: SetBox
    let flaky: FlakySet
    let transport: SimulatedGenesysCloud

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        if flaky.failFirst(request.recordingId) {
            throw ComplianceEngineError(
                code: .unavailable, status: 503, correlationId: request.correlationId,
                retryAfter: .seconds(5), detail: "scripted overload")
        }
        return try await ScriptedEngine(violating: box.value, transport: transport).evaluate(request)
    }
}

final class FlakySet: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<GenesysID> = []
    func set(_ ids: Set<GenesysID>) { lock.withLock { self.ids = ids } }
    func failFirst(_ id: GenesysID) -> Bool { lock.withLock { ids.remove(id) != nil } }
}
