import Foundation
import Testing
import Vigil
import VigilCore
import VigilEventSub
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilTesting
import VigilVerdict

@Suite struct PipelineTests {
    /// Seeds `count` recordings; every `violatingEvery`-th one violates.
    private func seed(_ h: Harness, count: Int, violatingEvery: Int) async -> [(GenesysID, GenesysID, Bool)] {
        var result: [(GenesysID, GenesysID, Bool)] = []
        for index in 0..<count {
            let (cid, rid) = await h.cloud.addRecording()
            result.append((cid, rid, index % violatingEvery == 0))
        }
        return result
    }

    private func workitemTags(_ h: Harness) async -> [String: Int] {
        var tags: [String: Int] = [:]
        for item in await h.cloud.workitems { tags[item.externalTag ?? "-", default: 0] += 1 }
        return tags
    }

    private func tag(_ rid: GenesysID) -> String {
        RemediationPlanner.workitemExternalTag(recordingId: rid, blockId: "create_work_item")
    }

    @Test func flagsEachViolatingRecordingOnceAndLeavesCleanOnesAlone() async throws {
        let violating = SetBox()
        let h = Harness(engine: { _, cloud in violating.engine(cloud) })
        let recordings = await seed(h, count: 20, violatingEvery: 4)
        violating.set(Set(recordings.filter(\.2).map(\.1)))
        var arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []
        for (index, (cid, rid, _)) in recordings.enumerated() {
            let body = Events.recording(
                "recordingCompleted", conversationId: cid, recordingId: rid,
                deliveryId: "d\(index)", correlationId: "corr-\(index)")
            arrivals.append((.milliseconds(100 * index), { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((.milliseconds(100 * index + 2_000), { _ = await h.deliver(body, id: "msg_\(index)") }))
            arrivals.append((.milliseconds(100 * index + 3_000), { _ = await h.deliver(body, id: "msg_\(index)_again") }))
        }
        await h.run(arrivals: arrivals)

        let s = h.statistics.snapshot
        #expect(s.deliveries == 60)
        #expect(s.accepted == 20)
        #expect(s.duplicateDeliveries == 40)
        #expect(s.verdicts["VIOLATION_DETECTED"] == 5 && s.verdicts["COMPLIANT"] == 15)
        #expect(s.flagged == 5 && s.timeToFlag.count == 5 && s.timeToFlag.p50 != nil)
        #expect(s.totalDeadLetters == 0 && s.inFlight == 0)
        let tags = await workitemTags(h)
        for (_, rid, bad) in recordings {
            #expect(tags[tag(rid)] == (bad ? 1 : nil))
            #expect(await h.cloud.annotations(recordingId: rid).count == (bad ? 1 : 0))
        }
        #expect(await h.cloud.workitems.count == 5)
    }

    @Test func conversationEndFansOutOnceWhateverTheRedeliveries() async throws {
        let box = SetBox()
        let h = Harness(engine: { _, cloud in box.engine(cloud) })
        let conversation = GenesysID.random()
        let (_, first) = await h.cloud.addRecording(conversationId: conversation)
        let (_, second) = await h.cloud.addRecording(conversationId: conversation)
        box.set([second])
        let end = Events.conversationEnded(conversationId: conversation)
        let late = Events.recording(
            "recordingAvailable", conversationId: conversation, recordingId: first,
            deliveryId: "late", correlationId: "corr-late")
        await h.run(arrivals: [
            (.zero, { _ = await h.deliver(end, id: "msg_end_1") }),
            (.seconds(30), { _ = await h.deliver(end, id: "msg_end_2") }),
            (.seconds(40), { _ = await h.deliver(late, id: "msg_late") })
        ])
        let s = h.statistics.snapshot
        #expect(s.accepted == 2)  // the end event once, the late recording event once
        #expect(s.duplicateDeliveries == 1)  // the end event under a new delivery id
        #expect(s.fannedOut == 2)
        #expect(s.duplicateJobs == 1)  // the late event finds `first` already evaluated
        #expect(s.verdicts.values.reduce(0, +) == 2)
        #expect(await h.cloud.workitems.map(\.externalTag) == [tag(second)])
    }

    @Test func availabilityIsVerifiedBeforeTheEngineSeesTheMedia() async throws {
        let box = SetBox()
        let h = Harness(faults: .init(transcodingPolls: 3), engine: { _, cloud in box.engine(cloud) })
        let (cid, rid) = await h.cloud.addRecording()
        box.set([rid])
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        await h.run(arrivals: [(.zero, { _ = await h.deliver(body, id: "msg_1") })])
        let log = await h.cloud.requests
        let firstMedia = try #require(log.firstIndex { $0.host == .media })
        #expect(log[..<firstMedia].filter { $0.status == 202 }.count == 3)
        #expect(h.statistics.snapshot.flagged == 1)
    }

    @Test func recordingNeverReadyGoesBackToTheQueueThenFlags() async throws {
        let box = SetBox()
        let h = Harness(engine: { _, cloud in box.engine(cloud) })
        let (cid, rid) = await h.cloud.addRecording(fileState: .uploading)
        box.set([rid])
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        let cloud = h.cloud
        await h.run(arrivals: [
            (.zero, { _ = await h.deliver(body, id: "msg_1") }),
            (.seconds(200), { await cloud.setFileState(.available, recordingId: rid) })
        ])
        let s = h.statistics.snapshot
        #expect(s.notReadyRetries >= 1)
        #expect(s.flagged == 1 && s.totalDeadLetters == 0)
        #expect(await h.cloud.workitems.count == 1)
    }

    @Test func deletedRecordingIsDeadLetteredNotLost() async throws {
        let box = SetBox()
        let h = Harness(engine: { _, cloud in box.engine(cloud) })
        let (cid, rid) = await h.cloud.addRecording(fileState: .deleted)
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        await h.run(arrivals: [(.zero, { _ = await h.deliver(body, id: "msg_1") })])
        let letters = await h.sink.letters
        #expect(letters.count == 1)
        #expect(letters.first?.recordingId == rid && letters.first?.errorCode == "genesys.recordingUnavailable")
        #expect(h.statistics.snapshot.deadLetters["sink"] == 1)
        #expect(await h.pendingCount() == 0)
    }

    @Test func aFailingDeadLetterSinkLosesNothing() async throws {
        let box = SetBox()
        let h = Harness(engine: { _, cloud in box.engine(cloud) }, failingDeadLetterWrites: 2)
        let (cid, rid) = await h.cloud.addRecording(fileState: .error)
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        await h.run(arrivals: [(.zero, { _ = await h.deliver(body, id: "msg_1") })])
        let letters = await h.sink.letters
        let s = h.statistics.snapshot
        #expect(letters.count == 1 && letters.first?.recordingId == rid)
        #expect(s.retries == 2 && s.deadLetters["sink"] == 1 && s.duplicateJobs == 0)
        #expect(await h.pendingCount() == 0)
    }

    @Test func workerCancelledMidRemediationResumesWithoutADuplicate() async throws {
        let box = SetBox()
        let h = Harness(engine: { _, cloud in box.engine(cloud) }, workers: 2, crashEvery: 1)
        var arrivals: [(at: Duration, deliver: @Sendable () async -> Void)] = []
        var ids: [GenesysID] = []
        for index in 0..<6 {
            let (cid, rid) = await h.cloud.addRecording()
            ids.append(rid)
            let body = Events.recording(
                "recordingCompleted", conversationId: cid, recordingId: rid,
                deliveryId: "d\(index)", correlationId: "c\(index)")
            arrivals.append((.seconds(index), { _ = await h.deliver(body, id: "msg_\(index)") }))
        }
        box.set(Set(ids))
        await h.run(arrivals: arrivals)
        let s = h.statistics.snapshot
        #expect((h.crash?.firedCount ?? 0) >= 3)
        #expect(s.released >= 3)
        #expect(s.workerStarts > 2)  // cancelled workers were replaced
        #expect(s.remediationSteps["workitem/found-existing", default: 0] >= 3)
        #expect(s.flagged == 6)
        let tags = await workitemTags(h)
        #expect(ids.allSatisfy { tags[tag($0)] == 1 } && tags.count == 6)
    }

    /// A worker that crashed (kill -9) holding a remediation step's claim frees it only when the claim's
    /// lease ends: the redelivered job waits that long once, instead of spending its deliveries on short
    /// retries and ending in the dead letters.
    @Test func aStepHeldByACrashedWorkerIsWaitedForNotDeadLettered() async throws {
        let box = SetBox()
        let h = Harness(
            engine: { _, cloud in box.engine(cloud) }, workers: 1, maxDeliveries: 3,
            remediationStore: { ClaimThenCrashStore(base: $0, marker: ":annotation") })
        let (cid, rid) = await h.cloud.addRecording()
        box.set([rid])
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        await h.run(arrivals: [(.zero, { _ = await h.deliver(body, id: "msg_1") })])
        let s = h.statistics.snapshot
        #expect(s.flagged == 1)
        #expect(s.totalDeadLetters == 0)
        #expect(await h.queueDeadLetters().isEmpty)
        #expect(s.retries == 2)  // the crash, then one wait for the crashed claim's lease
        #expect(s.timeToFlag.p50.map { $0 >= .seconds(300) && $0 < .seconds(400) } == true)
        #expect(await h.cloud.annotations(recordingId: rid).count == 1)
    }

    @Test func engineOverloadRequeuesWithItsRetryAfter() async throws {
        let box = SetBox()
        let h2 = Harness(engine: { _, cloud in box.engine(cloud, flakyAll: true) })
        let (cid, rid) = await h2.cloud.addRecording()
        box.set([rid])
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        await h2.run(arrivals: [(.zero, { _ = await h2.deliver(body, id: "msg_1") })])
        let s = h2.statistics.snapshot
        #expect(s.engineFailures["engine.unavailable"] == 1)
        #expect(s.retries == 1 && s.flagged == 1)
        #expect(s.timeToFlag.p50.map { $0 >= .seconds(5) } == true)
    }

    @Test func cancellingRunReleasesTheInFlightJobAndANewRunFinishesIt() async throws {
        let gate = Gate()
        let box = SetBox()
        let h = Harness(engine: { _, cloud in GatedEngine(gate: gate, base: box.engine(cloud)) }, workers: 1)
        let (cid, rid) = await h.cloud.addRecording()
        box.set([rid])
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "c")
        #expect(await h.deliver(body, id: "msg_1").status == 202)

        let pipeline = h.pipeline
        let first = Task { await pipeline.run(workers: 1) }
        let deadline = ContinuousClock.now + .seconds(30)
        while !gate.entered, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(1)) }
        #expect(gate.entered)
        first.cancel()  // shutdown while the engine is working
        await first.value
        var s = h.statistics.snapshot
        #expect(s.released == 1 && s.inFlight == 0 && s.acked == 0)
        #expect(await h.pendingCount() == 1)  // the job is back, visible at once

        await h.run()  // a new run: the engine answers this time
        s = h.statistics.snapshot
        #expect(s.flagged == 1 && s.acked == 1)
        #expect(await h.cloud.workitems.count == 1)
    }

