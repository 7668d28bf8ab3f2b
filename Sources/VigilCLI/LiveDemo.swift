import Foundation
import VigilAnalysis
import VigilAudioHook
import VigilIdempotency
import VigilModels
import VigilPlatformClient
import VigilRemediation
import VigilTesting

extension Demo {
    /// A live call over AudioHook Monitor, in process: the platform's messages and 100 ms frames into an
    /// `AudioHookSession`, the card flagged by the frame after its last digit, the work item opened at
    /// once, a reconnect that finds it, and the recording's remediation that annotates without a second.
    static func liveCall(_ report: Report) async {
        report.section("8. A live call over AudioHook Monitor: flagged while the customer is still on the line")
        let callMs = 30_000, cardAtMs = 8_000, card = "4111111111111111"
        let audio = KeyedCallSynthesizer.liveCall(seconds: Double(callMs) / 1000, keys: [(cardAtMs, card), (cardAtMs + 5_000, "737")])
        let lastDigitEndMs = KeyedCallSynthesizer.liveKeyingEndMilliseconds(atMs: cardAtMs, digits: card)
        let organizationId = "d7934305-0972-4844-938e-9060eef73d05", sessionId = "30b0e395-84d3-4570-ac13-9a62d8f514c0"

        let clock = TestClock()
        let cloud = SimulatedGenesysCloud(clock: clock)
        let (conversationId, recordingId) = await cloud.addRecording()
        let client = GenesysCloudClient(region: cloud.region, credentials: cloud.credentials, transport: cloud, clock: clock, now: clock.wall)
        let store = InMemoryIdempotencyStore(now: clock.wall)
        do {
            let flow = try RemediationFlow.defaultFlow(worktypeId: "wt-compliance", reviewQueueId: "q-compliance-review")
            guard let settings = flow.workitemSettings else { throw DemoFailure() }
            let reporter = LiveViolationReporter(actions: client, store: store, workitem: settings, now: clock.wall)

            var session = AudioHookSession(configuration: .init(organizationId: organizationId, sessionId: sessionId))
            let open = AudioHookMessage(
                id: sessionId, seq: 1, serverSeq: 0, position: .zero,
                body: .open(
                    .init(
                        organizationId: organizationId, conversationId: conversationId.rawValue,
                        participant: .init(id: "p-1", ani: "+15550100", aniName: "Caller", dnis: "+15550199"),
                        media: [.init(format: "PCMU", channels: ["external", "internal"], rate: 8000)])))
            let opened = session.receive(text: open.encoded())
            report.check(
                "`open` is answered with `opened` (stereo PCMU, 8 kHz chosen)",
                opened.messages.first.map { if case .opened = $0.body { true } else { false } } ?? false)

            var cardFlag: (atMs: Int, finding: ComplianceFinding)?
            var codeFlag: Int?
            for (index, start) in stride(from: 0, to: audio.count, by: 1_600).enumerated() {
                for finding in session.receive(audio: audio[start..<min(audio.count, start + 1_600)]).findings {
                    if finding.type == .pciMidCapture, cardFlag == nil { cardFlag = ((index + 1) * 100, finding) }
                    if finding.type == .pciCvvCapture { codeFlag = (index + 1) * 100 }
                }
            }
            guard let cardFlag else {
                report.check("the keyed card is flagged during the call", false)
                return
            }
            let seconds = { (ms: Int) in String(format: "%.1f s", Double(ms) / 1000) }
            report.check(
                "the card (\(cardFlag.finding.evidence)) is flagged by the frame ending at \(seconds(cardFlag.atMs)) of the "
                    + "\(seconds(callMs)) call — its last digit ended at \(seconds(lastDigitEndMs)); \(seconds(callMs - cardFlag.atMs)) before the call ends",
                cardFlag.atMs - lastDigitEndMs <= 200 && abs(cardFlag.finding.offsetMs - cardAtMs) <= 10)
            report.check(
                "the code keyed after it is flagged as PCI_CVV_CAPTURE at \(seconds(codeFlag ?? 0)), still during the call",
                (codeFlag ?? callMs) < callMs)

            let work = Task { () throws -> (LiveViolationReporter.Outcome, LiveViolationReporter.Outcome) in
                let first = try await reporter.report(cardFlag.finding, conversationId: conversationId)
                let reconnect = try await reporter.report(cardFlag.finding, conversationId: conversationId)
                return (first, reconnect)
            }
            let (first, reconnect) = try await clock.drive(work)
            guard case .created(let workitemId) = first else { throw DemoFailure() }
            report.check(
                "its work item is opened at once (`vigil-live-<conversation>-PCI_MID_CAPTURE`); a reconnect that "
                    + "flags it again finds it", reconnect == .alreadyReported(workitemId: workitemId))

            let executor = RemediationExecutor(
                actions: client, store: store, deadLetters: InMemoryDeadLetterSink(), clock: clock,
                now: clock.wall)
            let verdict = ComplianceVerdict(
                recordingId: recordingId, verdict: .violationDetected, violationType: .pciMidCapture,
                confidenceScore: cardFlag.finding.confidence,
                timestampOffsetMs: Int64(cardFlag.finding.offsetMs), evidenceSnippet: "masked",
                recommendedAction: .routeToComplianceQueue, correlationId: CorrelationID("demo-live-1")!)
            let remediation = Task {
                try await executor.run(
                    flow, verdict: verdict,
                    context: RemediationContext(
                        conversationId: conversationId, recordingId: recordingId,
                        recordingDurationMs: Int64(callMs)))
            }
            let result = try await clock.drive(remediation)
            let annotations = await cloud.annotations(recordingId: recordingId)
            let workitems = await cloud.workitems
            report.check(
                "when the recording is ready, its remediation annotates it at \(seconds(cardFlag.finding.offsetMs)) and "
                    + "finds the live work item: \(annotations.count) annotation, \(workitems.count) work item",
                result.status == .completed && annotations.count == 1
                    && annotations.first?.location == Int64(cardFlag.finding.offsetMs) && workitems.count == 1)
            // Under review, the recording must survive retention: a legal_hold block protects it.
            let hold = try RemediationFlow(
                json: #"""
                    {"name":"Hold","entryPoints":[{"name":"Entry","type":"vigil"}],"blocks":[{"id":"hold","type":"legal_hold"}],
                     "transitions":[{"from":"Entry","to":"hold"}]}
                    """#)
            let held = try await clock.drive(
                Task {
                    try await executor.run(
                        hold, verdict: verdict,
                        context: RemediationContext(conversationId: conversationId, recordingId: recordingId))
                })
            let protected = await cloud.isDeletionProtected(conversationId: conversationId)
            report.check(
                "a `legal_hold` block puts the conversation's recordings under deletion protection "
                    + "(PUT /api/v2/recordings/deletionprotection?protect=true)",
                held.status == .completed && protected)
        } catch {
            report.check("the live call is flagged and remediated (\(error))", false)
        }
    }
}
