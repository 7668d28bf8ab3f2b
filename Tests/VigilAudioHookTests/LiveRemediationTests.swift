import Foundation
import Testing
import VigilAnalysis
import VigilCore
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilTesting

@testable import VigilAudioHook

@Suite("Live remediation: one work item per conversation and violation, also after the recording arrives")
struct LiveRemediationTests {
    let clock = TestClock()
    let sim: SimulatedGenesysCloud
    let client: GenesysCloudClient
    let store: InMemoryIdempotencyStore
    let settings: WorkitemSettings

    init() throws {
        sim = SimulatedGenesysCloud(clock: clock)
        client = GenesysCloudClient(region: sim.region, credentials: sim.credentials, transport: sim, clock: clock, now: clock.wall)
        store = InMemoryIdempotencyStore(now: clock.wall)
        settings = WorkitemSettings(
            typeId: "wt-compliance", queueId: "q-compliance-review", priority: 10,
            name: try RemediationTemplate("Compliance: {{violation_type}}"))
    }

    /// Runs `operation` while a driver advances the test clock (the client's retries and timeouts use it).
    private func driven<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await operation() }
        let driver = Task { [clock] in
            while !Task.isCancelled {
                await clock.runUntilIdle()
                await Task.yield()
            }
        }
        defer { driver.cancel() }
        return try await task.value
    }

    /// The card finding of a live session over a keyed call.
    private func liveCardFinding() throws -> ComplianceFinding {
        var session = AudioHookSession(configuration: .init())
        var platform = PlatformScript()
        platform.saw(session.receive(text: platform.open()))
        let audio = PlatformScript.call(seconds: 12, keys: [(3_000, "4111111111111111")])
        var found: [ComplianceFinding] = []
        for start in stride(from: 0, to: audio.count, by: 1600) {
            found += session.receive(audio: audio[start..<min(audio.count, start + 1600)]).findings
        }
        return try #require(found.first { $0.type == .pciMidCapture })
    }

    @Test("Reported twice (a reconnect), concurrently from three sessions, then the recording's flow: one work item")
    func exactlyOnce() async throws {
        let (conversationId, recordingId) = await sim.addRecording()
        let finding = try liveCardFinding()
        let reporter = LiveViolationReporter(actions: client, store: store, workitem: settings, now: clock.wall)

        let first = try await driven { try await reporter.report(finding, conversationId: conversationId) }
        guard case .created(let workitemId) = first else {
            Issue.record("the first report must create the work item, got \(first)")
            return
        }
        let again = try await driven { try await reporter.report(finding, conversationId: conversationId) }
        #expect(again == .alreadyReported(workitemId: workitemId))
        let concurrent = try await driven {
            try await withThrowingTaskGroup(of: LiveViolationReporter.Outcome.self) { group in
                for _ in 0..<3 { group.addTask { try await reporter.report(finding, conversationId: conversationId) } }
                return try await group.reduce(into: [LiveViolationReporter.Outcome]()) { $0.append($1) }
            }
        }
        #expect(concurrent.allSatisfy { $0 == .alreadyReported(workitemId: workitemId) })
        var workitems = await sim.workitems
        #expect(workitems.count == 1)
        #expect(workitems.first?.externalTag == "vigil-live-\(conversationId)-PCI_MID_CAPTURE")
        #expect(workitems.first?.queueId == "q-compliance-review")
        let description = workitems.first?.description ?? ""
        #expect(description.contains("************1111") && !description.contains("4111111111111111"))

        // The recording becomes available: the usual flow annotates it and finds the live work item.
        let executor = RemediationExecutor(actions: client, store: store, deadLetters: InMemoryDeadLetterSink(), clock: clock, now: clock.wall)
        let flow = try RemediationFlow.defaultFlow(worktypeId: "wt-compliance", reviewQueueId: "q-compliance-review")
        let verdict = ComplianceVerdict(
            recordingId: recordingId, verdict: .violationDetected, violationType: .pciMidCapture,
            confidenceScore: finding.confidence, timestampOffsetMs: Int64(finding.offsetMs),
            evidenceSnippet: "masked", recommendedAction: .routeToComplianceQueue,
            correlationId: CorrelationID("live-test-1")!)
        let report = try await driven {
            try await executor.run(
                flow, verdict: verdict,
                context: RemediationContext(
                    conversationId: conversationId, recordingId: recordingId,
                    recordingDurationMs: 12_000))
        }
        #expect(report.status == .completed, "\(report)")
        let annotations = await sim.annotations(recordingId: recordingId)
        #expect(annotations.count == 1)
        #expect(annotations.first?.location == Int64(finding.offsetMs))
        workitems = await sim.workitems
        #expect(workitems.count == 1, "the recording's remediation must not open a second work item")
    }

    @Test("Below the confidence threshold nothing is opened; another violation type opens its own")
    func thresholdAndTypes() async throws {
        let (conversationId, _) = await sim.addRecording()
        let finding = try liveCardFinding()
        let strict = LiveViolationReporter(
            actions: client, store: store, workitem: settings, minimumConfidence: finding.confidence + 0.001,
            now: clock.wall)
        #expect(try await driven { try await strict.report(finding, conversationId: conversationId) } == .belowThreshold)
        #expect(await sim.workitems.isEmpty)
        let reporter = LiveViolationReporter(actions: client, store: store, workitem: settings, now: clock.wall)
        _ = try await driven { try await reporter.report(finding, conversationId: conversationId) }
        var codeFinding = finding
        codeFinding.type = .pciCvvCapture
        let cvv = codeFinding
        let code = try await driven { try await reporter.report(cvv, conversationId: conversationId) }
        guard case .created = code else {
            Issue.record("a code is another violation: its own work item, got \(code)")
            return
        }
        #expect(await sim.workitems.count == 2)
    }
}