    @Test func verdictByCallbackIsRemediatedOnceWhateverTheRedeliveries() async throws {
        // Answers `202 Accepted`: the verdict comes later by callback.
        let engine = ScriptedComplianceEngine { _ in .accepted(expectedBy: nil) }
        let h = Harness(engine: { _, _ in engine })
        let (cid, rid) = await h.cloud.addRecording()
        let body = Events.recording("recordingCompleted", conversationId: cid, recordingId: rid, deliveryId: "d", correlationId: "cb-1")
        await h.run(arrivals: [(.zero, { _ = await h.deliver(body, id: "msg_1") })])
        #expect(h.statistics.snapshot.pendingVerdicts == 1 && h.statistics.snapshot.acked == 1)
        #expect(await h.cloud.workitems.isEmpty)

        // Later, the engine posts its verdict; the callback receiver has checked it and hands it over.
        let request = try #require(engine.requests.first)
        let verdict = ComplianceVerdict(
            recordingId: rid, verdict: .violationDetected, violationType: .pciCvvCapture,
            confidenceScore: 0.93, timestampOffsetMs: 4_000,
            recommendedAction: .routeToComplianceQueue, correlationId: request.correlationId)
        let (validated, decision) = try h.pipeline.evaluator.decide(verdict, for: request)
        let first = try await h.pipeline.remediate(validated, for: request, decision: decision)
        let again = try await h.pipeline.remediate(validated, for: request)  // the engine redelivered
        #expect(first?.status == .completed && again?.status == .completed)
        // annotation, external tag, participant attributes (looked up: the job names no participant), work item
        #expect(again?.steps(labelled: "skipped-already-done").count == 4)
        #expect(await h.cloud.workitems.count == 1)
        #expect(h.statistics.snapshot.flagged == 2)  // reported per delivery; the platform has one flag

        let clean = ComplianceVerdict(recordingId: rid, verdict: .compliant, confidenceScore: 0.99, correlationId: request.correlationId)
        let (validatedClean, _) = try h.pipeline.evaluator.decide(clean, for: request)
        #expect(try await h.pipeline.remediate(validatedClean, for: request) == nil)
    }

    @Test func statisticsPercentilesUseNearestRank() {
        let statistics = PipelineStatistics()
        for ms in 1...100 {
            statistics.record(PipelineEvent(kind: .flagged(timeToFlag: .milliseconds(ms)), at: Date()))
        }
        let t = statistics.snapshot.timeToFlag
        #expect(t.count == 100 && t.p50 == .milliseconds(50) && t.p95 == .milliseconds(95) && t.p99 == .milliseconds(99))
        #expect(t.max == .milliseconds(100))
    }
}

/// The violating set, filled in once the recordings exist (the engine is built before them).
final class SetBox: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: Set<GenesysID> = []
    private var flakyAll = false

    func set(_ ids: Set<GenesysID>) { lock.withLock { self.ids = ids } }
    var value: Set<GenesysID> { lock.withLock { ids } }

    func engine(_ cloud: SimulatedGenesysCloud, flakyAll: Bool = false) -> any ComplianceEngine {
        BoxedEngine(box: self, transport: cloud, flakyAll: flakyAll)
    }
}

struct BoxedEngine: ComplianceEngine {
    let box: SetBox
    let transport: SimulatedGenesysCloud
    let flakyAll: Bool
    let failedOnce = Flag()

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        let engine = ScriptedEngine(violating: box.value, flaky: [], transport: transport)
        if flakyAll, failedOnce.setOnce() {
            throw ComplianceEngineError(
                code: .unavailable, status: 503, correlationId: request.correlationId,
                retryAfter: .seconds(5), detail: "scripted overload")
        }
        return try await engine.evaluate(request)
    }
}

final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    func setOnce() -> Bool {
        lock.withLock {
            defer { set = true }; return !set
        }
    }
}

/// Blocks the first evaluation until its task is cancelled.
final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var didEnter = false
    var entered: Bool { lock.withLock { didEnter } }
    func enterFirst() -> Bool {
        lock.withLock {
            defer { didEnter = true }; return !didEnter
        }
    }
}

struct GatedEngine: ComplianceEngine {
    let gate: Gate
    let base: any ComplianceEngine

    func evaluate(_ request: ComplianceRequest) async throws -> EngineReply {
        if gate.enterFirst() {
            try await Task.sleep(for: .seconds(3_600))
        }
        return try await base.evaluate(request)
    }
}
